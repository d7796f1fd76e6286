"""Casework settings: priorities and SLAs, the second-review rule, and the TOML file that
``dentrace serve --casework`` reads, with errors naming the file and the field."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from dentrace.cases.settings import CaseSettings, from_toml
from dentrace.errors import InputError


def test_priorities_and_service_levels() -> None:
    sla = CaseSettings()
    raised = datetime(2026, 1, 1)
    assert [sla.priority(s) for s in (0.95, 0.9, 0.7, 0.69, None)] == [
        "high", "high", "medium", "low", "low"]
    assert sla.alert_due(0.95, raised) == raised + timedelta(days=1)
    assert sla.case_due(None, raised) == raised + timedelta(days=30)
    assert sla.needs_review(0.9, False) and sla.needs_review(0.1, True)
    assert not sla.needs_review(0.89, False)


def test_a_file_overrides_some_settings(tmp_path: Path) -> None:
    path = tmp_path / "casework.toml"
    path.write_text("review_score = 0.8\nattachment_max_mib = 2.5\n"
                    "[alert_sla_days]\nhigh = 0.5\nmedium = 2\nlow = 5\n", encoding="utf-8")
    loaded = from_toml(path)
    assert loaded.review_score == 0.8 and loaded.attachment_max_bytes == int(2.5 * 1024 * 1024)
    assert loaded.alert_sla["high"] == timedelta(hours=12)
    assert loaded.case_sla == CaseSettings().case_sla  # left out: the defaults


@pytest.mark.parametrize(("text", "field"), [
    ("review = 0.8\n", "review"),
    ("review_score = 1.5\n", "review_score"),
    ("review_score = true\n", "review_score"),
    ("attachment_max_mib = 0\n", "attachment_max_mib"),
    ("[case_sla_days]\nhigh = 1\n", "case_sla_days"),
    ("[case_sla_days]\nhigh = 1\nmedium = -2\nlow = 3\n", "case_sla_days.medium"),
    ("high_score = 0.5\nmedium_score = 0.6\n", None),
])
def test_bad_settings_name_the_file_and_field(tmp_path: Path, text: str,
                                              field: str | None) -> None:
    path = tmp_path / "casework.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        from_toml(path)
    assert raised.value.file == str(path)
    assert raised.value.field == field

"""The screening service (``screen.supervisor``): starts a batcher on first use, starts a new
one when it stopped, stops, reports health; its settings come from one object."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from dentrace.errors import ConfigError
from dentrace.screen import contract_payment, empty_screener, read_log
from dentrace.screen.batching import ScreeningUnavailable
from dentrace.screen.log import LOG_FILE
from dentrace.screen.settings import ScreeningSettings
from dentrace.screen.supervisor import ScreeningService
from dentrace.web import WebSettings
from tests.unit.screen.hand_made import offender

SRC = Path(__file__).resolve().parents[3] / "src" / "dentrace"


def test_the_service_starts_restarts_stops_and_reports_health(tmp_path: Path) -> None:
    service = ScreeningService(tmp_path, ScreeningSettings(linger=0.002))
    assert service.health() == {"mode": "event loop", "restarts": 0, "state": "stopped"}
    service.use(empty_screener(scorer="rules"))
    first = service.batcher()
    assert service.batcher() is first and service.current is first
    assert first.linger == 0.002  # type: ignore[attr-defined]
    rows = [contract_payment(row) for row in offender()[:3]]
    decided = asyncio.run(service.screen(rows[0], "gate", "127.0.0.1"))
    assert decided["txn_id"] == rows[0]["txn_id"]
    health = service.health()
    assert (health["state"], health["screened"], health["restarts"]) == ("ready", 1, 0)

    first.close()  # a batcher that stopped is replaced on the next payment
    with pytest.raises(ScreeningUnavailable, match="stopped"):
        asyncio.run(first.screen(rows[1], "gate", "127.0.0.1"))
    asyncio.run(service.screen(rows[1], "gate", "127.0.0.1"))
    assert service.current is not first and service.health()["restarts"] == 1

    service.stop()
    assert service.current is None and service.health()["state"] == "stopped"
    assert [e["txn_id"] for e in read_log(tmp_path / LOG_FILE)] == [r["txn_id"]
                                                                    for r in rows[:2]]


def test_a_screening_process_that_cannot_start_says_why(tmp_path: Path) -> None:
    service = ScreeningService(tmp_path, ScreeningSettings(process=True))
    assert service.health()["mode"] == "process"
    try:
        with pytest.raises(ScreeningUnavailable, match=r"no warehouse\.duckdb here"):
            service.warm()
        health = service.health()
        assert health["state"] == "failed" and "warehouse.duckdb" in health["failure"]
        assert service.batcher() is service.current  # held, not started again at once
    finally:
        service.stop()


def test_screening_settings_read_the_environment_once_and_name_bad_values(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert ScreeningSettings.from_environment({}) == ScreeningSettings()
    read = ScreeningSettings.from_environment({"DENTRACE_SCREEN_REVIEW_RATIO": "0.25",
                                               "DENTRACE_SCREEN_LINGER_MS": "2"},
                                              process=True)
    assert read == ScreeningSettings(process=True, review_ratio=0.25, linger=0.002)
    for name, value in (("DENTRACE_SCREEN_REVIEW_RATIO", "half"),
                        ("DENTRACE_SCREEN_REVIEW_RATIO", "nan"),
                        ("DENTRACE_SCREEN_REVIEW_RATIO", "0"),
                        ("DENTRACE_SCREEN_LINGER_MS", "-1")):
        with pytest.raises(ConfigError, match=name):
            ScreeningSettings.from_environment({name: value})
    monkeypatch.setenv("DENTRACE_SCREEN_REVIEW_RATIO", "0.3")
    assert WebSettings().screening.review_ratio == 0.3  # the web app's settings hold them


def test_only_the_settings_objects_read_the_environment() -> None:
    allowed = {SRC / "screen" / "settings.py", SRC / "web" / "settings.py"}
    readers = [f"{path.relative_to(SRC)}:{n}"
               for folder in ("web", "screen") for path in sorted((SRC / folder).rglob("*.py"))
               if path not in allowed
               for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
               if re.search(r"\bos\.(environ|getenv)\b|\bgetenv\(", line)]
    assert readers == []

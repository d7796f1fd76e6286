"""docs/indicators.md documents every registered indicator, the config covers it, and every
feature column is described: documentation is a tested contract."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dentrace.detect.config import load_config
from dentrace.detect.indicators import catalogue

DOC = Path(__file__).resolve().parents[3] / "docs" / "indicators.md"


def _section(code: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    match = re.search(rf"^### {code}\n(.*?)(?=^#{{2,3}} |\Z)", text, re.S | re.M)
    assert match, f"docs/indicators.md has no '### {code}' section"
    return match.group(1)


@pytest.mark.parametrize("code", sorted(catalogue()))
def test_every_indicator_is_documented(code: str) -> None:
    indicator = catalogue()[code]
    section = _section(code)
    assert indicator.description in section, f"{code}: description missing from the docs"
    assert indicator.source in section, f"{code}: source missing from the docs"
    for role in indicator.roles:
        assert role in section.split("**Role:**")[1].splitlines()[0]
    for name in indicator.parameters:
        assert f"`{name}`" in section, f"{code}: parameter {name} undocumented"


def test_every_indicator_has_config_values_and_a_weight() -> None:
    config = load_config()
    for code, indicator in catalogue().items():
        assert set(config.indicators[code]) == set(indicator.parameters), code
        assert any(code in config.weights[role] for role in indicator.roles), code


def test_every_feature_column_is_documented() -> None:
    from dentrace.features import build_party_features
    from tests.unit.features.toy_payments import mixed_world, warehouse

    text = DOC.read_text(encoding="utf-8")
    tables = build_party_features(warehouse(mixed_world()))
    for role, frame in tables.items():
        for name in frame.columns:
            stem = name.rsplit("_", 1)[0]
            documented = f"`{name}`" in text or (
                f"`{stem}_" in text and f"`_{name.rsplit('_', 1)[1]}`" in text)
            assert documented or f"/ `{name}`" in text, f"{role} column {name} undocumented"

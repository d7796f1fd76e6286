"""docs/reports.md is a tested contract: every goAML element the exporter writes, and every
dentrace indicator, is named there; the default settings map every indicator."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from dentrace.detect.indicators import catalogue
from dentrace.report.goaml import load_config
from dentrace.report.goaml.content import str_content
from dentrace.report.material import case_material, party_material
from dentrace.store.sql import open_store
from tests.unit.report.report_sample import Sample

DOC = Path(__file__).resolve().parents[3] / "docs" / "reports.md"


def _names(content: list[tuple[str, Any]]) -> set[str]:
    found = set()
    for name, value in content:
        found.add(name)
        if isinstance(value, list):
            found |= _names(value)
    return found


def _documented() -> set[str]:
    return set(re.findall(r"`([A-Za-z0-9_]+)`", DOC.read_text(encoding="utf-8")))


def test_every_goaml_element_written_is_in_the_field_mapping(sample: Sample) -> None:
    config = load_config()
    written = {"report"}
    with open_store(sample.workspace) as store:
        case = case_material(store, sample.workspace, sample.approved_case)
    for material in (case, party_material(sample.workspace, sample.alerted_party)):
        written |= _names(str_content(material, config))
    missing = written - _documented()
    assert not missing, f"docs/reports.md lacks goAML elements: {sorted(missing)}"


def test_every_indicator_is_documented_and_mapped() -> None:
    codes = set(catalogue()) | {"KNOWN"}
    assert not codes - _documented(), f"undocumented: {sorted(codes - _documented())}"
    for profile in (None, "ppatk-4.0.2"):
        mapping = load_config(profile).indicators
        assert not codes - set(mapping), f"{profile}: unmapped {sorted(codes - set(mapping))}"

"""Fixtures of the report tests: the sample workspace is built once per session (about 10 s)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.report.report_sample import Sample, build

UAE = "formats/goaml/goAMLSchema_5.0.2_UAE_patched_xsd10.xsd"
PPATK = "formats/goaml/goAMLSchema_4.0.2_PPATK_Indonesia_2019-12-09.xsd"


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    return build(tmp_path_factory.mktemp("report-sample") / "ws")


@pytest.fixture(scope="session")
def uae_schema(shared_dir: Path) -> Path:
    return shared_dir / UAE


@pytest.fixture(scope="session")
def ppatk_schema(shared_dir: Path) -> Path:
    return shared_dir / PPATK

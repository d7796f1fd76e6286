"""The demo says what its goAML button will do (issue 19, defect 3): disabled with the reason
when no FIU schema is given, validated against the one given with --goaml-schema."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dentrace.cli.demo import goaml_status
from dentrace.cli.main import app

UAE = "formats/goaml/goAMLSchema_5.0.2_UAE_patched_xsd10.xsd"


def test_without_a_schema_the_demo_says_why_the_button_is_disabled(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DENTRACE_GOAML_SCHEMA", raising=False)
    line = goaml_status(None)
    assert "disabled" in line and "--goaml-schema" in line and "docs/reports.md" in line


def test_a_given_schema_is_checked_and_handed_to_the_app(
        shared_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DENTRACE_GOAML_SCHEMA", "")  # recorded, so the value set is undone
    line = goaml_status(shared_dir / UAE)
    assert "validated against goAMLSchema_5.0.2_UAE_patched_xsd10.xsd" in line
    assert os.environ["DENTRACE_GOAML_SCHEMA"] == str((shared_dir / UAE).resolve())


def test_a_wrong_schema_fails_before_any_work(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DENTRACE_GOAML_SCHEMA", raising=False)
    result = CliRunner().invoke(app, ["demo", "--workspace", str(tmp_path / "demo"),
                                      "--goaml-schema", str(tmp_path / "missing.xsd")],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 2 and "missing.xsd" in result.output
    assert not (tmp_path / "demo").exists()

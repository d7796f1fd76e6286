"""A plain ``pip install dentrace`` needs no C/C++ compiler (issue 19, defect 9): PyICU, which
has no wheel and builds for minutes against ICU headers, comes only with the ``ftm`` extra."""

from __future__ import annotations

import builtins
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dentrace.cli.main import app
from dentrace.report import ftm

ROOT = Path(__file__).resolve().parents[3]
# Source-only packages on PyPI (no manylinux wheel): PyICU, and what pulls it in.
NEEDS_COMPILER = {"pyicu", "followthemoney", "rigour", "normality"}


def _name(requirement: str) -> str:
    for stop in "[<>=!~;( ":
        requirement = requirement.split(stop)[0]
    return requirement.strip().lower()


def _project() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_base_dependencies_need_no_compiler() -> None:
    base = {_name(r) for r in _project()["dependencies"]}
    assert not base & NEEDS_COMPILER, base & NEEDS_COMPILER


def test_ftm_extra_brings_followthemoney_and_the_test_script_installs_it() -> None:
    assert "followthemoney" in {_name(r) for r in _project()["optional-dependencies"]["ftm"]}
    script = (ROOT / "scripts" / "test.sh").read_text(encoding="utf-8")
    assert "'.[dev,spark,ftm]'" in script


def test_ftm_export_without_followthemoney_says_how_to_install_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_ftm(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "followthemoney" or name.startswith("followthemoney."):
            raise ModuleNotFoundError("No module named 'followthemoney'", name="followthemoney")
        return real_import(name, *args, **kwargs)

    for loaded in [m for m in sys.modules if m.startswith("followthemoney")]:
        monkeypatch.delitem(sys.modules, loaded)
    monkeypatch.setattr(builtins, "__import__", no_ftm)
    ftm._followthemoney.cache_clear()
    try:
        result = CliRunner().invoke(app, ["export", "ftm", "--workspace", str(tmp_path),
                                          "--out", str(tmp_path / "x.jsonl"), "--alerts"],
                                    env={"COLUMNS": "200"})
    finally:
        ftm._followthemoney.cache_clear()
    assert result.exit_code == 2, result.output
    assert "pip install 'dentrace[ftm]'" in result.output
    assert "Traceback" not in result.output

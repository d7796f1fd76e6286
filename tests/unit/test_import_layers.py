"""The import-linter contract of pyproject.toml holds on the real tree, and it bites: an upward
import, in a throwaway package or in the real tree under reversed layers, breaks it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))

pytestmark = pytest.mark.skipif(not Path(LINT).exists(), reason="import-linter not installed")


def _contract() -> dict[str, Any]:
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return settings["tool"]["importlinter"]


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


def _lint(config: Path, path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(path)}
    return subprocess.run([LINT, "--config", str(config), "--no-cache"], cwd=path, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def _forbidden_config(at: Path, sources: list[str], forbidden: list[str]) -> Path:
    config = at / "forbidden.toml"
    config.write_text(
        '[tool.importlinter]\nroot_package = "dentrace"\ninclude_external_packages = true\n\n'
        '[[tool.importlinter.contracts]]\nname = "forbidden"\ntype = "forbidden"\n'
        f"source_modules = {_toml_list(sources)}\nforbidden_modules = {_toml_list(forbidden)}\n",
        encoding="utf-8")
    return config


def _write_config(at: Path, root: str, layers: list[str], ignore: list[str]) -> Path:
    config = at / "importlinter.toml"
    config.write_text(
        f'[tool.importlinter]\nroot_package = "{root}"\n\n'
        f'[[tool.importlinter.contracts]]\nname = "layers"\ntype = "layers"\n'
        f"layers = {_toml_list(layers)}\nignore_imports = {_toml_list(ignore)}\n",
        encoding="utf-8")
    return config


def test_the_real_tree_keeps_the_contract() -> None:
    result = _lint(ROOT / "pyproject.toml", ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_an_upward_import_in_a_throwaway_package_breaks_it(tmp_path: Path) -> None:
    package = tmp_path / "uptree"
    (package / "low").mkdir(parents=True)
    (package / "high").mkdir()
    for folder in (package, package / "low", package / "high"):
        (folder / "__init__.py").write_text("", encoding="utf-8")
    (package / "high" / "service.py").write_text("from uptree.low import store\n",
                                                 encoding="utf-8")
    (package / "low" / "store.py").write_text("import uptree.high.service\n", encoding="utf-8")
    config = _write_config(tmp_path, "uptree", ["uptree.high", "uptree.low"], [])
    result = _lint(config, tmp_path)
    assert result.returncode != 0
    assert "uptree.low.store -> uptree.high.service" in result.stdout


def test_the_real_tree_breaks_reversed_layers(tmp_path: Path) -> None:
    contract = _contract()["contracts"][0]
    reversed_layers = list(reversed(contract["layers"]))
    config = _write_config(tmp_path, "dentrace", reversed_layers,
                           contract.get("ignore_imports", []))
    result = _lint(config, ROOT / "src")
    assert result.returncode != 0
    # the CLI imports the web app: upward once the layers are reversed
    assert "dentrace.cli is not allowed to import dentrace.web" in result.stdout, result.stdout


def test_the_forbidden_contract_bites_on_a_real_import(tmp_path: Path) -> None:
    contract = next(c for c in _contract()["contracts"] if c["type"] == "forbidden")
    assert "rich" in contract["forbidden_modules"]
    assert "dentrace.ingest" not in contract["source_modules"]
    # ingest draws its progress bar with rich: the same rule on ingest must break
    config = _forbidden_config(tmp_path, ["dentrace.ingest"], contract["forbidden_modules"])
    result = _lint(config, ROOT / "src")
    assert result.returncode != 0
    assert "dentrace.ingest is not allowed to import rich" in result.stdout, result.stdout

"""`dentrace generate` writes a world and prints its counts."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from dentrace.cli.main import app


def test_generate_writes_a_csv_world(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["generate", "--out", str(tmp_path), "--seed", "3",
                                      "--scale", "0.01", "--format", "csv"])
    assert result.exit_code == 0, result.output
    world = json.loads((tmp_path / "world.json").read_text())
    assert world["seed"] == 3
    assert world["transactions"] > 1000
    assert (tmp_path / "transactions" / "part-00000.csv").is_file()
    for name in ("customers.csv", "known.csv", "truth.csv"):
        assert (tmp_path / name).is_file()
    assert "customers" in result.output


def test_generate_refuses_an_unknown_format(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["generate", "--out", str(tmp_path), "--format", "xls"])
    assert result.exit_code == 2

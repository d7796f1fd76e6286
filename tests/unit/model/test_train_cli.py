"""`dentrace train` refuses seeds that belong to evaluation worlds."""

from __future__ import annotations

from typer.testing import CliRunner

from dentrace.cli.main import app


def test_train_refuses_evaluation_seeds() -> None:
    result = CliRunner().invoke(app, ["train", "--seeds", "101,1001", "--out", "/nonexistent"])
    assert result.exit_code == 2
    assert "1001" in result.output and "100" in result.output


def test_train_refuses_words_for_seeds() -> None:
    result = CliRunner().invoke(app, ["train", "--seeds", "a,b"])
    assert result.exit_code != 0

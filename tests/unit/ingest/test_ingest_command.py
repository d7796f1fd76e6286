"""`dentrace ingest` prints the four counts and the rates date, and names bad files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from dentrace.cli.main import app
from dentrace.ingest import load_rates
from tests.unit.ingest.ingest_rows import good_row


def test_ingest_command_prints_counts_and_rates_date(write_csv: Callable[..., Path],
                                                     tmp_path: Path) -> None:
    path = write_csv("a.csv", [good_row("t1"), good_row("t1"), "x,bad,s,b,1,USD,,"])
    result = CliRunner().invoke(app, ["ingest", "--workspace", str(tmp_path / "ws"),
                                      "--transactions", str(path), "--quiet"])
    assert result.exit_code == 0, result.output
    for key in ("rows_read", "rows_accepted", "rows_quarantined", "rows_duplicate"):
        assert key in result.output
    assert load_rates().as_of in result.output
    assert (tmp_path / "ws" / "summary.json").exists()


def test_ingest_command_names_the_missing_column(write_csv: Callable[..., Path],
                                                 tmp_path: Path) -> None:
    path = write_csv("b.csv", ["t1,2025-01-01T00:00Z,s,b,5"],
                     header="txn_id,ts,sender_id,beneficiary_id,amount")
    result = CliRunner().invoke(app, ["ingest", "--workspace", str(tmp_path / "ws"),
                                      "--transactions", str(path)])
    assert result.exit_code == 2
    assert "b.csv" in result.output and "currency" in result.output

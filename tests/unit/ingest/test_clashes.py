"""Keys met twice: in one file, or a file against a large warehouse; rows stay in file order."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from dentrace.ingest import ingest
from tests.unit.ingest.ingest_rows import good_row

Query = Callable[[str], list[tuple[object, ...]]]
TS = "2025-03-04T21:15:00+10:00"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "iso20022" / "valid"


def _parquet(path: Path, ids: list[str], amounts: list[float]) -> Path:
    n = len(ids)
    pq.write_table(pa.table({
        "txn_id": ids, "ts": [TS] * n, "sender_id": ["s1"] * n, "beneficiary_id": ["b1"] * n,
        "amount": amounts, "currency": ["USD"] * n}), path, row_group_size=50_000)
    return path


def test_rows_of_one_file_clash_by_first_valid_row(write_csv: Callable[..., Path],
                                                   tmp_path: Path, query: Query) -> None:
    rows = [good_row("a", amount="-1"), good_row("a"), good_row("b"), good_row("c"),
            good_row("b"), good_row("c", amount="7"), good_row(" c ", amount="8"),
            good_row("d")]
    report = ingest(tmp_path / "ws", transactions=write_csv("a.csv", rows), quiet=True)
    assert (report.rows_read, report.rows_accepted, report.rows_quarantined,
            report.rows_duplicate) == (8, 4, 3, 1)
    # Accepted rows keep the file's order, clashing or not.
    assert query("SELECT txn_id, source_line FROM transactions") == [
        ("a", 3), ("b", 4), ("c", 5), ("d", 9)]
    assert query("SELECT line, field, reason FROM quarantine") == [
        (2, "amount", "non-positive amount: -1"),
        (7, "txn_id", "same txn_id as line 5 of this file, with different content"),
        (8, "txn_id", "same txn_id as line 5 of this file, with different content")]


def test_file_against_a_warehouse_of_many_row_groups(tmp_path: Path, query: Query) -> None:
    stored = [f"T{i:06d}" for i in range(200_000)]
    ingest(tmp_path / "ws", transactions=_parquet(tmp_path / "one.parquet", stored,
                                                  [5.0] * len(stored)), quiet=True)
    ids = ["T000007", "T150000", " T199999", "T300000", "S1", "U1"]
    amounts = [5.0, 6.0, 5.0, 5.0, 5.0, 5.0]
    report = ingest(tmp_path / "ws", transactions=_parquet(tmp_path / "two.parquet", ids,
                                                           amounts), quiet=True)
    assert (report.rows_accepted, report.rows_quarantined, report.rows_duplicate) == (3, 1, 2)
    assert query("SELECT line, reason FROM quarantine") == [
        (2, "same txn_id as a row already in the workspace, with different content")]
    assert query("SELECT txn_id FROM transactions WHERE ingest_id = 2") == [
        ("T300000",), ("S1",), ("U1",)]
    assert query("SELECT count(*) FROM transactions") == [(200_003,)]


def test_xml_on_one_line_quarantines_every_failing_row(tmp_path: Path, query: Query) -> None:
    # Every payment of a one-line file has line 1: rows are not told apart by their line.
    text = (FIXTURES / "pain001_several_payments.xml").read_text(encoding="utf-8")
    one_line = tmp_path / "one_line.xml"
    one_line.write_text(" ".join(text.replace('Ccy="EUR">15<', 'Ccy="EUR">-15<')
                                 .split()), encoding="utf-8")
    report = ingest(tmp_path / "ws", transactions=one_line, quiet=True)
    assert report.rows_accepted >= 1 and report.rows_quarantined >= 1
    assert report.rows_read == report.rows_accepted + report.rows_quarantined
    assert query("SELECT count(*) FROM quarantine") == [(report.rows_quarantined,)]
    assert ("amount", "non-positive amount: -15") in query("SELECT field, reason FROM quarantine")

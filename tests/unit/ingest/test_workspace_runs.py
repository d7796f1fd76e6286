"""Idempotency, appending, stopping before load on a bad header, summary.json, formats."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dentrace.errors import HeaderError, MissingColumnError
from dentrace.ingest import COUNT_KEYS, ingest
from tests.unit.ingest.ingest_rows import HEADER, good_row

Query = Callable[[str], list[tuple[object, ...]]]


def test_same_file_twice_adds_nothing(write_csv: Callable[..., Path], tmp_path: Path,
                                      query: Query) -> None:
    path = write_csv("a.csv", [good_row("t1"), good_row("t2"), "bad,nope,s,b,1,USD,,"])
    first = ingest(tmp_path / "ws", transactions=path, quiet=True)
    second = ingest(tmp_path / "ws", transactions=path, quiet=True)
    assert (first.rows_accepted, first.rows_quarantined) == (2, 1)
    assert (second.rows_read, second.rows_duplicate, second.rows_accepted) == (3, 3, 0)
    assert query("SELECT count(*) FROM transactions") == [(2,)]
    assert query("SELECT count(*) FROM quarantine") == [(1,)]


def test_same_rows_in_another_file_are_duplicates(write_csv: Callable[..., Path],
                                                  tmp_path: Path, query: Query) -> None:
    ingest(tmp_path / "ws", transactions=write_csv("a.csv", [good_row("t1")]), quiet=True)
    again = write_csv("b.csv", [good_row("t1"), good_row("t1", amount="2")])
    report = ingest(tmp_path / "ws", transactions=again, quiet=True)
    assert (report.rows_duplicate, report.rows_quarantined) == (1, 1)
    assert query("SELECT reason FROM quarantine")[0][0] == (
        "same txn_id as a row already in the workspace, with different content")


def test_new_file_appends(write_csv: Callable[..., Path], tmp_path: Path, query: Query) -> None:
    ingest(tmp_path / "ws", transactions=write_csv("a.csv", [good_row("t1")]), quiet=True)
    report = ingest(tmp_path / "ws", transactions=write_csv("b.csv", [good_row("t2")]),
                    quiet=True)
    assert report.rows_accepted == 1
    assert query("SELECT txn_id, ingest_id FROM transactions ORDER BY 1") == [
        ("t1", 1), ("t2", 2)]


def test_missing_required_column_stops_before_loading(write_csv: Callable[..., Path],
                                                      tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_csv("in/a.csv", [good_row("t1")])
    write_csv("in/b.csv", ["t2,2025-01-01T00:00Z,s,b,5"],
              header="txn_id,ts,sender_id,beneficiary_id,amount")
    with pytest.raises(MissingColumnError) as caught:
        ingest(tmp_path / "ws", transactions=folder, quiet=True)
    assert "b.csv" in str(caught.value) and "currency" in str(caught.value)
    assert caught.value.field == "currency"
    assert not (tmp_path / "ws" / "warehouse.duckdb").exists()


def test_file_without_header_stops(write_csv: Callable[..., Path], tmp_path: Path) -> None:
    with pytest.raises(HeaderError, match=r"empty\.csv"):
        ingest(tmp_path / "ws", transactions=write_csv("empty.csv", b""), quiet=True)
    with pytest.raises(HeaderError, match="empty column name"):
        ingest(tmp_path / "ws", transactions=write_csv("blank.csv", [], header="txn_id,,ts"),
               quiet=True)


def test_summary_json_has_the_four_counts(write_csv: Callable[..., Path],
                                          tmp_path: Path) -> None:
    path = write_csv("a.csv", [good_row("t1"), good_row("t1"), "x,bad,s,b,1,USD,,"])
    ingest(tmp_path / "ws", transactions=path, quiet=True)
    summary = json.loads((tmp_path / "ws" / "summary.json").read_text())
    assert {k: summary[k] for k in COUNT_KEYS} == {
        "rows_read": 3, "rows_accepted": 1, "rows_quarantined": 1, "rows_duplicate": 1}
    assert summary["ingest_files"][0]["file"].endswith("a.csv")


def test_csv_gz_and_folder_of_mixed_files(tmp_path: Path, query: Query) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    text = "\n".join([HEADER, good_row("g1"), good_row("g2")]) + "\n"
    (folder / "part-0.csv.gz").write_bytes(gzip.compress(text.encode()))
    pq.write_table(pa.table({
        "txn_id": ["p1", "p2"], "ts": ["2025-03-04T21:15:00+10:00", "not a time"],
        "sender_id": ["s1", "s2"], "beneficiary_id": ["b1", "b2"], "amount": [5.5, 7.0],
        "currency": ["EUR", "EUR"], "device": ["ios", "web"]}), folder / "part-1.parquet")
    (folder / "notes.txt").write_text("ignored")
    report = ingest(tmp_path / "ws", transactions=folder, quiet=True)
    assert [Path(f.file).name for f in report.files] == ["part-0.csv.gz", "part-1.parquet"]
    assert (report.rows_read, report.rows_accepted, report.rows_quarantined) == (4, 3, 1)
    assert query("SELECT amount, extra FROM transactions WHERE txn_id = 'p1'") == [
        (5.5, '{"device":"ios"}')]
    assert query("SELECT line, field FROM quarantine") == [(2, "ts")]


def test_quoted_multiline_field_keeps_physical_line_numbers(
        write_csv: Callable[..., Path], tmp_path: Path, query: Query) -> None:
    rows = ['m1,2025-03-04T21:15:00Z,s1,b1,5,USD,card,"two\nlines"', "m2,bad,s1,b1,5,USD,,"]
    ingest(tmp_path / "ws", transactions=write_csv("m.csv", rows), quiet=True)
    assert query("SELECT source_line, memo FROM transactions") == [(2, "two\nlines")]
    assert query("SELECT line FROM quarantine") == [(4,)]

"""Parquet text columns whose statistics rule out empty and space-led values test only their
ends for trimming; the stored values are the same as with the full test."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from dentrace.ingest import ingest
from dentrace.ingest.readers.parquet_reader import unpadded_starts

Query = Callable[[str], list[tuple[object, ...]]]


def _file(path: Path, statistics: bool = True) -> Path:
    n = 6
    pq.write_table(pa.table({
        "txn_id": [f"t{i}" for i in range(n)],
        "ts": ["2025-03-04T21:15:00+10:00"] * n,
        "sender_id": ["s1", "s2", "s3", "s4", "s5", " s6"],  # a space-led value, row group 3
        "beneficiary_id": ["b1"] * n,
        "amount": [5.0] * n,
        "currency": ["USD"] * n,
        "sender_name": ["Ann ", "Bo", "Cy  ", "Di", "Ed", "Flo "],  # only ends padded
        "memo": ["m", "n", "o", "", "q", "r"],  # an empty value in row group 2
        "channel": [None, None, "wire", "card", None, None],
    }), path, row_group_size=2, write_statistics=statistics)
    return path


def test_statistics_prove_which_columns_start_unpadded(tmp_path: Path) -> None:
    con = duckdb.connect()
    path = _file(tmp_path / "t.parquet")
    texts = frozenset({"txn_id", "ts", "sender_id", "beneficiary_id", "currency",
                       "sender_name", "memo", "channel"})
    assert unpadded_starts(con, path, texts) == {"txn_id", "ts", "beneficiary_id", "currency",
                                                 "sender_name"}
    assert unpadded_starts(con, path, frozenset({"memo", "txn_id"})) == {"txn_id"}
    bare = _file(tmp_path / "bare.parquet", statistics=False)
    assert unpadded_starts(con, bare, texts) == set()
    con.close()


def test_values_are_trimmed_as_with_the_full_test(tmp_path: Path, query: Query) -> None:
    for name, statistics in (("a", True), ("b", False)):
        ingest(tmp_path / "ws", transactions=_file(tmp_path / f"{name}.parquet", statistics),
               quiet=True)
    rows = query("SELECT ingest_id, txn_id, sender_id, sender_name, memo, channel "
                 "FROM transactions ORDER BY ingest_id, source_line")
    first = [r[1:] for r in rows if r[0] == 1]
    assert first == [("t0", "s1", "Ann", "m", None), ("t1", "s2", "Bo", "n", None),
                     ("t2", "s3", "Cy", "o", "wire"), ("t3", "s4", "Di", None, "card"),
                     ("t4", "s5", "Ed", "q", None), ("t5", "s6", "Flo", "r", None)]
    # The second file (no statistics, full test) holds the same rows: all duplicates.
    assert [r for r in rows if r[0] == 2] == []
    assert query("SELECT rows_duplicate FROM ingest_runs ORDER BY ingest_id") == [(0,), (6,)]

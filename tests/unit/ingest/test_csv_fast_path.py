"""The DuckDB fast path for CSV takes only files where one line is one row."""

from __future__ import annotations

from pathlib import Path

import duckdb

from dentrace.ingest.mapping import Mapping
from dentrace.ingest.readers import csv_fast


def _stage(path: Path) -> list[tuple[object, ...]] | None:
    lines = csv_fast.count_lines(path, Mapping())
    if lines is None:
        return None
    con = duckdb.connect()
    if not csv_fast.stage(con, path, Mapping(), ["id", "memo"], lines):
        return None
    return con.execute("SELECT id, memo, _dt_line FROM _dt_rows ORDER BY _dt_line").fetchall()


def test_quoted_fields_on_one_line_take_the_fast_path(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text('"id","memo"\n"a","x, y"\n"b",\n"c","say ""hi"""\n')
    assert _stage(path) == [("a", "x, y", 2), ("b", None, 3), ("c", 'say "hi"', 4)]


def test_odd_files_fall_back(tmp_path: Path) -> None:
    cases = {
        "multiline.csv": b'id,memo\na,"two\nlines"\n',
        "blank.csv": b"id,memo\na,b\n\nc,d\n",
        "fields.csv": b"id,memo\na,b,c\n",
        "bytes.csv": b"id,memo\na,\xff\n",
        "bom.csv": b"\xef\xbb\xbfid,memo\na,b\n",
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        assert _stage(tmp_path / name) is None, name

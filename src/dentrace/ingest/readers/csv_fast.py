"""Fast path for plain CSV files: DuckDB's own reader, when every physical line is one row.

Taken only when the file is UTF-8 without a BOM or blank lines, DuckDB finds the header's
number of fields on every row, and rows = lines - 1 (no quoted line breaks); otherwise the
Python reader runs.
"""

from __future__ import annotations

import codecs
import gzip
from pathlib import Path
from typing import IO, cast

import duckdb

from dentrace.ingest.mapping import Mapping
from dentrace.ingest.readers.common import ROWS, literal, quote

_BLOCK = 1 << 22


def _open_bytes(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".gz"):
        return cast(IO[bytes], gzip.open(path, "rb"))
    return open(path, "rb")


def count_lines(path: Path, mapping: Mapping) -> int | None:
    """The file's number of lines when it decodes as UTF-8 and has no blank line, else None."""
    if codecs.lookup(mapping.encoding).name != "utf-8":
        return None
    decoder = codecs.getincrementaldecoder("utf-8")()
    tail, lines, last = b"", 0, b"\n"
    try:
        with _open_bytes(path) as handle:
            first = True
            for block in iter(lambda: handle.read(_BLOCK), b""):
                if first and block.startswith(codecs.BOM_UTF8):
                    return None
                first = False
                seam = tail + block
                if b"\n\n" in seam or b"\n\r\n" in seam:
                    return None
                decoder.decode(block)
                lines += block.count(b"\n")
                tail, last = block[-2:], block[-1:]
            decoder.decode(b"", final=True)
    except (UnicodeDecodeError, OSError, EOFError):
        return None
    return lines + (0 if last == b"\n" else 1)


def stage(con: duckdb.DuckDBPyConnection, path: Path, mapping: Mapping,
          names: list[str], lines: int) -> bool:
    """Copy a file of ``lines`` lines into the staging rows when each row is one line;
    False (nothing staged) otherwise or when DuckDB objects to any row."""
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(names))) + "}"
    select = ", ".join(f"c{i} AS {quote(n)}" for i, n in enumerate(names))
    try:
        # row_number() OVER () is evaluated in file order (a streaming window).
        con.execute(f"""CREATE OR REPLACE TEMP TABLE {ROWS} AS SELECT {select},
            CAST(row_number() OVER () + 1 AS BIGINT) AS _dt_line,
            NULL::VARCHAR AS _dt_fault_field, NULL::VARCHAR AS _dt_fault_reason,
            NULL::VARCHAR AS _dt_raw
            FROM read_csv({literal(str(path))}, header = true, auto_detect = false,
                columns = {columns}, delim = {literal(mapping.delimiter)}, quote = '"',
                escape = '"', strict_mode = true, null_padding = false)""")
        staged = con.execute(f"SELECT count(*) FROM {ROWS}").fetchall()[0][0]
    except duckdb.Error:
        staged = -1
    if staged != lines - 1:
        con.execute(f"DROP TABLE IF EXISTS {ROWS}")
        return False
    return True

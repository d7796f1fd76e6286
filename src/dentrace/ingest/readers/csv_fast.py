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
from dentrace.ingest.readers import common
from dentrace.ingest.readers.common import ROWS, literal, quote

_BLOCK = 1 << 22


def _open_bytes(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".gz"):
        return cast(IO[bytes], gzip.open(path, "rb"))
    return open(path, "rb")


def count_lines(path: Path, mapping: Mapping) -> int | None:
    """The file's number of lines when it decodes as UTF-8 and has no blank line and no line
    near ``MAX_LINE_CHARS`` bytes or longer, else None (then DuckDB would refuse the file
    after reading it: the Python reader is taken at once)."""
    if codecs.lookup(mapping.encoding).name != "utf-8":
        return None
    decoder = codecs.getincrementaldecoder("utf-8")()
    tail, lines, last, run = b"", 0, b"\n", 0
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
                run = _longest_run(block, run)
                if run < 0:
                    return None
                decoder.decode(block)
                lines += block.count(b"\n")
                tail, last = block[-2:], block[-1:]
            decoder.decode(b"", final=True)
    except (UnicodeDecodeError, OSError, EOFError):
        return None
    return lines + (0 if last == b"\n" else 1)


def _longest_run(block: bytes, run: int) -> int:
    """The bytes since the last line break at the end of ``block``, given ``run`` before it,
    or -1 when ``block`` may hold a line of ``MAX_LINE_CHARS`` bytes or more.

    Looks for a line break in windows of half the limit, one every half limit, so a few
    finds per block: a line at the limit holds a whole window; a line of half the limit or
    more may be taken for one (the Python reader then reads the file, slower but the same)."""
    limit = common.MAX_LINE_CHARS
    start = block.find(b"\n")
    if start < 0:
        return -1 if run + len(block) > limit else run + len(block)
    if run + start > limit:
        return -1
    half = max(limit // 2, 1)
    for at in range(start, len(block) - half, half):
        if block.find(b"\n", at + 1, at + 1 + half) < 0:
            return -1
    return len(block) - 1 - block.rfind(b"\n")


def stage(con: duckdb.DuckDBPyConnection, path: Path, mapping: Mapping,
          names: list[str], lines: int) -> bool:
    """Copy a file of ``lines`` lines into the staging rows when each row is one line;
    False (nothing staged) otherwise or when DuckDB objects to any row."""
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(names))) + "}"
    select = ", ".join(f"c{i} AS {quote(n)}" for i, n in enumerate(names))
    try:
        # row_number() OVER () is evaluated in file order (a streaming window). The line
        # limit is in bytes here, characters in the Python reader: a line DuckDB refuses
        # goes there, which then decides, so both paths keep the same rows.
        con.execute(f"""CREATE OR REPLACE TEMP TABLE {ROWS} AS SELECT {select},
            CAST(row_number() OVER () + 1 AS BIGINT) AS _dt_line,
            NULL::VARCHAR AS _dt_fault_field, NULL::VARCHAR AS _dt_fault_reason,
            NULL::VARCHAR AS _dt_raw
            FROM read_csv({literal(str(path))}, header = true, auto_detect = false,
                columns = {columns}, delim = {literal(mapping.delimiter)}, quote = '"',
                escape = '"', strict_mode = true, null_padding = false,
                max_line_size = {common.MAX_LINE_CHARS})""")
        staged = con.execute(f"SELECT count(*) FROM {ROWS}").fetchall()[0][0]
    except duckdb.Error:
        staged = -1
    if staged != lines - 1:
        con.execute(f"DROP TABLE IF EXISTS {ROWS}")
        return False
    return True

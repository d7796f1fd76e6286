"""Fast path for plain CSV files: DuckDB's own reader, when every physical line is one row.

Taken only when the file is UTF-8 without a BOM, quote characters or blank lines, and DuckDB
finds the header's number of fields on every line; otherwise the Python reader runs.
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


def is_plain(path: Path, mapping: Mapping) -> bool:
    """True when one physical line is one row and the bytes decode as UTF-8."""
    if codecs.lookup(mapping.encoding).name != "utf-8":
        return False
    decoder = codecs.getincrementaldecoder("utf-8")()
    tail = b""
    try:
        with _open_bytes(path) as handle:
            first = True
            for block in iter(lambda: handle.read(_BLOCK), b""):
                if first and block.startswith(codecs.BOM_UTF8):
                    return False
                first = False
                seam = tail + block
                if b'"' in block or b"\n\n" in seam or b"\n\r\n" in seam:
                    return False
                decoder.decode(block)
                tail = block[-2:]
            decoder.decode(b"", final=True)
    except (UnicodeDecodeError, OSError, EOFError):
        return False
    return True


def stage(con: duckdb.DuckDBPyConnection, path: Path, mapping: Mapping,
          names: list[str]) -> bool:
    """Copy a plain file into the staging rows; False (nothing staged) if DuckDB objects."""
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(names))) + "}"
    select = ", ".join(f"c{i} AS {quote(n)}" for i, n in enumerate(names))
    try:
        # row_number() OVER () is evaluated in file order (a streaming window).
        con.execute(f"""CREATE OR REPLACE TEMP TABLE {ROWS} AS SELECT {select},
            CAST(row_number() OVER () + 1 AS BIGINT) AS _dt_line,
            NULL::VARCHAR AS _dt_fault_field, NULL::VARCHAR AS _dt_fault_reason,
            NULL::VARCHAR AS _dt_raw
            FROM read_csv({literal(str(path))}, header = true, auto_detect = false,
                columns = {columns}, delim = {literal(mapping.delimiter)}, quote = '',
                escape = '', strict_mode = true, null_padding = false)""")
    except duckdb.Error:
        con.execute(f"DROP TABLE IF EXISTS {ROWS}")
        return False
    return True

"""Parquet reader: a DuckDB view over the file, every column cast to text, 1-based row numbers.

Nothing is copied here; validation reads the view once, set-based.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from dentrace.errors import HeaderError, InputError
from dentrace.ingest.readers.common import STAGING, literal, quote


def read_header(path: Path) -> list[str]:
    """The column names of a Parquet file."""
    try:
        names = list(pq.read_schema(path).names)
    except (OSError, pa.ArrowException) as exc:
        raise HeaderError(f"not a readable Parquet file ({exc})", file=path) from exc
    if not names:
        raise HeaderError("Parquet file has no columns", file=path)
    return names


def stage(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    """Create the staging view over ``path``; return its column names."""
    names = read_header(path)
    cols = ", ".join(f"CAST({quote(n)} AS VARCHAR) AS {quote(n)}" for n in names)
    try:
        con.execute(f"""CREATE OR REPLACE TEMP VIEW {STAGING} AS SELECT {cols},
            CAST(file_row_number + 1 AS BIGINT) AS _dt_line,
            NULL::VARCHAR AS _dt_fault_field, NULL::VARCHAR AS _dt_fault_reason,
            NULL::VARCHAR AS _dt_raw
            FROM read_parquet({literal(str(path))}, file_row_number = true)""")
    except duckdb.Error as exc:
        raise InputError(f"cannot read the Parquet file ({exc})", file=path) from exc
    return names

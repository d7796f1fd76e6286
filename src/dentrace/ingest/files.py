"""Find input files and hand each to its reader (CSV, CSV.gz, Parquet, ISO 20022 XML).

Every reader yields the file's own columns as text (Parquet numbers as numbers) plus the
physical line, and marks rows it could not read (wrong field count, broken encoding) so
validation can quarantine them.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from dentrace.errors import InputError
from dentrace.ingest.mapping import Mapping
from dentrace.ingest.readers import csv_reader, parquet_reader
from dentrace.ingest.readers.common import ROWS, STAGING, Progress, quote

SUFFIXES = (".csv", ".csv.gz", ".parquet", ".pq", ".xml")


def list_files(path: Path) -> list[Path]:
    """``path`` itself, or the readable files under a folder in name order."""
    path = Path(path)
    if path.is_file():
        if _kind(path) is None:
            raise InputError(f"unsupported file type (use one of {', '.join(SUFFIXES)})",
                             file=path)
        return [path]
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and _kind(p) is not None)
        if not files:
            raise InputError(f"folder holds no {', '.join(SUFFIXES)} files", file=path)
        return files
    raise InputError("no such file or folder", file=path)


def _kind(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith((".csv", ".csv.gz")):
        return "csv"
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    if name.endswith(".xml"):
        return "xml"
    return None


def read_header(path: Path, mapping: Mapping) -> list[str] | None:
    """The column names of ``path`` (None for XML, whose columns the reader fixes)."""
    kind = _kind(path)
    if kind == "csv":
        return csv_reader.read_header(path, mapping)
    if kind == "parquet":
        return parquet_reader.read_header(path)
    return None


def numeric_columns(path: Path) -> frozenset[str]:
    """Columns ``path``'s reader stages as numbers rather than text (Parquet only)."""
    return parquet_reader.numeric_columns(path) if _kind(path) == "parquet" else frozenset()


def unpadded_starts(con: duckdb.DuckDBPyConnection, path: Path,
                    among: frozenset[str]) -> frozenset[str]:
    """The columns of ``among`` known to hold no empty value and none starting with a space
    (Parquet, from its statistics; nothing is known of other files)."""
    if _kind(path) != "parquet" or not among:
        return frozenset()
    return parquet_reader.unpadded_starts(con, path, among)


def stage_file(
    con: duckdb.DuckDBPyConnection, path: Path, mapping: Mapping, progress: Progress | None
) -> list[str]:
    """Create the relation ``STAGING`` holding ``path``'s rows; return its column names."""
    kind = _kind(path)
    if kind == "csv":
        return csv_reader.stage(con, path, mapping, progress)
    if kind == "parquet":
        return parquet_reader.stage(con, path)
    return _stage_xml(con, path, progress)


def _stage_xml(con: duckdb.DuckDBPyConnection, path: Path, progress: Progress | None) -> list[str]:
    try:
        from dentrace.ingest.readers import iso20022  # another engineer's reader, lazily
    except ImportError as exc:
        raise InputError("the ISO 20022 reader is not installed", file=path) from exc
    table = iso20022.read_messages(path, progress=progress)
    names = [n for n in table.column_names if n not in ("source_file", "source_line")]
    con.register("_dt_xml", table)
    cols = ", ".join(f"CAST({quote(n)} AS VARCHAR) AS {quote(n)}" for n in names)
    line = ("CAST(source_line AS BIGINT)" if "source_line" in table.column_names
            else "row_number() OVER ()")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {ROWS} AS SELECT {cols},
        {line} AS _dt_line, NULL::VARCHAR AS _dt_fault_field,
        NULL::VARCHAR AS _dt_fault_reason, NULL::VARCHAR AS _dt_raw FROM _dt_xml""")
    con.unregister("_dt_xml")
    con.execute(f"CREATE OR REPLACE TEMP VIEW {STAGING} AS SELECT * FROM {ROWS}")
    return names

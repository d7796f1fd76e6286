"""Open or create a workspace's DuckDB warehouse and keep its schema and meta table.

The table layout is the one in docs/architecture.md; ``SCHEMA_VERSION`` changes when it does,
and ``_MIGRATIONS`` brings an older warehouse up to it when it is opened for writing. Who may
open it when (readers share it, a writer waits for them) is ``store.warehouse_access``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from dentrace.errors import WorkspaceError
from dentrace.store import warehouse_access
from dentrace.store.atomic import fsync_path
from dentrace.store.workspace import WAREHOUSE_FILE, Workspace

SCHEMA_VERSION = 3

# Text that repeats (countries, currency, channel, names, memos) is stored compressed
# (DuckDB's dict_fsst); ids and the free-form ``extra`` are stored plain: compressing them
# costs 3x the CPU of the rest of a bulk load (4.9 s against 1.4 s for 2M transactions)
# and they shrink least. The compressed columns cost no measurable CPU and make the
# warehouse ~40% smaller (10M: 1.4 GiB -> 837 MiB), which keeps more of it in the operating
# system's cache: the 100M scan's first stage, five warehouse scans, 19-21 s -> 8 s.
_PLAIN = "USING COMPRESSION uncompressed"
_TRANSACTIONS_COLUMNS = f"""
    txn_id VARCHAR NOT NULL {_PLAIN}, ts_utc TIMESTAMP NOT NULL,
    ts_local TIMESTAMP NOT NULL, utc_offset_min INTEGER NOT NULL,
    sender_id VARCHAR NOT NULL {_PLAIN}, beneficiary_id VARCHAR NOT NULL {_PLAIN},
    amount DOUBLE NOT NULL, currency VARCHAR NOT NULL, amount_ref DOUBLE NOT NULL,
    sender_name VARCHAR, sender_country VARCHAR, beneficiary_name VARCHAR,
    beneficiary_country VARCHAR, channel VARCHAR, memo VARCHAR, extra VARCHAR {_PLAIN},
    source_line BIGINT NOT NULL, ingest_id INTEGER NOT NULL"""
_CUSTOMERS_COLUMNS = f"""
    customer_id VARCHAR NOT NULL {_PLAIN}, name VARCHAR, birth_date DATE, gender VARCHAR,
    country VARCHAR, nationality VARCHAR, occupation VARCHAR, customer_since DATE,
    extra VARCHAR {_PLAIN}, source_line BIGINT NOT NULL, ingest_id INTEGER NOT NULL"""
_TABLES = (
    f"CREATE TABLE IF NOT EXISTS transactions ({_TRANSACTIONS_COLUMNS})",
    f"CREATE TABLE IF NOT EXISTS customers ({_CUSTOMERS_COLUMNS})",
    """CREATE TABLE IF NOT EXISTS known (
        party_id VARCHAR NOT NULL, label VARCHAR NOT NULL, as_of DATE, extra VARCHAR,
        source_line BIGINT NOT NULL, ingest_id INTEGER NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS quarantine (
        ingest_id INTEGER NOT NULL, table_name VARCHAR NOT NULL, file VARCHAR NOT NULL,
        line BIGINT, field VARCHAR, reason VARCHAR NOT NULL, raw VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS ingest_runs (
        ingest_id INTEGER NOT NULL, table_name VARCHAR NOT NULL, file VARCHAR NOT NULL,
        file_sha256 VARCHAR NOT NULL, started_at TIMESTAMP NOT NULL,
        rows_read BIGINT NOT NULL, rows_accepted BIGINT NOT NULL,
        rows_quarantined BIGINT NOT NULL, rows_duplicate BIGINT NOT NULL,
        already_ingested BOOLEAN NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)""",
)


def _rebuilt(table: str, columns: str) -> tuple[str, ...]:
    """Statements that copy ``table`` into a new one declared with ``columns`` (rows in
    their stored order, which DuckDB keeps from a plain scan, matched by column name) and put
    it in its place."""
    return (f"CREATE TABLE _dt_{table}_rebuilt ({columns})",
            f"INSERT INTO _dt_{table}_rebuilt BY NAME SELECT * FROM {table}",
            f"DROP TABLE {table}",
            f"ALTER TABLE _dt_{table}_rebuilt RENAME TO {table}")


# Statements that bring a warehouse of version N up to N + 1, keyed by N.
# 1 -> 2: rows no longer carry their file's path (it is ingest_runs.file, joined on
# ingest_id) nor a content hash (computed only for the few rows whose keys clash): both
# cost a fifth of a Parquet ingest's CPU and nobody reads them that could not join.
_MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: tuple(f"ALTER TABLE {table} DROP COLUMN {column}"
             for table in ("transactions", "customers", "known")
             for column in ("content_hash", "source_file")),
    # 2 -> 3: repeated text stored compressed, ids plain (see _PLAIN)
    2: (*_rebuilt("transactions", _TRANSACTIONS_COLUMNS),
        *_rebuilt("customers", _CUSTOMERS_COLUMNS)),
}


def warehouse_path(workspace: Path) -> Path:
    """The path of a workspace's warehouse file."""
    return Workspace(workspace).warehouse


def open_warehouse(
    workspace: Path, *, create: bool = False, read_only: bool = False,
    wait: float | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open ``workspace``'s warehouse; with ``create`` make the folder and tables if absent.

    Read-only opens share the file with other readers; a writer waits for the readers to
    leave, and a reader for a writer's turn, up to ``wait`` seconds (default: those of
    ``store.warehouse_access``). Raises WorkspaceError when the warehouse is missing (and not
    created), stays held past the wait, or is of another schema version. An older version is
    migrated first, also when the warehouse is wanted read-only. The session time zone is UTC.
    """
    workspace = Path(workspace)
    path = warehouse_path(workspace)
    if not path.exists():
        if not create or read_only:
            raise WorkspaceError(f"{workspace}: no {WAREHOUSE_FILE} here; run `dentrace ingest`")
        workspace.mkdir(parents=True, exist_ok=True)
    con = _connect(path, read_only, wait)
    if read_only:
        if _older_version(con):
            con.close()
            open_warehouse(workspace, wait=wait).close()
            con = _connect(path, read_only, wait)
        return con
    for ddl in _TABLES:
        con.execute(ddl)
    _check_version(con, path)
    return con


def _connect(path: Path, read_only: bool, wait: float | None) -> duckdb.DuckDBPyConnection:
    con = warehouse_access.connect(path, read_only=read_only, wait=wait)
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    _limit_memory(con)
    return con


def _older_version(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the warehouse holds a schema version that a migration brings up to date."""
    try:
        found = read_meta(con).get("schema_version", "")
    except duckdb.CatalogException:
        return False
    return found.isdigit() and int(found) in _MIGRATIONS


def _limit_memory(con: duckdb.DuckDBPyConnection) -> None:
    """Optional DuckDB memory cap and spill folder for big scans, from the environment.

    ``DENTRACE_DUCKDB_MEMORY_LIMIT`` (e.g. ``16GB``) and ``DENTRACE_DUCKDB_TEMP_DIRECTORY``
    (where operators spill past the cap); unset means DuckDB's defaults.
    """
    limit = os.environ.get("DENTRACE_DUCKDB_MEMORY_LIMIT")
    spill = os.environ.get("DENTRACE_DUCKDB_TEMP_DIRECTORY")
    if limit:
        con.execute("SET memory_limit = ?", [limit])
    if spill:
        con.execute("SET temp_directory = ?", [spill])


_UNITS = {"bytes": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40,
          "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12}


def memory_limit_bytes(con: duckdb.DuckDBPyConnection) -> int:
    """DuckDB's current memory cap in bytes (it reports e.g. '11.1 GiB')."""
    found = con.execute("SELECT current_setting('memory_limit')").fetchone()
    number, _, unit = str(found[0] if found else "").strip().partition(" ")
    try:
        return int(float(number) * _UNITS[unit or "bytes"])
    except (ValueError, KeyError) as exc:
        raise WorkspaceError(f"DuckDB reports an unreadable memory_limit {found}") from exc


def bound_memory(con: duckdb.DuckDBPyConnection, at_most: int) -> None:
    """Lower DuckDB's memory cap to ``at_most`` bytes when it is higher (never raises it)."""
    if memory_limit_bytes(con) > at_most:
        con.execute(f"SET memory_limit = '{int(at_most)}B'")


@contextmanager
def memory_lent(con: duckdb.DuckDBPyConnection, at_most: int) -> Iterator[None]:
    """Within the block DuckDB's cap is at most ``at_most`` bytes: it evicts the blocks it
    caches above that, so other processes can use the memory; after it, the cap it had (to the
    precision DuckDB reports it in, e.g. '11.1 GiB')."""
    before = memory_limit_bytes(con)
    if before <= at_most:
        yield
        return
    bound_memory(con, at_most)
    try:
        yield
    finally:
        con.execute(f"SET memory_limit = '{before}B'")


def _check_version(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    found = read_meta(con).get("schema_version")
    if found is None:
        write_meta(con, "schema_version", str(SCHEMA_VERSION))
        return
    if found.isdigit() and int(found) in _MIGRATIONS:
        _migrate(con, int(found))
    elif found != str(SCHEMA_VERSION):
        con.close()
        raise WorkspaceError(
            f"{path}: warehouse schema version {found}, this dentrace expects {SCHEMA_VERSION}"
        )


def _migrate(con: duckdb.DuckDBPyConnection, version: int) -> None:
    """Bring the warehouse from ``version`` to ``SCHEMA_VERSION`` in one transaction."""
    con.begin()
    try:
        for step in range(version, SCHEMA_VERSION):
            for statement in _MIGRATIONS[step]:
                con.execute(statement)
        write_meta(con, "schema_version", str(SCHEMA_VERSION))
        con.commit()
    except BaseException:
        con.rollback()
        raise


def read_meta(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """All key/value pairs of the ``meta`` table."""
    return {k: v for k, v in con.execute("SELECT key, value FROM meta").fetchall()}


def write_meta(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    """Set one ``meta`` key."""
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])


def next_ingest_id(con: duckdb.DuckDBPyConnection) -> int:
    """The id the next ingested file gets (one per file, counting from 1)."""
    rows = con.execute("SELECT coalesce(max(ingest_id), 0) + 1 FROM ingest_runs").fetchall()
    return int(rows[0][0])


def flush_in_background(con: duckdb.DuckDBPyConnection) -> threading.Thread:
    """Start writing the warehouse file's cached pages to disk in a thread; join it before
    the commit.

    A bulk insert leaves its blocks in the OS cache and the commit waits while they reach
    the disk (its fsync: 0.1 s per 2M transactions, idle CPU). Flushed while the checks
    after the insert run, that wait overlaps them instead of following them. DuckDB's own
    fsync at commit still guarantees durability, so a failure here changes nothing.
    """
    rows = con.execute("SELECT path FROM duckdb_databases() "
                       "WHERE database_name = current_database()").fetchall()
    path = rows[0][0] if rows else None
    thread = threading.Thread(target=fsync_path, args=(path,), daemon=True)
    thread.start()
    return thread

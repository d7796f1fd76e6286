"""The workspace warehouse: created on demand, versioned, with a meta table."""

from __future__ import annotations

from pathlib import Path

import pytest

from dentrace.errors import WorkspaceError
from dentrace.store import SCHEMA_VERSION, open_warehouse, read_meta, write_meta
from dentrace.store.warehouse import bound_memory, memory_lent, memory_limit_bytes


def test_create_then_reopen_keeps_meta(tmp_path: Path) -> None:
    con = open_warehouse(tmp_path / "ws", create=True)
    write_meta(con, "reporting_currency", "EUR")
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    con.close()
    assert {"transactions", "customers", "known", "quarantine", "ingest_runs", "meta"} <= tables
    con = open_warehouse(tmp_path / "ws", read_only=True)
    assert read_meta(con) == {"schema_version": str(SCHEMA_VERSION),
                              "reporting_currency": "EUR"}
    con.close()


def test_missing_workspace_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="dentrace ingest"):
        open_warehouse(tmp_path / "nowhere")


def test_other_schema_version_is_refused(tmp_path: Path) -> None:
    con = open_warehouse(tmp_path / "ws", create=True)
    write_meta(con, "schema_version", "999")
    con.close()
    with pytest.raises(WorkspaceError, match="999"):
        open_warehouse(tmp_path / "ws")


def test_bound_memory_lowers_the_cap_and_never_raises_it(tmp_path: Path) -> None:
    con = open_warehouse(tmp_path / "ws", create=True)
    con.execute("SET memory_limit = '2GB'")
    assert abs(memory_limit_bytes(con) - 2 * 10**9) < 0.05 * 2 * 10**9  # read back '1.8 GiB'
    bound_memory(con, 500 * 2**20)
    assert memory_limit_bytes(con) == 500 * 2**20
    bound_memory(con, 8 * 2**30)  # higher than the cap: left as it is
    assert memory_limit_bytes(con) == 500 * 2**20
    con.close()


def test_memory_lent_lowers_the_cap_for_a_block_only(tmp_path: Path) -> None:
    con = open_warehouse(tmp_path / "ws", create=True)
    con.execute("SET memory_limit = '3GB'")
    before = memory_limit_bytes(con)
    with memory_lent(con, 2**30):
        assert memory_limit_bytes(con) == 2**30
    # back to the cap it had, to the 0.1 GiB DuckDB reports it in
    assert abs(memory_limit_bytes(con) - before) <= 0.1 * 2**30
    try:
        with memory_lent(con, 2**29):
            raise RuntimeError("the block failed")
    except RuntimeError:
        pass
    assert abs(memory_limit_bytes(con) - before) <= 0.2 * 2**30  # restored on an error too
    con.close()

"""Fixtures for ingest tests: writing small input files and reading the warehouse back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from tests.unit.ingest.ingest_rows import HEADER


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write lines (str) or raw bytes as a file under tmp_path and return its path."""

    def write(name: str, lines: list[str] | bytes, header: str = HEADER) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(lines, bytes):
            path.write_bytes(lines)
        else:
            path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
        return path

    return write


@pytest.fixture
def query(tmp_path: Path) -> Callable[[str], list[tuple[object, ...]]]:
    """Run SQL on the test workspace's warehouse (tmp_path/ws)."""

    def run(sql: str) -> list[tuple[object, ...]]:
        con = duckdb.connect(str(tmp_path / "ws" / "warehouse.duckdb"), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    return run

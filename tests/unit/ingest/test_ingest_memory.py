"""An ingest caps DuckDB's memory by its input files (4 GiB, or three times the largest file),
never above the cap the workspace is opened with, so a long history does not fill memory
with cached warehouse blocks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dentrace.ingest import ingest, service
from dentrace.ingest.mapping import Mapping
from dentrace.ingest.rules import transaction_rules
from dentrace.store.warehouse import memory_limit_bytes
from tests.unit.ingest.ingest_rows import good_row


def _planned(path: Path) -> Any:
    return service._Planned(transaction_rules(Mapping(), None), path, None)


def test_cap_follows_the_largest_file(tmp_path: Path) -> None:
    small, large = tmp_path / "small.csv", tmp_path / "large.csv"
    small.write_text("x\n")
    with open(large, "wb") as handle:  # a sparse 2 GiB file: its size, not its disk use
        handle.truncate(2 * 2**30)
    assert service.ingest_memory([_planned(small)]) == service.INGEST_MEMORY_FLOOR
    assert service.ingest_memory([_planned(small), _planned(large)]) == 6 * 2**30
    assert service.ingest_memory([]) == service.INGEST_MEMORY_FLOOR


def test_ingest_runs_under_the_bound_and_keeps_a_lower_cap(
        write_csv: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    caps: list[int] = []
    real = service.bound_memory

    def watched(con: Any, at_most: int) -> None:
        real(con, at_most)
        caps.append(memory_limit_bytes(con))

    monkeypatch.setattr(service, "bound_memory", watched)
    path = write_csv("x.csv", [good_row("a"), good_row("b")])
    ingest(tmp_path / "ws", transactions=path, quiet=True)
    assert caps == [service.INGEST_MEMORY_FLOOR]  # DuckDB's default here is higher
    monkeypatch.setenv("DENTRACE_DUCKDB_MEMORY_LIMIT", "1GB")  # the operator's lower cap holds
    ingest(tmp_path / "ws2", transactions=path, quiet=True)
    assert abs(caps[1] - 10**9) < 0.01 * 10**9

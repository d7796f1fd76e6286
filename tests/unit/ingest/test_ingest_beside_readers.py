"""An ingest beside readers (issue 16, point 6): a reader that comes while a file loads waits
for that file only; the ingest lets it in before the next file and still loads them all."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dentrace.ingest import ingest, service
from dentrace.store.warehouse import open_warehouse
from tests.unit.ingest.ingest_rows import good_row

LOAD_S = 1.0  # each file's load, held longer than a real tiny one so a reader comes during it


def test_a_waiting_reader_gets_in_between_two_files(write_csv: Callable[..., Path],
                                                    tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = tmp_path / "ws"
    ingest(workspace, transactions=write_csv("first.csv", [good_row("t0")]), quiet=True)
    folder = tmp_path / "day"
    for n in range(3):
        write_csv(f"day/part-{n}.csv", [good_row(f"t{n}{k}") for k in range(3)])
    loading = threading.Event()
    loaded_at: list[float] = []
    real_load = service._load_file

    def slow_load(*args: Any) -> Any:
        counts = real_load(*args)
        loading.set()
        time.sleep(LOAD_S)  # the warehouse stays open for writing meanwhile
        loaded_at.append(time.monotonic())
        return counts

    monkeypatch.setattr(service, "_load_file", slow_load)
    read_at: list[float] = []

    def read() -> None:
        loading.wait(timeout=30)
        con = open_warehouse(workspace, read_only=True, wait=30)
        read_at.append(time.monotonic())
        con.close()

    reader = threading.Thread(target=read)
    reader.start()
    report = ingest(workspace, transactions=folder, quiet=True)
    reader.join(timeout=60)
    assert report.rows_accepted == 9 and len(loaded_at) == 3
    assert read_at and read_at[0] < loaded_at[-1]  # in before the last file, not after all

"""Readers and writers of one warehouse in different processes (issue 16, point 6): a writer
waits for readers instead of failing on DuckDB's lock, readers wait out a writer, and a stream
of short readers does not keep a writer out."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from dentrace.errors import WorkspaceError
from dentrace.store import warehouse_access
from dentrace.store.warehouse import open_warehouse, warehouse_path

HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "read")
print("held", flush=True)
time.sleep(float(sys.argv[3]))
con.close()
"""


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    open_warehouse(tmp_path / "ws", create=True).close()
    return tmp_path / "ws"


@contextmanager
def held(workspace: Path, mode: str, seconds: float) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the warehouse (``mode`` 'read' or 'write') for ``seconds``."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(warehouse_path(workspace)), mode, str(seconds)],
        stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    try:
        yield process
    finally:
        process.kill()
        process.wait()


def test_a_writer_waits_for_a_reader_instead_of_failing(workspace: Path) -> None:
    with held(workspace, "read", 1.5):
        started = time.monotonic()
        con = open_warehouse(workspace)  # old code: WorkspaceError "Conflicting lock"
        waited = time.monotonic() - started
        con.execute("INSERT INTO meta VALUES ('written', 'yes')")
        con.close()
    assert waited > 0.5


def test_a_reader_waits_out_a_writer(workspace: Path) -> None:
    with held(workspace, "write", 1.5):
        started = time.monotonic()
        con = open_warehouse(workspace, read_only=True)
        waited = time.monotonic() - started
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        con.close()
    assert waited > 0.5
    assert warehouse_access.readers_waiting(warehouse_path(workspace), time.time() - 60)


def test_the_wait_is_bounded_and_the_error_names_the_file(workspace: Path) -> None:
    with held(workspace, "write", 5), pytest.raises(WorkspaceError, match=r"warehouse\.duckdb"):
        open_warehouse(workspace, read_only=True, wait=0.3)
    with held(workspace, "read", 5), pytest.raises(WorkspaceError, match="kept the warehouse"):
        open_warehouse(workspace, wait=0.3)


WRITE = """
import sys, time
from dentrace.store.warehouse import open_warehouse
started = time.monotonic()
con = open_warehouse(sys.argv[1], wait=30)
con.execute("INSERT INTO meta VALUES ('writer', 'in')")
con.close()
print(round(time.monotonic() - started, 2))
"""


def test_a_stream_of_overlapping_readers_does_not_keep_a_writer_out(workspace: Path) -> None:
    """Four threads open the warehouse read-only in turn, each holding it 50 ms, so that one
    of them always holds it: the writer in another process gets in through the gate."""
    stop = threading.Event()
    opened: list[int] = []

    def read() -> None:
        while not stop.is_set():
            con = warehouse_access.connect(warehouse_path(workspace), read_only=True, wait=30)
            time.sleep(0.05)
            warehouse_access.close(con)
            opened.append(1)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.3)
        writer = subprocess.run([sys.executable, "-c", WRITE, str(workspace)],
                                capture_output=True, text=True, timeout=60)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert writer.returncode == 0, writer.stderr[-800:]
    assert float(writer.stdout.strip()) < 10
    assert len(opened) > 20  # the readers went on before and after it
    con = open_warehouse(workspace, read_only=True)
    assert con.execute("SELECT value FROM meta WHERE key = 'writer'").fetchone() == ("in",)
    con.close()


TURN = """
import sys, time
from pathlib import Path
from dentrace.store.warehouse_access import scan_turn
with scan_turn(Path(sys.argv[1])):
    print("turn", flush=True)
    time.sleep(5)
"""


def test_scans_take_turns_and_a_process_may_nest_its_own(workspace: Path) -> None:
    """Two scans would spill into one temporary folder under the same file names."""
    path = warehouse_path(workspace)
    with warehouse_access.scan_turn(path), warehouse_access.scan_turn(path):
        pass  # an incremental scan that runs a full scan instead holds its turn twice
    other = subprocess.Popen([sys.executable, "-c", TURN, str(path)], stdout=subprocess.PIPE,
                             text=True)
    try:
        assert other.stdout is not None and other.stdout.readline().strip() == "turn"
        with pytest.raises(WorkspaceError, match="another scan"), \
                warehouse_access.scan_turn(path, wait=0.3):
            pass
    finally:
        other.kill()
        other.wait()
    with warehouse_access.scan_turn(path, wait=5):  # a killed scan's turn ends with it
        pass

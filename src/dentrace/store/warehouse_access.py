"""Who may open a workspace's warehouse when: readers share it, a writer waits for them to leave
instead of failing, and readers wait out a writer's short turn instead of failing.

DuckDB lets one process open a database file for writing and then no other process at all, or
any number of processes read-only (docs/architecture.md, "Readers and writers"). Without more,
a stream of short readers (the web app opens the warehouse once per request) keeps a writer
out for good, and a writer makes every reader fail at once. So:

- a writer (ingest, a migration) takes the gate, a lock file beside the warehouse; readers
  stop opening the warehouse while it is held, and the writer retries DuckDB's lock until the
  readers already in have left (a request takes well under a second). It keeps the gate for
  at most ``GATE_HOLD_S`` per try, so a long reader (a scan) does not stall the app behind it;
- readers (the app, scans, reports) retry DuckDB's lock while a writer holds it, up to their
  own wait, and raise WorkspaceError ("busy") only after it. A waiting reader touches a file
  beside the warehouse (``readers_waiting``): an ingest that sees it lets readers in between
  two files (``docs/web.md``).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb

from dentrace.errors import WorkspaceError

try:  # POSIX advisory locks; elsewhere readers and writers only retry DuckDB's own lock
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

GATE_SUFFIX = ".gate"
WAITING_SUFFIX = ".waiting"
SCAN_SUFFIX = ".scan"
# how long a reader waits for a writer's turn: an ingest holds the warehouse for one file's load
READ_WAIT_S = 60.0
# how long a writer waits for readers: a scan reads the warehouse for its whole run
WRITE_WAIT_S = 900.0
# the longest a writer holds readers back at the gate per try (then lets them in for a while)
GATE_HOLD_S = 5.0
GATE_REST_S = 1.0
_POLL_S = (0.01, 0.25)  # first and longest pause between tries
# Connections of one process to one file share a DuckDB instance, which the last close tears
# down: an open racing that close (the app's request threads) may get an instance without
# the Python scans registered ("pandas_scan does not exist"). Opens and closes take turns.
_OPENING = threading.Lock()


def gate_path(warehouse: Path) -> Path:
    """The lock file of a warehouse's gate (``warehouse.duckdb.gate``)."""
    return warehouse.with_name(warehouse.name + GATE_SUFFIX)


def waiting_path(warehouse: Path) -> Path:
    """The file a reader touches while it waits for a writer (``warehouse.duckdb.waiting``)."""
    return warehouse.with_name(warehouse.name + WAITING_SUFFIX)


def readers_waiting(warehouse: Path, since: float) -> bool:
    """Whether a reader started waiting for the warehouse after ``since`` (a ``time.time()``)."""
    try:
        return waiting_path(warehouse).stat().st_mtime > since
    except OSError:
        return False


def _announce_waiting(warehouse: Path) -> None:
    with suppress(OSError):  # a read-only folder: the writer finishes first, as before
        waiting_path(warehouse).touch()


def _lock_conflict(exc: duckdb.Error) -> bool:
    """Whether DuckDB refused the file because another connection holds it: another process
    (its file lock) or this one, opened with the other access mode."""
    text = str(exc)
    return ("lock" in text.lower() or "different configuration" in text) and isinstance(
        exc, duckdb.IOException | duckdb.ConnectionException)


def _pauses() -> Iterator[float]:
    pause = _POLL_S[0]
    while True:
        yield pause
        pause = min(pause * 1.5, _POLL_S[1])


def connect(path: Path, *, read_only: bool, wait: float | None = None
            ) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection to the warehouse file ``path``, waiting up to ``wait`` seconds
    (default ``READ_WAIT_S`` for readers, ``WRITE_WAIT_S`` for a writer) for the other side.

    Raises WorkspaceError naming the file when it stays held, or when DuckDB cannot open it
    for another reason.
    """
    if read_only:
        return _connect_reader(path, READ_WAIT_S if wait is None else wait)
    return _connect_writer(path, WRITE_WAIT_S if wait is None else wait)


_TURNS: dict[Path, list[int]] = {}  # scan lock file -> [descriptor, depth] in this process
_TURNS_GUARD = threading.Lock()


@contextmanager
def scan_turn(warehouse: Path, wait: float | None = None) -> Iterator[None]:
    """Scans of one warehouse take turns (waiting up to ``wait`` seconds, default
    ``WRITE_WAIT_S``; re-entrant within a process): being readers, two could otherwise run
    together, and DuckDB gives the spill files of every process the same names in the one
    temporary folder beside the warehouse."""
    if fcntl is None or not warehouse.parent.is_dir():
        yield
        return
    key = warehouse.with_name(warehouse.name + SCAN_SUFFIX)
    with _TURNS_GUARD:
        held = _TURNS.get(key)
        if held is not None:
            held[1] += 1
    if held is None:
        handle = _lock_exclusively(key, time.monotonic() + (WRITE_WAIT_S if wait is None
                                                            else wait))
        with _TURNS_GUARD:
            held = _TURNS.setdefault(key, [handle, 0])
            held[1] += 1
    try:
        yield
    finally:
        with _TURNS_GUARD:
            held[1] -= 1
            if held[1] == 0:
                del _TURNS[key]
                os.close(held[0])


def _lock_exclusively(path: Path, deadline: float) -> int:
    try:
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise WorkspaceError(f"{path}: cannot open the scans' lock file ({exc})") from exc
    pauses = _pauses()
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return handle
        except BlockingIOError as exc:
            if time.monotonic() >= deadline:
                os.close(handle)
                raise WorkspaceError(f"{path}: another scan of this workspace is running; "
                                     "try again when it finishes") from exc
            time.sleep(next(pauses))


def close(con: duckdb.DuckDBPyConnection) -> None:
    """Close a connection opened by ``connect`` (taking turns with other threads' opens)."""
    with _OPENING:
        con.close()


def _connect_reader(path: Path, wait: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + wait
    pauses = _pauses()
    while True:
        _wait_for_gate(path, deadline)
        try:
            with _OPENING:
                return duckdb.connect(str(path), read_only=True)
        except (duckdb.IOException, duckdb.ConnectionException) as exc:
            if not _lock_conflict(exc):
                raise WorkspaceError(f"{path}: cannot open the warehouse ({exc})") from exc
            _announce_waiting(path)  # an ingest lets readers in between two files
            if time.monotonic() >= deadline:
                raise WorkspaceError(f"{path}: busy, a writer (an ingest) holds it for longer "
                                     f"than {wait:.0f} s; try again when it finishes") from exc
        time.sleep(next(pauses))


def _connect_writer(path: Path, wait: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + wait
    while True:
        with _gate(path, deadline):
            found = _try_writer(path, min(deadline, time.monotonic() + GATE_HOLD_S))
        if found is not None:
            return found
        if time.monotonic() >= deadline:
            raise WorkspaceError(f"{path}: other processes (a scan, the app) kept the "
                                 f"warehouse open for {wait:.0f} s; try again when they finish")
        time.sleep(GATE_REST_S)  # the readers held back at the gate get their turn


def _try_writer(path: Path, until: float) -> duckdb.DuckDBPyConnection | None:
    """The connection, once the readers already in have left; None at ``until``."""
    pauses = _pauses()
    while True:
        try:
            with _OPENING:
                return duckdb.connect(str(path), read_only=False)
        except (duckdb.IOException, duckdb.ConnectionException) as exc:
            if not _lock_conflict(exc):
                raise WorkspaceError(f"{path}: cannot open the warehouse ({exc})") from exc
        if time.monotonic() >= until:
            return None
        time.sleep(next(pauses))


@contextmanager
def _gate(path: Path, deadline: float) -> Iterator[None]:
    """Hold the gate exclusively (waiting for another writer's turn up to ``deadline``)."""
    if fcntl is None:
        yield
        return
    handle = _open_gate(path)
    try:
        pauses = _pauses()
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError as exc:
                if time.monotonic() >= deadline:
                    raise WorkspaceError(f"{path}: another writer (an ingest) holds it; try "
                                         "again when it finishes") from exc
                time.sleep(next(pauses))
        yield
    finally:
        os.close(handle)  # closing releases the lock


def _wait_for_gate(path: Path, deadline: float) -> None:
    """Return once no writer holds the gate (or at ``deadline``: DuckDB's lock decides)."""
    if fcntl is None or not gate_path(path).exists():
        return
    try:
        handle = _open_gate(path)
    except WorkspaceError:
        return  # a read-only folder: no writer can be at work in it
    try:
        pauses = _pauses()
        while time.monotonic() < deadline:
            try:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                time.sleep(next(pauses))
    finally:
        os.close(handle)


def _open_gate(path: Path) -> int:
    try:
        return os.open(gate_path(path), os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise WorkspaceError(f"{gate_path(path)}: cannot open the warehouse's lock file "
                             f"({exc})") from exc

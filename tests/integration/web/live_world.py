"""A tiny generated world, ingested and scanned, served by uvicorn and read by four API clients,
with `dentrace scan` and `dentrace ingest` run beside it as real subprocesses (issue 16)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from dentrace.auth import add_user, issue_token
from dentrace.detect.scan import scan
from dentrace.ingest import ingest
from dentrace.store.sql import open_store
from dentrace.synth import generate_world
from tests.live_server import serving

SCALE = 0.01  # ~18k payments, 250 customers: a scan subprocess runs in ~5 s on 2 cores
# the budget of the second scan set: fewer alerts than the default threshold gives, so some
# parties are alerted in one set and not in the other and a mixed set shows in one answer
BUDGET = "150"
# files of the scan outputs a kill may leave behind; the warehouse and the state stores are
# databases with their own journals
WATCHED = ("parties.parquet", "alerts.parquet", "payer_stage1.parquet", "summary.json")


def make_world(root: Path, seed: int) -> Path:
    """A generated world's folder (CSV files)."""
    world = root / f"world-{seed}"
    generate_world(world, seed=seed, scale=SCALE, fmt="csv")
    return world


def make_workspace(world: Path, workspace: Path) -> str:
    """Ingest ``world`` into ``workspace``, scan it (default threshold), add an analyst; her
    bearer token."""
    ingest(workspace, world / "transactions", world / "customers.csv", world / "known.csv",
           quiet=True)
    scan(workspace, scorer="rules")
    store = open_store(workspace)
    try:
        return issue_token(store, add_user(store, "ana", "analyst", "a-long-test-password"))
    finally:
        store.close()


def dentrace(*args: str) -> subprocess.Popen[bytes]:
    """A real ``dentrace`` command in its own process (this interpreter, this checkout)."""
    return subprocess.Popen([sys.executable, "-m", "dentrace", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def scan_command(workspace: Path, budget: bool = False, incremental: bool = False
                 ) -> subprocess.Popen[bytes]:
    """A rules scan of ``workspace``: full, with the small alert budget or the default
    threshold, or incremental (nothing new: it goes straight to writing its outputs)."""
    extra = ("--incremental",) if incremental else ("--alert-budget", BUDGET) if budget else ()
    return dentrace("scan", "--workspace", str(workspace), "--scorer", "rules", *extra)


def ingest_command(workspace: Path, world: Path) -> subprocess.Popen[bytes]:
    """An ingest of ``world``'s transactions into ``workspace``."""
    return dentrace("ingest", "--workspace", str(workspace), "--transactions",
                    str(world / "transactions"), "--quiet")


def finished(process: subprocess.Popen[bytes], timeout: float = 240) -> tuple[int, str]:
    """The exit code and output of a command."""
    out, _ = process.communicate(timeout=timeout)
    return process.returncode, out.decode(errors="replace")[-2000:]


def outputs_seen(workspace: Path) -> dict[str, tuple[int, int, int]]:
    """(inode, size, mtime) of every scan output file of the workspace, in its folder and two
    levels below (where a scan may write them before they are published)."""
    seen: dict[str, tuple[int, int, int]] = {}
    folders = [workspace]
    for parent in (workspace, *(p for p in workspace.iterdir() if p.is_dir())):
        with suppress(FileNotFoundError, NotADirectoryError):
            folders += [p for p in parent.iterdir() if p.is_dir() and p not in folders]
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except FileNotFoundError:
            continue
        for entry in entries:
            if not any(entry.name.endswith(n) or n in entry.name for n in WATCHED):
                continue
            try:
                stat = entry.stat()
            except FileNotFoundError:
                continue
            seen[entry.path] = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
    return seen


def kill_when_outputs_change(process: subprocess.Popen[bytes], workspace: Path,
                             after: float, limit: float) -> bool:
    """SIGKILL ``process`` ``after`` seconds after the first change of a scan output file (or
    at ``limit`` seconds); False when it ended first."""
    before, started = outputs_seen(workspace), time.monotonic()
    while process.poll() is None:
        if outputs_seen(workspace) != before:
            time.sleep(after)
            break
        if time.monotonic() - started > limit:
            break
        time.sleep(0.001)
    return kill(process)


def kill_after(process: subprocess.Popen[bytes], delay: float) -> bool:
    """SIGKILL ``process`` after ``delay`` seconds; False when it ended first."""
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=delay)
    return kill(process)


def kill(process: subprocess.Popen[bytes]) -> bool:
    if process.poll() is not None:
        process.communicate()
        return False
    process.send_signal(signal.SIGKILL)
    process.communicate()
    return True


def live_app(workspace: Path) -> AbstractContextManager[str]:
    """The investigator app on ``workspace``, served by uvicorn on a free loopback port."""
    return serving(workspace, open_store(workspace))


@dataclass
class Readers:
    """Clients that read ``paths`` in turn until stopped, recording every answer.

    A party answer must be one scan's: alerted exactly when it carries an explanation (parties
    and alerts of one set agree; parties of one scan beside alerts of another do not).
    """

    base: str
    token: str
    paths: list[str]
    clients: int = 4
    pause: float = 0.5  # each client ~2 requests a second: the scans get CPU time too
    answers: list[tuple[str, int]] = field(default_factory=list)
    mixed: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        for number in range(self.clients):
            thread = threading.Thread(target=self._read, args=(number,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=120)

    def _read(self, number: int) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.base, headers=headers, timeout=120) as client:
            turn = number
            while not self._stop.is_set():
                path = self.paths[turn % len(self.paths)]
                turn += 1
                try:
                    answer = client.get(path)
                except httpx.HTTPError as exc:
                    self.failures.append(f"{path}: {exc!r}")
                    continue
                self.answers.append((path, answer.status_code))
                if answer.status_code == 200 and path.count("/") == 4:  # /api/v1/parties/ID
                    self._check_party(path, answer.json())
                time.sleep(self.pause)

    def _check_party(self, path: str, party: dict[str, Any]) -> None:
        if bool(party.get("alert")) != (party.get("explanation") is not None):
            self.mixed.append((path, {k: party.get(k) for k in ("score", "alert",
                                                                "explanation")}))

    def server_errors(self) -> list[tuple[str, int]]:
        return [(path, status) for path, status in self.answers if status >= 500]


@contextmanager
def reading(base: str, token: str, paths: list[str]) -> Iterator[Readers]:
    """Four clients reading ``paths`` for the duration of the block."""
    readers = Readers(base, token, paths)
    readers.start()
    try:
        yield readers
    finally:
        readers.stop()

"""A workspace's scan outputs as one published set: each scan writes a new generation folder and
switches to it with one atomic rename; readers take one set and read all of it.

Layout (docs/architecture.md, "Scan outputs"): ``scans/<generation>/`` holds parties.parquet,
alerts.parquet, payer_stage1.parquet and ``scan.json`` (the ``scan`` entry of summary.json);
``scans/current`` names the generation in force. A scan killed before its switch leaves the
previous set in force and its half-written folder is removed by a later scan. After the switch
the files are mirrored at the workspace root as hard links (no copy) and summary.json gets the
entry, for the readers of the root files; the next scan redoes a mirror a kill cut short. A
workspace scanned before generations existed has its set at the root; that is still read.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from dentrace.store.warehouse import fsync_path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: summary updates are not serialised
    fcntl = None  # type: ignore[assignment]

PARTIES_FILE = "parties.parquet"
ALERTS_FILE = "alerts.parquet"
STAGE1_FILE = "payer_stage1.parquet"
SUMMARY_FILE = "summary.json"
SCAN_ENTRY_FILE = "scan.json"
SCANS_DIR = "scans"
CURRENT_FILE = "current"
TABLE_FILES = (PARTIES_FILE, ALERTS_FILE, STAGE1_FILE)
_NEW = ".new-"  # a generation folder being written
_TEMP = ".tmp-"  # a file being written, renamed into place when complete


@dataclass(frozen=True)
class ScanSet:
    """One scan's outputs: the files of one generation folder (``generation`` None: the
    workspace root of a workspace scanned before generations existed)."""

    workspace: Path
    generation: str | None

    @property
    def folder(self) -> Path:
        if self.generation is None:
            return self.workspace
        return self.workspace / SCANS_DIR / self.generation

    def path(self, name: str) -> Path:
        """The path of one output file of the set (it may not exist: no scan yet)."""
        return self.folder / name

    @property
    def parties(self) -> Path:
        return self.path(PARTIES_FILE)

    @property
    def alerts(self) -> Path:
        return self.path(ALERTS_FILE)

    @property
    def stage1(self) -> Path:
        return self.path(STAGE1_FILE)

    def entry(self) -> dict[str, Any] | None:
        """The set's ``scan`` entry of summary.json (None: no readable one)."""
        source = self.path(SCAN_ENTRY_FILE) if self.generation else self.path(SUMMARY_FILE)
        try:
            found = json.loads(source.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return None
        if self.generation is None:
            found = found.get("scan") if isinstance(found, dict) else None
        return found if isinstance(found, dict) else None


def current_scan(workspace: Path) -> ScanSet:
    """The set in force: the generation ``scans/current`` names, else the root files."""
    workspace = Path(workspace)
    try:
        name = (workspace / SCANS_DIR / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return ScanSet(workspace, None)
    if name and (workspace / SCANS_DIR / name).is_dir():
        return ScanSet(workspace, name)
    return ScanSet(workspace, None)


def _temp_name(path: Path) -> Path:
    return path.with_name(f"{_TEMP}{os.getpid()}-{time.monotonic_ns()}-{path.name}")


def write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """``write(temp)`` a temporary file beside ``path``, flush it to disk and rename it over
    ``path``: a reader sees the old file or the new one, whole, even after a kill."""
    temp = _temp_name(path)
    try:
        write(temp)
        fsync_path(temp)
        os.replace(temp, path)
    finally:
        with suppress(FileNotFoundError):
            temp.unlink()
    fsync_path(path.parent)


def write_text_atomically(path: Path, text: str) -> None:
    """``write_atomically`` for a text file (UTF-8)."""
    write_atomically(path, lambda temp: temp.write_text(text, encoding="utf-8"))


@contextmanager
def _summary_lock(workspace: Path) -> Iterator[None]:
    """Serialise read-modify-writes of summary.json (an ingest and a scan may end together)."""
    if fcntl is None:
        yield
        return
    handle = os.open(workspace / f".{SUMMARY_FILE}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


def update_summary(workspace: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Apply ``change`` to summary.json's content (empty when absent or unreadable) and write
    it back atomically."""
    path = Path(workspace) / SUMMARY_FILE
    with _summary_lock(Path(workspace)):
        try:
            summary = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        except (OSError, json.JSONDecodeError):
            summary = {}
        if not isinstance(summary, dict):
            summary = {}
        change(summary)
        write_text_atomically(path, json.dumps(summary, indent=2) + "\n")


def publish_scan(workspace: Path, tables: dict[str, pd.DataFrame | None],
                 entry: dict[str, Any]) -> ScanSet:
    """Write a scan's ``tables`` (file name -> frame; None: keep the last set's file) and its
    summary ``entry`` as a new generation, put it in force, mirror it and prune old ones."""
    workspace = Path(workspace)
    scans = workspace / SCANS_DIR
    scans.mkdir(parents=True, exist_ok=True)
    name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{os.getpid()}"
    new = scans / f"{_NEW}{name}"
    new.mkdir()
    last = current_scan(workspace)
    for file, frame in tables.items():
        if frame is not None:
            frame.to_parquet(new / file, index=False)
            fsync_path(new / file)
        elif last.path(file).is_file():
            _link_or_copy(last.path(file), new / file)
    (new / SCAN_ENTRY_FILE).write_text(json.dumps(entry, indent=2) + "\n", encoding="utf-8")
    fsync_path(new / SCAN_ENTRY_FILE)
    fsync_path(new)
    os.rename(new, scans / name)
    fsync_path(scans)
    write_text_atomically(scans / CURRENT_FILE, name + "\n")  # the switch
    published = ScanSet(workspace, name)
    mirror_scan(workspace)
    prune_scans(workspace)
    return published


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links
        shutil.copy2(source, target)


def mirror_scan(workspace: Path) -> None:
    """Make the root files and summary.json's ``scan`` entry those of the set in force (each
    file replaced atomically; nothing to do when they already are)."""
    current = current_scan(workspace)
    if current.generation is None:
        return
    for file in TABLE_FILES:
        source, target = current.path(file), current.workspace / file
        if not source.is_file() or _same_file(source, target):
            continue
        write_atomically(target, partial(_link_or_copy, source))
    entry = current.entry()
    if entry is not None and ScanSet(current.workspace, None).entry() != entry:
        update_summary(current.workspace, lambda summary: summary.update(scan=entry))


def _same_file(one: Path, other: Path) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:
        return False


def prune_scans(workspace: Path) -> None:
    """Remove the generations before the one in force and the one before it (a request may
    still read that one), the folders and temporary files of scans that were killed."""
    workspace = Path(workspace)
    scans = workspace / SCANS_DIR
    if not scans.is_dir():
        return
    current = current_scan(workspace).generation
    done = sorted(p.name for p in scans.iterdir()
                  if p.is_dir() and not p.name.startswith((_NEW, _TEMP)))
    keep = _kept(done, current)
    for path in scans.iterdir():
        name = path.name
        if path.is_dir() and not name.startswith((_NEW, _TEMP)) and name not in keep:
            shutil.rmtree(path, ignore_errors=True)
        elif name.startswith((_NEW, _TEMP)) and not _writer_alive(name):
            _remove(path)
    for path in workspace.glob(f"{_TEMP}*"):
        if not _writer_alive(path.name):
            _remove(path)


def _kept(done: list[str], current: str | None) -> set[str]:
    """The generation in force and the newest one before it."""
    if current is None:
        return set(done)
    older = [n for n in done if n < current]
    return {current, *older[-1:]}


def _writer_alive(name: str) -> bool:
    """Whether the process that names a temporary folder or file still runs."""
    digits = name.removeprefix(_NEW).removeprefix(_TEMP)
    pid_text = digits.split("-", 1)[0] if name.startswith(_TEMP) else \
        digits.rsplit("-", 1)[-1]
    if not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with suppress(FileNotFoundError):
            path.unlink()

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
from contextlib import suppress
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from dentrace.store.atomic import TEMP_PREFIX as _TEMP
from dentrace.store.atomic import fsync_path, write_atomically, write_text_atomically
from dentrace.store.workspace import (
    ALERTS_FILE,
    PARTIES_FILE,
    SCAN_ENTRY_FILE,
    SCANS_DIR,
    STAGE1_FILE,
    TABLE_FILES,
    ScanSet,
    Workspace,
    current_scan,
)

# the names of the set's files and the set itself live with the other workspace names
__all__ = [
    "ALERTS_FILE", "PARTIES_FILE", "SCANS_DIR", "STAGE1_FILE", "TABLE_FILES", "ScanSet",
    "current_scan", "mirror_scan", "prune_scans", "publish_scan", "write_atomically",
]
_NEW = ".new-"  # a generation folder being written


def publish_scan(workspace: Path, tables: dict[str, pd.DataFrame | None],
                 entry: dict[str, Any]) -> ScanSet:
    """Write a scan's ``tables`` (file name -> frame; None: keep the last set's file) and its
    summary ``entry`` as a new generation, put it in force, mirror it and prune old ones."""
    workspace = Path(workspace)
    scans = Workspace(workspace).scans
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
    write_text_atomically(Workspace(workspace).scans_current, name + "\n")  # the switch
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
        source, target = current.path(file), Workspace(current.workspace).root_output(file)
        if not source.is_file() or _same_file(source, target):
            continue
        write_atomically(target, partial(_link_or_copy, source))
    entry = current.entry()
    if entry is not None and ScanSet(current.workspace, None).entry() != entry:
        Workspace(current.workspace).merge_summary({"scan": entry})


def _same_file(one: Path, other: Path) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:
        return False


def prune_scans(workspace: Path) -> None:
    """Remove the generations before the one in force and the one before it (a request may
    still read that one), the folders and temporary files of scans that were killed."""
    workspace = Path(workspace)
    scans = Workspace(workspace).scans
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

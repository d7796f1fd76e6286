"""Files written whole: a temporary file beside the target, flushed to disk and renamed over it,
so a reader (or the next run after a kill) sees the old file or the new one, never a part."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

TEMP_PREFIX = ".tmp-"  # a file being written, renamed into place when complete


def fsync_path(path: str | Path | None) -> None:
    """Write a file's (or a folder's entries') cached pages to disk; a no-op without a path or
    where it cannot be opened (a folder on Windows)."""
    if not path:
        return
    try:
        handle = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def _temp_name(path: Path) -> Path:
    return path.with_name(f"{TEMP_PREFIX}{os.getpid()}-{time.monotonic_ns()}-{path.name}")


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

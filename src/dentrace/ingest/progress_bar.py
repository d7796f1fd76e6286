"""A rich progress bar, one line per input file, shown on stderr while ingest runs.

``ingest`` uses it unless called with ``quiet=True`` or with its own progress callback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn


@contextmanager
def file_progress() -> Iterator[object]:
    """Yield a callback ``(file, done, total)`` that drives a progress bar per file."""
    bar = Progress(TextColumn("{task.description}"), BarColumn(),
                   TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn(),
                   console=Console(stderr=True))
    tasks: dict[str, TaskID] = {}

    def update(file: str, done: int, total: int) -> None:
        if file not in tasks:
            tasks[file] = bar.add_task(file, total=max(total, 1))
        bar.update(tasks[file], completed=done, total=max(total, 1))

    with bar:
        yield update

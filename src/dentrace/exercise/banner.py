"""What the app's exercise banner shows: the workspace's exercise manifest and the time left.

Light on purpose (no world generation or scoring imports): every page of the app reads it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dentrace.store.workspace import Workspace

_SHOWN = ("exercise", "title", "level", "institution", "minutes", "started", "ends")


def read_exercise(workspace: Path) -> dict[str, Any] | None:
    """The workspace's exercise manifest (what the banner shows), or None when it holds no
    exercise or the file is unreadable: the app never fails for the banner's sake."""
    path = Workspace(workspace).exercise
    try:
        held = json.loads(path.read_text(encoding="utf-8"))
        ends = datetime.fromisoformat(str(held["ends"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(held, dict):
        return None
    shown = {name: held.get(name) for name in _SHOWN}
    left = (ends - datetime.now(UTC)).total_seconds()
    shown["seconds_left"] = max(0, int(left))
    return shown

"""Training mode: scored exercises on synthetic worlds for analysts, police, prosecutors and
NGO staff (docs/training.md): a bundle without truth, a sealed key, a scorecard, a leaderboard.

Public names: ``new_exercise``, ``read_manifest``, ``read_key``, ``LEVELS``. They are loaded
on first use, so the app's banner (``exercise.banner``) does not import the world generator.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dentrace.exercise.bundle import Exercise, new_exercise, read_key, read_manifest
    from dentrace.exercise.levels import LEVELS, Level

__all__ = ["LEVELS", "Exercise", "Level", "new_exercise", "read_key", "read_manifest"]
_HOME = {"LEVELS": "levels", "Level": "levels", "Exercise": "bundle",
         "new_exercise": "bundle", "read_key": "bundle", "read_manifest": "bundle"}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(import_module(f"dentrace.exercise.{_HOME[name]}"), name)
    raise AttributeError(f"module 'dentrace.exercise' has no attribute {name!r}")

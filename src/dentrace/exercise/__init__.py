"""Training mode: scored exercises on synthetic worlds for analysts, police, prosecutors and
NGO staff (docs/training.md): a bundle without truth, a sealed key, a scorecard, a leaderboard.

Public names: ``new_exercise``, ``read_manifest``, ``read_key``, ``LEVELS``.
"""

from dentrace.exercise.bundle import Exercise, new_exercise, read_key, read_manifest
from dentrace.exercise.levels import LEVELS, Level

__all__ = ["LEVELS", "Exercise", "Level", "new_exercise", "read_key", "read_manifest"]

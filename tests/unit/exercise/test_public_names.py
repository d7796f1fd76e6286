"""The public surface of exercise is exactly what its __all__ lists, loaded on first use."""

from __future__ import annotations

import subprocess
import sys

import pytest

import dentrace.exercise as exercise


def test_exercise_public_names() -> None:
    assert sorted(exercise.__all__) == [
        "Exercise", "LEVELS", "Level", "new_exercise", "read_key", "read_manifest"]
    assert all(hasattr(exercise, name) for name in exercise.__all__)
    assert sorted(exercise.LEVELS) == [1, 2, 3]
    with pytest.raises(AttributeError, match="no attribute 'scan'"):
        exercise.scan  # noqa: B018


def test_the_banner_does_not_load_the_world_generator() -> None:
    probe = ("import sys, dentrace.exercise.banner; "
             "print(any(m.startswith(('dentrace.synth', 'sklearn')) for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"

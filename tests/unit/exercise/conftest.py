"""One small level-1 exercise per test session: building it runs the federation generator."""

from __future__ import annotations

from pathlib import Path

import pytest

from dentrace.exercise import Exercise, new_exercise

SCALE = 0.1  # ~2,500 customers in the global world; the remitter sees about 750 of them


@pytest.fixture(scope="session")
def exercise(tmp_path_factory: pytest.TempPathFactory) -> Exercise:
    root = tmp_path_factory.mktemp("exercise")
    return new_exercise(1, seed=3, out=root / "bundle", key_out=root / "sealed" / "key.parquet",
                        scale=SCALE)


@pytest.fixture()
def bundle(exercise: Exercise) -> Path:
    return exercise.bundle

"""Which world seeds train the model and which measure it, so the two never overlap.

Training worlds use seeds 100–199; evaluation worlds use seeds 1000 and above.
"""

from __future__ import annotations

from collections.abc import Iterable

from dentrace.errors import ConfigError

TRAINING_SEEDS = range(100, 200)
EVALUATION_SEEDS_FROM = 1000
DEFAULT_TRAINING_SEEDS = (101, 102, 103, 104, 105, 106, 107, 108)


def check_training_seeds(seeds: Iterable[int]) -> list[int]:
    """The seeds as a list; refuses any seed outside the training range or repeated."""
    chosen = list(seeds)
    outside = [s for s in chosen if s not in TRAINING_SEEDS]
    if outside:
        raise ConfigError(
            f"training seeds must lie in {TRAINING_SEEDS.start}–{TRAINING_SEEDS.stop - 1} "
            f"(evaluation worlds use {EVALUATION_SEEDS_FROM}+); refused: {outside}")
    if len(set(chosen)) != len(chosen):
        raise ConfigError(f"training seeds repeat: {chosen}")
    if len(chosen) < 2:
        raise ConfigError("training needs at least two seeds: calibration scores each "
                          "world with a model trained on the others")
    return chosen


def seen_in_training(seed: int | None, training_seeds: Iterable[int]) -> bool:
    """True when an evaluation world's seed was used to train the model."""
    return seed is not None and (seed in set(training_seeds) or seed in TRAINING_SEEDS)

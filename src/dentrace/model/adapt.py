"""Adapt the shipped model to one institution's own labels by positive-unlabelled learning.

Elkan & Noto (2008): a classifier g(x) = P(labelled | x) trained on known positives against all
other parties, divided by c = mean g over the known positives, estimates P(positive | x).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np
from sklearn.model_selection import StratifiedKFold

MIN_KNOWN_POSITIVES = 5
FOLDS = 5
PU_PARAMS = {
    "objective": "binary",
    "learning_rate": 0.08,
    "num_leaves": 7,
    "min_data_in_leaf": 10,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 5.0,
    "verbose": -1,
    "num_threads": 1,
    "deterministic": True,
    "seed": 11,
}
PU_ROUNDS = 100
# Unlabelled rows each fold trains on at most; predictions are corrected for the sampling.
MAX_UNLABELLED_PER_FOLD = 8000


@dataclass
class PositiveUnlabelledFit:
    """Out-of-fold P(positive | x) for every row, the label frequency c and the fold models."""

    probability: np.ndarray
    label_frequency: float
    models: list[tuple[lgb.Booster, float]]
    known_positives: int


def _sample_unlabelled(rows: np.ndarray, labelled: np.ndarray,
                       rng: np.random.Generator) -> tuple[np.ndarray, float]:
    """All labelled rows plus at most MAX_UNLABELLED_PER_FOLD unlabelled ones, and their share."""
    positive, unlabelled = rows[labelled[rows]], rows[~labelled[rows]]
    if len(unlabelled) <= MAX_UNLABELLED_PER_FOLD:
        return rows, 1.0
    chosen = rng.choice(unlabelled, MAX_UNLABELLED_PER_FOLD, replace=False)
    return np.sort(np.concatenate([positive, chosen])), MAX_UNLABELLED_PER_FOLD / len(unlabelled)


def _unsampled(predicted: Any, kept_share: float | np.ndarray) -> np.ndarray:
    """Undo the unlabelled subsampling: the odds of being labelled shrink by the kept share."""
    probability = np.asarray(predicted, dtype=float)
    odds = probability / np.clip(1 - probability, 1e-12, None) * kept_share
    return odds / (1 + odds)


def fit_positive_unlabelled(matrix: np.ndarray, labelled: np.ndarray,
                            seed: int = 0) -> PositiveUnlabelledFit | None:
    """Cross-fitted Elkan–Noto estimate; None when there are too few known positives.

    Each row is scored by a model that did not see it, so a hidden positive among the
    unlabelled is not pushed down by having been a training negative.
    """
    labelled = np.asarray(labelled, dtype=bool)
    positives = int(labelled.sum())
    if positives < MIN_KNOWN_POSITIVES or positives == len(labelled):
        return None
    folds = StratifiedKFold(n_splits=min(FOLDS, positives), shuffle=True, random_state=seed)
    out_of_fold = np.zeros(len(labelled))
    models: list[tuple[lgb.Booster, float]] = []
    rng = np.random.default_rng(seed)
    for train_rows, held_rows in folds.split(matrix, labelled):
        rows, kept_share = _sample_unlabelled(train_rows, labelled, rng)
        data = lgb.Dataset(matrix[rows], label=labelled[rows].astype(float))
        booster = lgb.train(PU_PARAMS, data, num_boost_round=PU_ROUNDS)
        out_of_fold[held_rows] = _unsampled(booster.predict(matrix[held_rows]), kept_share)
        models.append((booster, kept_share))
    label_frequency = float(out_of_fold[labelled].mean())
    if label_frequency <= 0:
        return None
    probability = np.clip(out_of_fold / label_frequency, 0.0, 1.0)
    return PositiveUnlabelledFit(probability, label_frequency, models, positives)


def predict_positive_unlabelled(fit: PositiveUnlabelledFit, matrix: np.ndarray,
                                predictors: Sequence[Callable[[np.ndarray], Any]] | None = None,
                                ) -> np.ndarray:
    """P(positive | x) for new rows: the fold models' mean, divided by c. ``predictors``
    (one per fold model, in order) replace the models' own ``predict``, e.g. kept predictors."""
    if not len(matrix):
        return np.zeros(0)
    predict = predictors if predictors is not None else [m.predict for m, _ in fit.models]
    shares = np.array([[share] for _, share in fit.models])  # folds x 1
    predicted = np.array([p(matrix) for p in predict], dtype=float)  # folds x rows
    mean = _unsampled(predicted, shares).mean(axis=0)
    return np.clip(mean / fit.label_frequency, 0.0, 1.0)


def blend_weight(known_positives: int, half_weight_at: int = 30, cap: float = 0.5) -> float:
    """Weight of the institution's own model: grows with its known positives, at most ``cap``."""
    return min(cap, known_positives / (known_positives + half_weight_at))

"""Adapt the shipped model to one institution's own labels by positive-unlabelled learning.

Elkan & Noto (2008): a classifier g(x) = P(labelled | x) trained on known positives against all
other parties, divided by c = mean g over the known positives, estimates P(positive | x).
"""

from __future__ import annotations

from dataclasses import dataclass

import lightgbm as lgb
import numpy as np
from sklearn.model_selection import StratifiedKFold

MIN_KNOWN_POSITIVES = 5
FOLDS = 5
PU_PARAMS = {
    "objective": "binary",
    "learning_rate": 0.05,
    "num_leaves": 7,
    "min_data_in_leaf": 10,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 5.0,
    "verbose": -1,
    "num_threads": 2,
    "deterministic": True,
    "seed": 11,
}
PU_ROUNDS = 150


@dataclass
class PositiveUnlabelledFit:
    """Out-of-fold P(positive | x) for every row, the label frequency c and the fold models."""

    probability: np.ndarray
    label_frequency: float
    models: list[lgb.Booster]
    known_positives: int


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
    models: list[lgb.Booster] = []
    for train_rows, held_rows in folds.split(matrix, labelled):
        data = lgb.Dataset(matrix[train_rows], label=labelled[train_rows].astype(float))
        booster = lgb.train(PU_PARAMS, data, num_boost_round=PU_ROUNDS)
        out_of_fold[held_rows] = booster.predict(matrix[held_rows])
        models.append(booster)
    label_frequency = float(out_of_fold[labelled].mean())
    if label_frequency <= 0:
        return None
    probability = np.clip(out_of_fold / label_frequency, 0.0, 1.0)
    return PositiveUnlabelledFit(probability, label_frequency, models, positives)


def predict_positive_unlabelled(fit: PositiveUnlabelledFit, matrix: np.ndarray) -> np.ndarray:
    """P(positive | x) for new rows: the fold models' mean, divided by c."""
    if not len(matrix):
        return np.zeros(0)
    mean = np.mean([m.predict(matrix) for m in fit.models], axis=0)
    return np.clip(mean / fit.label_frequency, 0.0, 1.0)


def blend_weight(known_positives: int, half_weight_at: int = 30, cap: float = 0.5) -> float:
    """Weight of the institution's own model: grows with its known positives, at most ``cap``."""
    return min(cap, known_positives / (known_positives + half_weight_at))

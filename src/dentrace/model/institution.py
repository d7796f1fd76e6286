"""The scorer scan uses: the shipped model, adapted to the institution's known labels if any.

``fit(features, labels)`` with labels from the known table (1 known positive, 0 cleared, NaN
unlabelled) trains the positive-unlabelled model; ``score`` blends it with the shipped model.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from dentrace.errors import ConfigError
from dentrace.model.adapt import (
    PositiveUnlabelledFit,
    blend_weight,
    fit_positive_unlabelled,
    predict_positive_unlabelled,
)
from dentrace.model.base import BaseScorer
from dentrace.model.scorer import LearnedScorer, Predict, feature_matrix
from dentrace.model.shipped import load_shipped_scorer


def pu_matrix(values: np.ndarray, shipped_score: np.ndarray) -> np.ndarray:
    """The shipped model's feature matrix plus its own log-odds, for the institution's model."""
    odds = np.log(np.clip(shipped_score, 1e-6, 1 - 1e-6) / np.clip(1 - shipped_score, 1e-6, 1))
    return np.column_stack([values, odds])


def raised(base: np.ndarray, own: np.ndarray, weight: float) -> np.ndarray:
    """The shipped score raised towards the institution's estimate by ``weight``.

    One-sided: the institution's positives can raise a score towards its own estimate, never
    lower it; being unlabelled is no evidence of innocence (positive-unlabelled), and the
    thresholds were set on the shipped model's scores."""
    return np.clip(base + weight * np.maximum(own - base, 0.0), 0.0, 1.0)


class InstitutionScorer(BaseScorer):
    """Shipped LightGBM probability, blended with a PU model of the institution's own labels."""

    def __init__(self, role: str = "payer", model_dir: Path | None = None,
                 adapt: bool = True, half_weight_at: int = 30, max_weight: float = 0.5,
                 model_name: str | None = None) -> None:
        self.role = role
        self.model_name = model_name  # the model file: the role's, or a second stage's
        self.model_dir = model_dir
        self.adapt = adapt
        self.half_weight_at = half_weight_at
        self.max_weight = max_weight

    def _load(self) -> LearnedScorer:
        shipped = load_shipped_scorer(self.role, self.model_dir, self.model_name)
        if shipped is None:
            where = self.model_dir or "the package data"
            raise ConfigError(f"no trained {self.model_name or self.role} model in {where}: "
                              "run `dentrace train`")
        return shipped

    def fit(self, features: pd.DataFrame, labels: np.ndarray | None = None) -> InstitutionScorer:
        """Load the shipped model; learn from known positives when there are enough."""
        self.shipped_ = self._load()
        self.shipped_.setting = "no_known" if labels is None else "with_known"
        self.adaptation_: PositiveUnlabelledFit | None = None
        self.weight_ = 0.0
        self.fitted_index_ = features.index
        if not self.adapt or labels is None or features.empty:
            return self
        labelled = np.nan_to_num(np.asarray(labels, dtype=float), nan=0.0) == 1.0
        values = feature_matrix(features, self.shipped_.feature_names_)
        base = self.shipped_.score_values(values)
        self.adaptation_ = fit_positive_unlabelled(pu_matrix(values, base), labelled)
        if self.adaptation_ is not None:
            self.weight_ = blend_weight(self.adaptation_.known_positives, self.half_weight_at,
                                        self.max_weight)
        return self

    def score_values(self, values: np.ndarray, predict: Predict | None = None,
                     fold_predicts: Sequence[Predict] | None = None) -> np.ndarray:
        """Probability per row of ``values`` (columns: the shipped model's
        ``feature_names_``): the shipped model, raised towards the institution's PU estimate
        of the fold models. ``predict`` and ``fold_predicts`` (one per fold model) replace the
        boosters' own predict (screening's kept predictors)."""
        base = self.shipped_.score_values(values, predict)
        if self.adaptation_ is None or self.weight_ == 0.0:
            return base
        own = predict_positive_unlabelled(self.adaptation_, pu_matrix(values, base),
                                          fold_predicts)
        return raised(base, own, self.weight_)

    def score(self, features: pd.DataFrame) -> np.ndarray:
        """Probability per row: shipped model, raised towards the institution's PU estimate
        (for the rows it was fitted on, their out-of-fold estimate)."""
        if not hasattr(self, "shipped_"):
            self.fit(features, None)
        if (self.adaptation_ is not None and self.weight_ != 0.0
                and features.index.equals(self.fitted_index_)):
            base = self.shipped_.score(features)
            return raised(base, self.adaptation_.probability, self.weight_)
        return self.score_values(feature_matrix(features, self.shipped_.feature_names_))

    def threshold_for_precision(self, target: float) -> float | None:
        """The shipped model's held-out threshold for a precision target (in this setting)."""
        shipped = getattr(self, "shipped_", None) or self._load()
        return shipped.threshold_for_precision(target)

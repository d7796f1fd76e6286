"""The learned score: a LightGBM model per role over the party feature table, calibrated.

Follows the detect scorer contract: parameters in ``__init__``, ``fit(features, labels)``,
``score(features)`` returning probabilities in [0, 1], learned state in attributes ending in ``_``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from dentrace.model.calibration import PlattCalibration

DEFAULT_PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_data_in_leaf": 20,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "verbose": -1,
    "num_threads": 1,
    "deterministic": True,
    "seed": 7,
}
ID_COLUMNS = ("party_id", "role")
# Known cases change the graph features, so scores are calibrated separately for the two cases.
SETTINGS = ("with_known", "no_known")
# a model's raw output for a feature matrix (the booster's predict, or a faster stand-in)
Predict = Callable[[np.ndarray], Any]


def feature_columns(features: pd.DataFrame) -> list[str]:
    """The numeric and boolean columns of a feature table, ids left out."""
    return [c for c in features.columns
            if c not in ID_COLUMNS and (pd.api.types.is_numeric_dtype(features[c])
                                        or pd.api.types.is_bool_dtype(features[c]))]


def feature_matrix(features: pd.DataFrame, names: list[str]) -> np.ndarray:
    """The columns ``names`` as floats; a column the table lacks becomes missing (NaN)."""
    table = features.reindex(columns=names)
    return table.astype("float64").to_numpy()


class LearnedScorer:
    """Gradient-boosted trees for one role, with a Platt map to probabilities per setting.

    ``setting`` is 'with_known' when the institution's known file was ingested, else
    'no_known'; it picks the calibration and the precision thresholds.
    """

    def __init__(self, role: str = "payer", rounds: int = 300,
                 params: dict[str, Any] | None = None, setting: str = "no_known") -> None:
        self.role = role
        self.rounds = rounds
        self.params = params
        self.setting = setting
        self.metadata_: dict[str, Any] = {}

    def fit(self, features: pd.DataFrame, labels: np.ndarray | None) -> LearnedScorer:
        """Train on a feature table and its 0/1 labels; rows without a label are left out."""
        if labels is None:
            raise ValueError("the learned scorer needs labels to fit")
        y = np.asarray(labels, dtype=float)
        rows = ~np.isnan(y)
        self.feature_names_ = feature_columns(features)
        data = lgb.Dataset(feature_matrix(features[rows], self.feature_names_), label=y[rows],
                           feature_name=self.feature_names_, free_raw_data=True)
        self.booster_ = lgb.train({**DEFAULT_PARAMS, **(self.params or {})}, data,
                                  num_boost_round=self.rounds)
        self.calibrations_: dict[str, PlattCalibration] = {}
        self.thresholds_: dict[str, dict[str, dict[str, float]]] = {}
        return self

    def raw_score(self, features: pd.DataFrame) -> np.ndarray:
        """The uncalibrated model output (a probability under the training base rate)."""
        if features.empty:
            return np.zeros(0)
        return np.asarray(self.booster_.predict(feature_matrix(features, self.feature_names_)))

    def calibration(self) -> PlattCalibration:
        """The Platt map of the current ``setting`` (identity when none was fitted)."""
        return self.calibrations_.get(self.setting, PlattCalibration.identity())

    def score_values(self, values: np.ndarray, predict: Predict | None = None) -> np.ndarray:
        """Calibrated probability per row of ``values`` (columns: ``feature_names_``), the
        one place the model's output is calibrated; ``predict`` replaces the booster's own
        (screening passes a kept single-threaded predictor)."""
        if not len(values):
            return np.zeros(0)
        raw = predict(values) if predict is not None else self.booster_.predict(values)
        return np.asarray(self.calibration().apply(np.asarray(raw, dtype="float64")),
                          dtype="float64")

    def score(self, features: pd.DataFrame) -> np.ndarray:
        """Calibrated probability, per row of ``features``, that the party is a positive."""
        return self.score_values(feature_matrix(features, self.feature_names_))

    def threshold_for_precision(self, target: float) -> float | None:
        """The held-out score threshold reaching ``target`` precision with the most recall."""
        table = self.thresholds_.get(self.setting, {})
        reachable = {float(k): v["threshold"] for k, v in table.items() if float(k) >= target}
        if not reachable:
            return None
        return reachable[min(reachable)]

    def feature_importance(self) -> dict[str, float]:
        """Total gain of each feature, largest first."""
        gains = self.booster_.feature_importance(importance_type="gain")
        pairs = sorted(zip(self.feature_names_, gains, strict=True), key=lambda p: -p[1])
        return {name: float(gain) for name, gain in pairs}

"""The rule scorer: an interpretable combination of indicator strengths with the documented
weights of the config, score = 1 - exp(-sum(weight * strength)), under the scorer contract."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from dentrace.detect.config import DetectConfig, load_config
from dentrace.detect.indicators import Indicator, for_role
from dentrace.features.rows import FeatureRows
from dentrace.model.base import BaseScorer


class IndicatorScorer(BaseScorer):
    """Weighted indicator strengths per party; nothing is learned, ``fit`` only checks inputs."""

    def __init__(self, role: str = "payer", config: DetectConfig | None = None) -> None:
        self.role = role
        self.config = config

    def _config(self) -> DetectConfig:
        if self.config is None:
            self.config = load_config()
        return self.config

    def indicators(self) -> dict[str, Indicator]:
        """The role's indicators that carry a weight, in catalogue order."""
        weights = self._config().weights.get(self.role, {})
        return {c: i for c, i in sorted(for_role(self.role).items()) if weights.get(c, 0) > 0}

    def fit(self, features: pd.DataFrame, labels: np.ndarray | None = None) -> IndicatorScorer:
        # kept: the catalogue is read once (scanning its modules and entry points costs ms,
        # more than a screening batch's strengths)
        self.indicators_ = self.indicators()
        self.params_ = {code: self._config().indicators[code] for code in self.indicators_}
        self.codes_ = list(self.indicators_)
        self.weights_ = np.array([self._config().weights[self.role][c] for c in self.codes_])
        return self

    def strengths_of(self, rows: FeatureRows) -> dict[str, np.ndarray]:
        """Strength in [0, 1] of every weighted indicator (by code) per row of ``rows``: the
        one evaluation the scan, the incremental scan and screening share."""
        if not hasattr(self, "indicators_"):
            self.fit(pd.DataFrame())
        size = len(rows)
        out = {}
        for code, indicator in self.indicators_.items():
            value = np.asarray(indicator.strength(rows, self.role, self.params_[code]),
                               dtype="float64")
            if value.shape != (size,):  # a constant strength
                value = np.broadcast_to(value, (size,))
            out[code] = np.clip(value, 0.0, 1.0)
        return out

    def holds_of(self, rows: FeatureRows) -> dict[str, np.ndarray]:
        """Per weighted indicator with a condition (``Indicator.holds``), whether what its
        reason asserts is there, per row of ``rows``; the others always hold."""
        if not hasattr(self, "indicators_"):
            self.fit(pd.DataFrame())
        out = {}
        for code, indicator in self.indicators_.items():
            value = indicator.holds(rows, self.role, self.params_[code])
            if value is not None:
                out[code] = np.broadcast_to(np.asarray(value, dtype=bool), (len(rows),))
        return out

    def strengths(self, features: pd.DataFrame) -> pd.DataFrame:
        """Strength in [0, 1] of every weighted indicator (columns) per party (rows)."""
        return pd.DataFrame(self.strengths_of(FeatureRows.of_frame(features)),
                            index=features.index, dtype="float64")

    def score_strengths(self, strengths: Mapping[str, np.ndarray]) -> np.ndarray:
        """score = 1 - exp(-sum(weight * strength)) per row, from ``strengths_of``'s values
        (an indicator missing or NaN counts 0)."""
        if not hasattr(self, "codes_"):
            self.fit(pd.DataFrame())
        size = len(next(iter(strengths.values()))) if strengths else 0
        matrix = np.zeros((len(self.codes_), size))  # codes x rows, as a frame's block
        for j, code in enumerate(self.codes_):
            if code in strengths:
                matrix[j] = strengths[code]
        return 1.0 - np.exp(-(np.nan_to_num(matrix, nan=0.0).T @ self.weights_))

    def score(self, features: pd.DataFrame) -> np.ndarray:
        if not hasattr(self, "codes_"):
            self.fit(features)
        return self.score_strengths(self.strengths_of(FeatureRows.of_frame(features)))

    def threshold_for_precision(self, target: float) -> float | None:
        """The rule score is not a probability: no precision threshold is known for it."""
        return None

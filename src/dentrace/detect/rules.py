"""The rule scorer: an interpretable combination of indicator strengths with the documented
weights of the config, score = 1 - exp(-sum(weight * strength)), under the scorer contract."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dentrace.detect.config import DetectConfig, load_config
from dentrace.detect.indicators import Indicator, for_role
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
        self.codes_ = list(self.indicators())
        self.weights_ = np.array([self._config().weights[self.role][c] for c in self.codes_])
        return self

    def strengths(self, features: pd.DataFrame) -> pd.DataFrame:
        """Strength in [0, 1] of every weighted indicator (columns) per party (rows)."""
        config = self._config()
        columns = {
            code: np.clip(indicator.strength(features, self.role, config.indicators[code]), 0, 1)
            for code, indicator in self.indicators().items()
        }
        return pd.DataFrame(columns, index=features.index, dtype="float64")

    def score(self, features: pd.DataFrame) -> np.ndarray:
        if not hasattr(self, "codes_"):
            self.fit(features)
        strengths = self.strengths(features).reindex(columns=self.codes_).fillna(0.0)
        return 1.0 - np.exp(-(strengths.to_numpy() @ self.weights_))

    def threshold_for_precision(self, target: float) -> float | None:
        """The rule score is not a probability: no precision threshold is known for it."""
        return None

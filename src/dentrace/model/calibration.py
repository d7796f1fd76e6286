"""Turn raw model scores into probabilities (isotonic regression) and pick alert thresholds.

The calibration is stored as two short lists of numbers so the shipped model stays plain JSON.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.isotonic import IsotonicRegression

PRECISION_TARGETS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


@dataclass
class IsotonicCalibration:
    """A monotone map from raw score to probability, as breakpoints for ``np.interp``."""

    raw: list[float]
    probability: list[float]

    @classmethod
    def fit(cls, raw_scores: np.ndarray, labels: np.ndarray) -> IsotonicCalibration:
        """Fit on held-out scores and their true labels."""
        model = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
        model.fit(np.asarray(raw_scores, dtype=float), np.asarray(labels, dtype=float))
        return cls([float(x) for x in model.X_thresholds_],
                   [float(y) for y in model.y_thresholds_])

    @classmethod
    def identity(cls) -> IsotonicCalibration:
        return cls([0.0, 1.0], [0.0, 1.0])

    def apply(self, raw_scores: np.ndarray) -> np.ndarray:
        """Probabilities for raw scores; ties broken by a tiny share of the raw score.

        Isotonic steps give many parties the same probability; adding 1e-6 of the raw score
        keeps the ranking of the raw model without changing any probability materially.
        """
        raw = np.asarray(raw_scores, dtype=float)
        steps = np.interp(raw, self.raw, self.probability)
        return np.clip(steps * (1 - 1e-6) + 1e-6 * raw, 0.0, 1.0)

    def as_dict(self) -> dict[str, list[float]]:
        return {"raw": self.raw, "probability": self.probability}


def thresholds_for_precision(scores: np.ndarray, labels: np.ndarray,
                             targets: tuple[float, ...] = PRECISION_TARGETS
                             ) -> dict[str, dict[str, float]]:
    """For each precision target: the lowest score threshold reaching it on held-out data.

    Returns ``{"0.8": {"threshold": t, "recall": r, "precision": p}}``; a target no threshold
    reaches is left out.
    """
    scores = np.asarray(scores, dtype=float)
    labels = np.asarray(labels, dtype=bool)
    order = np.argsort(-scores, kind="stable")
    sorted_scores, sorted_labels = scores[order], labels[order]
    hits = np.cumsum(sorted_labels)
    precision = hits / np.arange(1, len(sorted_labels) + 1)
    recall = hits / max(int(labels.sum()), 1)
    # only cut where the score changes, so a threshold never splits tied parties
    last_of_tie = np.r_[sorted_scores[1:] != sorted_scores[:-1], True]
    result: dict[str, dict[str, float]] = {}
    for target in targets:
        ok = np.nonzero((precision >= target) & last_of_tie & sorted_labels)[0]
        if ok.size:
            i = int(ok[-1])
            result[str(target)] = {"threshold": float(sorted_scores[i]),
                                   "recall": float(recall[i]), "precision": float(precision[i])}
    return result

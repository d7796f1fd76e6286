"""Turn raw model scores into probabilities (Platt scaling) and pick alert thresholds.

The calibration is two numbers per setting, so the shipped model stays plain JSON.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression

PRECISION_TARGETS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


def _log_odds(values: np.ndarray) -> np.ndarray:
    clipped = np.clip(np.asarray(values, dtype=float), 1e-9, 1 - 1e-9)
    return np.log(clipped / (1 - clipped))


@dataclass
class PlattCalibration:
    """Probability = sigmoid(slope * log-odds(raw score) + intercept), fitted on held-out data.

    Two numbers rather than a step function: smooth, monotone and stable with few positives.
    """

    slope: float
    intercept: float

    @classmethod
    def fit(cls, raw_scores: np.ndarray, labels: np.ndarray) -> PlattCalibration:
        """Fit on held-out raw scores and their true labels."""
        model = LogisticRegression(C=1e4, max_iter=1000)
        model.fit(_log_odds(raw_scores).reshape(-1, 1), np.asarray(labels, dtype=int))
        return cls(float(model.coef_[0][0]), float(model.intercept_[0]))

    @classmethod
    def identity(cls) -> PlattCalibration:
        return cls(1.0, 0.0)

    def apply(self, raw_scores: np.ndarray) -> np.ndarray:
        """Calibrated probabilities for raw scores."""
        z = self.slope * _log_odds(raw_scores) + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-z)))

    def as_dict(self) -> dict[str, float]:
        return {"slope": self.slope, "intercept": self.intercept}


def _mid_log_odds(upper: float, lower: float) -> float:
    """The score half-way between two scores in log-odds (probabilities in (0, 1))."""
    a, b = (min(max(v, 1e-12), 1 - 1e-12) for v in (upper, lower))
    middle = (np.log(a / (1 - a)) + np.log(b / (1 - b))) / 2
    return float(1 / (1 + np.exp(-middle)))


def thresholds_for_precision(scores: np.ndarray, labels: np.ndarray,
                             targets: tuple[float, ...] = PRECISION_TARGETS
                             ) -> dict[str, dict[str, float]]:
    """For each precision target: a score threshold reaching it on held-out data.

    The cut falls after the lowest-scored party the target still lets in, half-way (in
    log-odds) to the next lower score: the same held-out alerts, but a threshold in the middle
    of the gap rather than on its upper edge, so unseen parties scoring a little lower than
    the held-out ones are not lost to a margin the held-out data never measured.
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
            cut = float(sorted_scores[i])
            if i + 1 < len(sorted_scores):
                cut = _mid_log_odds(cut, float(sorted_scores[i + 1]))
            result[str(target)] = {"threshold": cut,
                                   "recall": float(recall[i]), "precision": float(precision[i])}
    return result

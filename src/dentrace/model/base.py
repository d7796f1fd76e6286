"""The one contract every party scorer follows: rules, graph propagation and learned models.

scikit-learn style: parameters in ``__init__``, ``fit(features, labels) -> self``,
``score(features) -> array in [0, 1]``, learned state in attributes ending in ``_``.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

ROLES = ("payer", "facilitator")


@runtime_checkable
class Scorer(Protocol):
    """Anything that scores parties of one role from their feature rows.

    ``features`` is the frame ``dentrace.features.build_party_features`` returns for the
    role: index ``party_id``, numeric columns (NaN where a value does not apply). A scorer
    must ignore columns it does not know and must not fail on missing optional columns.
    ``labels`` are 1 for known positives, 0 for known negatives and NaN for unlabelled
    rows, aligned with ``features``; ``None`` means no labels at all.
    """

    role: str

    def fit(self, features: pd.DataFrame, labels: np.ndarray | None = None) -> Scorer:
        """Learn whatever the scorer learns; return ``self``."""
        ...

    def score(self, features: pd.DataFrame) -> np.ndarray:
        """One float in [0, 1] per row of ``features``, higher = more likely a positive."""
        ...


class BaseScorer:
    """Shared plumbing: parameter listing and the [0, 1] guarantee on scores."""

    role: str = "payer"

    def get_params(self) -> dict[str, Any]:
        """The ``__init__`` parameters as stored on the instance (scikit-learn convention)."""
        import inspect

        names = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
        return {name: getattr(self, name) for name in names if hasattr(self, name)}

    def fit(self, features: pd.DataFrame, labels: np.ndarray | None = None) -> BaseScorer:
        return self

    def score(self, features: pd.DataFrame) -> np.ndarray:
        raise TypeError(f"{type(self).__name__} does not define score()")


def check_scores(scores: np.ndarray, n_rows: int, scorer: object) -> np.ndarray:
    """Return ``scores`` as float64 in [0, 1], refusing wrong lengths or NaNs loudly."""
    out = np.asarray(scores, dtype="float64").reshape(-1)
    if out.shape[0] != n_rows:
        name = type(scorer).__name__
        raise ValueError(f"{name} returned {out.shape[0]} scores for {n_rows} rows")
    if np.isnan(out).any():
        raise ValueError(f"{type(scorer).__name__} returned NaN scores")
    return np.clip(out, 0.0, 1.0)


def labels_for(features: pd.DataFrame, known: pd.DataFrame | None, role: str) -> np.ndarray | None:
    """Labels aligned with ``features`` from the ``known`` table (party_id, label).

    offender (payer) / facilitator (facilitator) -> 1, cleared -> 0, others NaN.
    """
    if known is None or known.empty:
        return None
    positive = "offender" if role == "payer" else "facilitator"
    mapping = {positive: 1.0, "cleared": 0.0}
    by_party = known.assign(y=known["label"].map(mapping)).dropna(subset=["y"])
    by_party = by_party.groupby("party_id")["y"].max()
    return features.index.to_series().map(by_party).to_numpy(dtype="float64")

"""Scores and reasons of one party row: the scan's scorer (rules or the shipped LightGBM model,
adapted or not) and the rule strengths that name the reasons, evaluated without pandas.

The indicator strength functions are written for a feature DataFrame; for one row they are
called with ``RowFrame``, which answers the same calls (``columns``, ``[name].astype``,
``fillna``, ``to_numpy``) with one-element numpy arrays, ~100 times faster than a DataFrame.
A test checks both give the same strengths; an indicator needing more falls back to pandas.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dentrace.detect.config import DetectConfig
from dentrace.detect.indicators import catalogue
from dentrace.detect.rules import IndicatorScorer
from dentrace.detect.scorer import Scorer, check_scores
from dentrace.model.calibration import PlattCalibration
from dentrace.model.institution import InstitutionScorer


class _Column(np.ndarray):
    """A one-element float array with the two Series methods the indicators use."""

    def fillna(self, value: float) -> _Column:
        return np.where(np.isnan(self), value, self).view(_Column)

    def to_numpy(self, dtype: Any = None) -> np.ndarray:
        return np.asarray(self, dtype=dtype)


class RowFrame:
    """One party's feature row, shaped like a one-row DataFrame for indicator functions."""

    def __init__(self, row: dict[str, float], party_id: str) -> None:
        self.row = row
        self.columns = row.keys()
        self.party_id = party_id

    @property
    def index(self) -> pd.Index:
        return pd.Index([self.party_id], name="party_id")

    def __getitem__(self, name: str) -> _Column:
        return np.array([self.row[name]], dtype="float64").view(_Column)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame([self.row], index=self.index, dtype="float64")


class RoleScorer:
    """The fitted scorer of one role and the rule indicators that explain it."""

    def __init__(self, role: str, scorer: Scorer, config: DetectConfig) -> None:
        self.role = role
        self.scorer = scorer
        rules = IndicatorScorer(role, config).fit(pd.DataFrame())
        self.indicators = rules.indicators()
        self.params = {code: config.indicators[code] for code in self.indicators}
        self.weights = config.weights[role]
        self.min_strength = float(config.scoring.get("reason_min_strength", 0.2))
        self.descriptions = {code: ind.description for code, ind in catalogue().items()}
        self.is_rules = isinstance(scorer, IndicatorScorer)
        self.shipped = self._plain_model(scorer)

    @staticmethod
    def _plain_model(scorer: Scorer) -> Any:
        """The shipped model when the institution adaptation adds nothing (fast path)."""
        if isinstance(scorer, InstitutionScorer) and getattr(scorer, "weight_", 1.0) == 0.0:
            return scorer.shipped_
        return None

    def strengths(self, row: RowFrame) -> dict[str, float]:
        """Strength in [0, 1] of every weighted indicator of the role for this row."""
        out = {}
        for code, indicator in self.indicators.items():
            try:
                value = indicator.strength(row, self.role, self.params[code])  # type: ignore[arg-type]
            except (AttributeError, TypeError):  # an indicator using more of pandas
                value = indicator.strength(row.frame(), self.role, self.params[code])
            out[code] = float(np.clip(np.asarray(value, dtype="float64")[0], 0.0, 1.0))
        return out

    def score(self, row: RowFrame, strengths: dict[str, float]) -> float:
        """The role's score of the party, as the scan's scorer gives it."""
        if self.is_rules:
            total = sum(self.weights[c] * s for c, s in strengths.items())
            return float(1.0 - np.exp(-total))
        shipped = self.shipped
        if shipped is not None:
            values = np.array([[row.row.get(n, np.nan) for n in shipped.feature_names_]],
                              dtype="float64")
            raw = shipped.booster_.predict(values, num_threads=1)
            calibration = shipped.calibrations_.get(shipped.setting, PlattCalibration.identity())
            return float(np.clip(calibration.apply(raw)[0], 0.0, 1.0))
        return float(check_scores(self.scorer.score(row.frame()), 1, self.scorer)[0])

    def reasons(self, strengths: dict[str, float]) -> list[dict[str, Any]]:
        """Indicator codes (strongest first) with their strength and plain-language text."""
        # the order of detect.explain.reason_lists: weighted strength, catalogue order on ties
        ranked = sorted(strengths, key=lambda c: -strengths[c] * self.weights.get(c, 1.0))
        codes = [c for c in ranked if strengths[c] >= self.min_strength]
        return [{"code": code, "strength": round(strengths[code], 3),
                 "text": self.descriptions.get(code, code)} for code in codes]

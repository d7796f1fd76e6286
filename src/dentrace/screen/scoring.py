"""Scores and reasons of one party row: the scan's scorer (rules or the shipped LightGBM model,
adapted or not) and the rule strengths that name the reasons, without per-call model loading."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dentrace.detect.config import DetectConfig
from dentrace.detect.explain import reason_lists
from dentrace.detect.indicators import catalogue
from dentrace.detect.rules import IndicatorScorer
from dentrace.detect.scorer import Scorer, check_scores
from dentrace.model.calibration import PlattCalibration
from dentrace.model.institution import InstitutionScorer


class RoleScorer:
    """The fitted scorer of one role and the rule scorer that explains it."""

    def __init__(self, role: str, scorer: Scorer, config: DetectConfig) -> None:
        self.role = role
        self.scorer = scorer
        self.rules = IndicatorScorer(role, config).fit(pd.DataFrame())
        self.weights = config.weights[role]
        self.min_strength = float(config.scoring.get("reason_min_strength", 0.2))
        self.descriptions = {code: ind.description for code, ind in catalogue().items()}
        self._booster = self._plain_model(scorer)

    @staticmethod
    def _plain_model(scorer: Scorer) -> Any:
        """The shipped model when the institution adaptation adds nothing (fast path)."""
        if isinstance(scorer, InstitutionScorer) and getattr(scorer, "weight_", 1.0) == 0.0:
            return scorer.shipped_
        return None

    def score(self, row: dict[str, float], frame: pd.DataFrame) -> float:
        """Score of the party whose feature row is ``row`` (``frame`` is the same, one row)."""
        shipped = self._booster
        if shipped is not None:
            values = np.array([[row.get(n, np.nan) for n in shipped.feature_names_]], dtype=float)
            raw = shipped.booster_.predict(values, num_threads=1)
            calibration = shipped.calibrations_.get(shipped.setting, PlattCalibration.identity())
            out = calibration.apply(raw)
            return float(np.clip(out[0], 0.0, 1.0))
        return float(check_scores(self.scorer.score(frame), 1, self.scorer)[0])

    def reasons(self, frame: pd.DataFrame) -> list[dict[str, Any]]:
        """Indicator codes (strongest first) with their strength and plain-language text."""
        strengths = self.rules.strengths(frame)
        codes = reason_lists(strengths, self.weights, self.min_strength)[0]
        return [{"code": code, "strength": round(float(strengths.iloc[0][code]), 3),
                 "text": self.descriptions.get(code, code)} for code in codes]

"""Scores and reasons of a screening batch's party rows, with the scan's own scoring functions
(rule strengths and score, the calibrated and institution-adapted model): what is left here is
live-specific, LightGBM predictors with little fixed cost for batches of a few rows.
"""

from __future__ import annotations

import ctypes
import weakref
from typing import Any

import numpy as np
import pandas as pd

from dentrace.contract.alert import contributions, reason_order
from dentrace.detect.config import DetectConfig
from dentrace.detect.indicators import catalogue
from dentrace.detect.rules import IndicatorScorer
from dentrace.features.rows import FeatureRows
from dentrace.model.base import Scorer, check_scores
from dentrace.model.institution import InstitutionScorer

SINGLE_ROWS = 32  # up to this many rows, predict row by row with LightGBM's fast C path


def _free_fast_config(lib: Any, config: ctypes.c_void_p, booster: Any) -> None:
    lib.LGBM_FastConfigFree(config)


class Predictor:
    """``predict(matrix) -> scores`` of a LightGBM booster, on one thread, with little fixed
    cost: a screening batch of a few rows calls up to 13 boosters (shipped models and the
    institution's fold models). ``Booster.predict`` builds a predictor on every call (~50 µs,
    more than the trees take) and runs on every core (spinning OpenMP threads); a kept
    predictor costs ~25 µs a call; LightGBM's single-row fast path (a ``FastConfig`` made
    once, C API ``LGBM_BoosterPredictForMatSingleRowFast``) a few µs a row. Falls back to
    the kept predictor, then to ``Booster.predict``, when this LightGBM lacks either."""

    def __init__(self, booster: Any) -> None:
        self.booster = booster  # the fast config points into it: keep it alive
        self.iterations = booster.best_iteration or -1
        self.batch = self._kept(booster, self.iterations)
        self.single = self._single_row(booster, self.iterations)

    def __call__(self, values: np.ndarray) -> np.ndarray:
        if self.single is not None and len(values) <= SINGLE_ROWS:
            return self.single(np.ascontiguousarray(values, dtype="float64"))
        return np.asarray(self.batch(values), dtype="float64")

    @staticmethod
    def _kept(booster: Any, iterations: int) -> Any:
        try:
            from lightgbm.basic import _InnerPredictor

            kept = _InnerPredictor.from_booster(booster=booster,
                                                pred_parameter={"num_threads": 1})
            return lambda values: kept.predict(values, num_iteration=iterations)
        except (ImportError, AttributeError, TypeError):
            return lambda values: booster.predict(values, num_threads=1)

    def _single_row(self, booster: Any, iterations: int) -> Any:
        try:
            from lightgbm.basic import _LIB, _c_str, _safe_call
        except ImportError:
            return None
        columns = booster.num_feature()
        config = ctypes.c_void_p()
        _safe_call(_LIB.LGBM_BoosterPredictForMatSingleRowFastInit(
            booster._handle, ctypes.c_int(0),  # C_API_PREDICT_NORMAL: probabilities
            ctypes.c_int(0), ctypes.c_int(iterations),
            ctypes.c_int(1),  # C_API_DTYPE_FLOAT64
            ctypes.c_int32(columns), _c_str("num_threads=1"), ctypes.byref(config)))
        # freed with this predictor, the booster it points into kept alive until then
        weakref.finalize(self, _free_fast_config, _LIB, config, booster)
        predict_row = _LIB.LGBM_BoosterPredictForMatSingleRowFast
        written = ctypes.c_int64()
        written_at = ctypes.byref(written)

        def single(values: np.ndarray) -> np.ndarray:
            if values.shape[1] != columns:
                raise ValueError(f"{values.shape[1]} columns for a model of {columns}")
            out = np.empty(len(values), dtype="float64")
            start, step, out_at = values.ctypes.data, values.strides[0], out.ctypes.data
            for i in range(len(values)):
                _safe_call(predict_row(config, ctypes.c_void_p(start + i * step), written_at,
                                       ctypes.c_void_p(out_at + 8 * i)))
            return out

        return single


class RoleScorer:
    """The fitted scorer of one role and the rule indicators that explain it, scoring the rows
    of a screening batch with the scan's own functions (``IndicatorScorer.strengths_of`` and
    ``score_strengths``, ``InstitutionScorer.score_values``) and kept LightGBM predictors."""

    def __init__(self, role: str, scorer: Scorer, config: DetectConfig) -> None:
        self.role = role
        self.scorer = scorer
        self.rules = IndicatorScorer(role, config).fit(pd.DataFrame())
        self.indicators = self.rules.indicators()
        self.weights = config.weights[role]
        self.min_strength = float(config.scoring.get("reason_min_strength", 0.2))
        self.descriptions = {code: ind.description for code, ind in catalogue().items()}
        self.institution = scorer if isinstance(scorer, InstitutionScorer) else None
        self.shipped = self.institution.shipped_ if self.institution is not None else None
        self.predict: Predictor | None = (Predictor(self.shipped.booster_) if self.shipped
                                          else None)
        self.model_features = tuple(self.shipped.feature_names_) if self.shipped else ()
        fit = self.institution.adaptation_ if self.institution is not None else None
        self.fold_predicts = [Predictor(model) for model, _ in fit.models] if fit else None

    def strengths_of(self, rows: FeatureRows) -> dict[str, np.ndarray]:
        """Strength in [0, 1] of every weighted indicator of the role, one value per row."""
        return self.rules.strengths_of(rows)

    def holds_of(self, rows: FeatureRows) -> dict[str, np.ndarray]:
        """Per weighted indicator with a condition, whether the evidence its reason names
        holds, per row (``IndicatorScorer.holds_of``)."""
        return self.rules.holds_of(rows)

    def scores(self, rows: FeatureRows, strengths: dict[str, np.ndarray]) -> np.ndarray:
        """The role's score of each row's party, as the scan's scorer gives it."""
        if isinstance(self.scorer, IndicatorScorer):
            return self.scorer.score_strengths(strengths)
        if self.institution is not None:
            return self.institution.score_values(rows.values_for(self.model_features),
                                                 self.predict, self.fold_predicts)
        return np.asarray(check_scores(self.scorer.score(rows.frame()), len(rows), self.scorer),
                          dtype="float64")

    def reasons(self, strengths: dict[str, float], holds: dict[str, bool] | None = None,
                score: float | None = None) -> list[dict[str, Any]]:
        """Indicator codes in the scan's order (``contract.alert.reason_order``) with their
        strength, plain-language text and, given the ``score``, contribution to it."""
        codes = list(strengths)
        held = None if not holds else np.array([[holds.get(c, True) for c in codes]])
        [ranked] = reason_order(codes, np.array([[strengths[c] for c in codes]]),
                                self.weights, self.min_strength, held)
        shares = ({} if score is None else
                  contributions(score, {c: v * self.weights.get(c, 0.0)
                                        for c, v in strengths.items()}))
        return [{"code": code, "strength": round(strengths[code], 3),
                 "text": self.descriptions.get(code, code),
                 **({"contribution": round(shares.get(code, 0.0), 4)} if shares else {})}
                for code in ranked]

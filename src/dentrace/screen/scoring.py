"""Scores and reasons of party rows: the scan's scorer (rules or the shipped LightGBM model,
adapted or not) and the rule strengths that name the reasons, evaluated without pandas.

The indicator strength functions are written for a feature DataFrame; for the few rows of a
screening batch they are called with ``PartyRows``, which answers the same calls (``columns``,
``[name].astype``, ``fillna``, ``to_numpy``) with small numpy vectors, ~100 times faster than a
DataFrame, and a batch of rows costs little more than one. A test checks both give the same
strengths; an indicator needing more of pandas falls back to a DataFrame.
"""

from __future__ import annotations

import ctypes
import weakref
from typing import Any

import numpy as np
import pandas as pd

from dentrace.detect.config import DetectConfig
from dentrace.detect.indicators import catalogue
from dentrace.detect.rules import IndicatorScorer
from dentrace.model.adapt import predict_positive_unlabelled
from dentrace.model.base import Scorer, check_scores
from dentrace.model.calibration import PlattCalibration
from dentrace.model.institution import InstitutionScorer, pu_matrix, raised


class _Column(np.ndarray):
    """A float array with the Series methods the indicators use; read-only, so one column
    serves every indicator reading it."""

    def astype(self, dtype: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if dtype == "float64" and not args and not kwargs:  # as column() asks: nothing to do
            return self
        return super().astype(dtype, *args, **kwargs)

    def fillna(self, value: float) -> _Column:
        return np.where(np.isnan(self), value, self).view(_Column)

    def to_numpy(self, dtype: Any = None) -> np.ndarray:
        return np.asarray(self, dtype=dtype)


class PartyRows:
    """Feature rows of several parties of one role, shaped like a DataFrame for indicator
    functions: one numpy vector per column, so a batch costs about as much as one row."""

    def __init__(self, rows: list[dict[str, float]], party_ids: list[str]) -> None:
        self.rows = rows
        self.party_ids = party_ids
        self.columns = rows[0].keys()
        self.position = {name: i for i, name in enumerate(self.columns)}
        self._read: dict[str, _Column] = {}
        # columns x parties: one contiguous vector per feature
        names = tuple(self.columns)
        if all(tuple(row) == names for row in rows):  # made by one function: same order
            self.matrix = np.array([list(row.values()) for row in rows], dtype="float64").T
        else:
            self.matrix = np.array([[row[name] for row in rows] for name in names],
                                   dtype="float64")

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def index(self) -> pd.Index:
        return pd.Index(self.party_ids, name="party_id")

    def __getitem__(self, name: str) -> _Column:
        column = self._read.get(name)
        if column is None:
            column = self._read[name] = self.matrix[self.position[name]].copy().view(_Column)
            column.flags.writeable = False
        return column

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, index=self.index, dtype="float64")

    def values_for(self, names: tuple[str, ...]) -> np.ndarray:
        """parties x ``names`` matrix (NaN for a feature the rows lack), for a model."""
        key = (tuple(self.columns), names)
        take = _TAKE.get(key)
        if take is None:  # row positions of the names, the NaN row for a missing one
            missing = len(self.position)
            take = _TAKE[key] = np.array([self.position.get(n, missing) for n in names])
        padded = np.vstack([self.matrix, np.full((1, len(self.rows)), np.nan)])
        return np.ascontiguousarray(padded[take].T)


_TAKE: dict[tuple[tuple[str, ...], tuple[str, ...]], np.ndarray] = {}


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


class RowFrame(PartyRows):
    """One party's feature row, shaped like a one-row DataFrame for indicator functions."""

    def __init__(self, row: dict[str, float], party_id: str) -> None:
        super().__init__([row], [party_id])
        self.row = row
        self.party_id = party_id


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
        # the scan's InstitutionScorer evaluated on the rows' matrix (no DataFrame): the
        # shipped model, and the institution's positive-unlabelled fold models when adapted
        self.shipped = (getattr(scorer, "shipped_", None) if isinstance(scorer, InstitutionScorer)
                        else None)
        self.predict: Predictor | None = (Predictor(self.shipped.booster_) if self.shipped
                                          else None)
        self.model_features = tuple(self.shipped.feature_names_) if self.shipped else ()
        self.adaptation = self._adaptation(scorer)

    @staticmethod
    def _adaptation(scorer: Scorer) -> tuple[float, Any, list[Any]] | None:
        """(weight, fit, a kept predictor per fold model) of an adapted InstitutionScorer."""
        fit = getattr(scorer, "adaptation_", None)
        weight = float(getattr(scorer, "weight_", 0.0))
        if not isinstance(scorer, InstitutionScorer) or fit is None or weight == 0.0:
            return None
        return weight, fit, [Predictor(model) for model, _ in fit.models]

    def strengths_of(self, rows: PartyRows) -> dict[str, np.ndarray]:
        """Strength in [0, 1] of every weighted indicator of the role, one value per row."""
        out = {}
        size = len(rows)
        for code, indicator in self.indicators.items():
            try:
                value = indicator.strength(rows, self.role, self.params[code])  # type: ignore[arg-type]
            except (AttributeError, TypeError):  # an indicator using more of pandas
                value = indicator.strength(rows.frame(), self.role, self.params[code])
            value = np.asarray(value, dtype="float64")
            if value.shape != (size,):  # a constant strength
                value = np.broadcast_to(value, (size,))
            out[code] = value.clip(0.0, 1.0)
        return out

    def strengths(self, row: RowFrame) -> dict[str, float]:
        """Strength in [0, 1] of every weighted indicator of the role for this row."""
        return {code: float(v[0]) for code, v in self.strengths_of(row).items()}

    def scores(self, rows: PartyRows, strengths: dict[str, np.ndarray]) -> np.ndarray:
        """The role's score of each row's party, as the scan's scorer gives it."""
        if self.is_rules:
            total = sum(self.weights[c] * s for c, s in strengths.items())
            return np.asarray(1.0 - np.exp(-np.asarray(total, dtype="float64")))
        shipped, predict = self.shipped, self.predict
        if shipped is not None and predict is not None:  # InstitutionScorer.score on a matrix
            values = rows.values_for(self.model_features)
            calibration = shipped.calibrations_.get(shipped.setting, PlattCalibration.identity())
            base = np.asarray(calibration.apply(predict(values)), dtype="float64")
            if self.adaptation is None:
                return np.clip(base, 0.0, 1.0)
            weight, fit, predictors = self.adaptation
            own = predict_positive_unlabelled(fit, pu_matrix(values, base), predictors)
            return raised(base, own, weight)
        return np.asarray(check_scores(self.scorer.score(rows.frame()), len(rows), self.scorer),
                          dtype="float64")

    def score(self, row: RowFrame, strengths: dict[str, float]) -> float:
        """The role's score of the party, as the scan's scorer gives it."""
        return float(self.scores(row, {c: np.array([s]) for c, s in strengths.items()})[0])

    def reasons(self, strengths: dict[str, float]) -> list[dict[str, Any]]:
        """Indicator codes (strongest first) with their strength and plain-language text."""
        # the order of detect.explain.reason_lists: weighted strength, catalogue order on ties
        ranked = sorted(strengths, key=lambda c: -strengths[c] * self.weights.get(c, 1.0))
        codes = [c for c in ranked if strengths[c] >= self.min_strength]
        return [{"code": code, "strength": round(strengths[code], 3),
                 "text": self.descriptions.get(code, code)} for code in codes]

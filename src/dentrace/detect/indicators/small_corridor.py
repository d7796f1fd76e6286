"""SMALL_CORRIDOR: many low-value payments (≈ US$10–150) into high-risk corridors.

Source: AUSTRAC case studies (A$10–500), AIC T&I 634/639 (< A$55, median A$51), FATF 2025.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd

from dentrace.detect.indicators.base import (
    Context,
    Indicator,
    Params,
    column,
    ir,
    money,
    ramp,
    register,
)
from dentrace.features.rows import FeatureRows


@register
class SmallCorridor(Indicator):
    code = "SMALL_CORRIDOR"
    roles = ("payer",)
    description = "Many small payments into high-risk corridors (cross-border, listed countries)."
    source = ("indicators.md #1, #7: AUSTRAC case study; AIC T&I 634 (< A$55), 639 (median "
              "A$51 per session); FATF 2025; AMLC 2020")
    parameters: ClassVar[dict[str, str]] = {
        "min_payments": "small corridor payments below which the strength is 0",
        "full_payments": "small corridor payments at which the count part reaches 1",
        "min_share": "share of corridor payments in the small band below which strength is 0",
        "full_share": "share of corridor payments in the small band giving full strength",
        "fixed_cv": "amount variation (stddev / mean) below which sums count as fixed",
        "fixed_factor": "factor applied to the strength when sums are fixed (standing orders)",
        "session_floor": "strength kept when no payment is at a typical session price "
                         "(≤ features.session_max_usd); the rest scales with that share",
        "session_low": "share of corridor payments at session prices where the bonus starts",
        "session_high": "share giving the full session bonus",
    }

    def strength(self, features: FeatureRows, role: str, params: Params) -> np.ndarray:
        share = column(features, "corridor_small_share")
        count = column(features, "n_corridor") * share
        fixed = (column(features, "corridor_amount_cv") < params["fixed_cv"]) & (count >= 3)
        return (ramp(count, params["min_payments"], params["full_payments"])
                * ramp(share, params["min_share"], params["full_share"])
                * np.where(fixed, params["fixed_factor"], 1.0)
                * self._session(features, params))

    @staticmethod
    def _session(features: FeatureRows, params: Params) -> np.ndarray:
        floor = params["session_floor"]
        share = ramp(column(features, "corridor_session_share"), params["session_low"],
                     params["session_high"])
        return floor + (1.0 - floor) * share

    def explain(self, row: pd.Series, role: str, params: Params, context: Context,
                party_id: str) -> str:
        lo, hi = context.small_band
        where = context.countries.get(party_id, "high-risk countries")
        return (f"{row['n_corridor']:.0f} payments to {row['corridor_beneficiaries']:.0f} "
                f"beneficiaries in {where}, {row['corridor_small_share']:.0%} of them between "
                f"{money(context, lo)} and {money(context, hi)}, median "
                f"{money(context, row['corridor_amount_median'])}")

    def evidence(self, payments: ir.Table, role: str, context: Context) -> ir.BooleanValue:
        return payments.is_corridor & payments.is_small

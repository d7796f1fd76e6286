"""FAN_IN: a beneficiary collecting small payments from many unrelated foreign payers.

Source: AUSTRAC case study (common SE-Asia beneficiary); Europol 2024 (≈120 buyers per seller).
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
class FanIn(Indicator):
    code = "FAN_IN"
    roles = ("facilitator",)
    description = ("Many unrelated foreign payers sending small, irregular corridor payments; "
                   "payers of identical fixed sums (standing orders, charity) do not count.")
    source = ("indicators.md #6, #4: AUSTRAC case study; Europol operational sprint 2024; "
              "AIC T&I 589 (heavy-tailed buyers)")
    parameters: ClassVar[dict[str, str]] = {
        "low": "unrelated small payers where the strength starts",
        "high": "unrelated small payers giving full strength",
        "short_months": "median months its payers stay active at or below which payers count "
                        "as short-lived (one-off buyers, AIC T&I 589 heavy tail)",
        "long_months": "median payer months at or above which payers count as long-standing",
        "long_factor": "strength kept when its payers are all long-standing",
    }

    def strength(self, features: FeatureRows, role: str, params: Params) -> np.ndarray:
        payers = ramp(column(features, "unrelated_small_payers"), params["low"], params["high"])
        fixed = np.nan_to_num(column(features, "fixed_payer_share"), nan=0.0)
        months = column(features, "payer_months_median")
        short = ramp(-months, -params["long_months"], -params["short_months"])
        keep = params["long_factor"] + (1.0 - params["long_factor"]) * short
        return payers * (1.0 - fixed) * keep

    def explain(self, row: pd.Series, role: str, params: Params, context: Context,
                party_id: str) -> str:
        return (f"receives from {row['n_payers']:.0f} payers in {row['n_payer_countries']:.0f} "
                f"countries, {row['unrelated_small_payers']:.0f} unrelated ones paying small "
                f"sums (median {money(context, row['incoming_amount_median'])}, "
                f"{row['payments_per_payer']:.1f} payments per payer, active a median "
                f"{row['payer_months_median']:.0f} months)")

    def evidence(self, payments: ir.Table, role: str, context: Context) -> ir.BooleanValue:
        return payments.is_corridor & payments.is_small & ~payments.is_family

"""ESCALATION: amounts rise and gaps shrink as a payer's corridor payments go on.

Source: AIC T&I 589 (median amount and frequency rise with the transaction count); AUSTRAC.
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
    ramp,
    register,
)
from dentrace.features.rows import FeatureRows


@register
class Escalation(Indicator):
    code = "ESCALATION"
    roles = ("payer",)
    description = "Amounts rise and/or gaps shorten over the sequence of corridor payments."
    source = "indicators.md #3: AIC T&I 589 abstract; AUSTRAC 'How businesses can help'"
    parameters: ClassVar[dict[str, str]] = {
        "min_payments": "corridor payments below which the strength is 0",
        "full_payments": "corridor payments at which the count part reaches 1",
        "corr_low": "rank correlation (amount vs sequence) where strength starts",
        "corr_high": "rank correlation giving full strength",
        "gap_corr_low": "negative correlation of log gap vs sequence where strength starts",
        "gap_corr_high": "negative correlation of log gap vs sequence giving full strength",
    }

    def strength(self, features: FeatureRows, role: str, params: Params) -> np.ndarray:
        count = ramp(column(features, "n_corridor"), params["min_payments"],
                     params["full_payments"])
        amount = ramp(column(features, "amount_rank_corr"), params["corr_low"],
                      params["corr_high"])
        faster = ramp(-column(features, "gap_trend_corr"), params["gap_corr_low"],
                      params["gap_corr_high"])
        return count * (0.6 * np.maximum(amount, faster) + 0.4 * np.minimum(amount, faster))

    def holds(self, features: FeatureRows, role: str, params: Params) -> np.ndarray:
        """Amounts rise (indicators.md #3: "median amount rose and frequency increased"):
        the amount rank correlation reaches ``corr_low``, where its part of the strength
        starts. Shorter gaps alone still add to the strength, not to the reasons."""
        return np.asarray(column(features, "amount_rank_corr") >= params["corr_low"])

    def explain(self, row: pd.Series, role: str, params: Params, context: Context,
                party_id: str) -> str:
        return (f"later payments average {row['late_early_amount_ratio']:.1f}× the earlier ones "
                f"(amount rank correlation {row['amount_rank_corr']:.2f}); gap trend "
                f"{row['gap_trend_corr']:.2f} (negative = more frequent)")

    def evidence(self, payments: ir.Table, role: str, context: Context) -> ir.BooleanValue:
        return payments.is_corridor

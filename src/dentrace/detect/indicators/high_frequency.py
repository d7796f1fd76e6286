"""HIGH_FREQUENCY: corridor payments days rather than a month apart.

Source: AIC T&I 634 (prolific buyers: intervals < 20 days); AUSTRAC case ("about twice a day").
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
class HighFrequency(Indicator):
    code = "HIGH_FREQUENCY"
    roles = ("payer",)
    description = "Frequent corridor payments: several per 30 days, short median gap."
    source = "indicators.md #2, #4: AIC T&I 634 (< 20 days); AIC T&I 589; AUSTRAC case"
    parameters: ClassVar[dict[str, str]] = {
        "min_payments": "corridor payments below which the strength is 0",
        "full_payments": "corridor payments at which the count part reaches 1",
        "rate_low": "corridor payments per 30 active days where the rate part starts",
        "rate_high": "corridor payments per 30 active days giving full rate strength",
        "gap_days": "median gap (days) at or above which the gap part is 0",
        "gap_full_days": "median gap (days) at or below which the gap part is 1",
    }

    def strength(self, features: FeatureRows, role: str, params: Params) -> np.ndarray:
        count = ramp(column(features, "n_corridor"), params["min_payments"],
                     params["full_payments"])
        rate = ramp(column(features, "corridor_per_30d"), params["rate_low"], params["rate_high"])
        gap = column(features, "corridor_gap_median_days")
        short = ramp(-gap, -params["gap_days"], -params["gap_full_days"])
        return count * np.maximum(rate, short)

    def explain(self, row: pd.Series, role: str, params: Params, context: Context,
                party_id: str) -> str:
        return (f"{row['n_corridor']:.0f} corridor payments, {row['corridor_per_30d']:.1f} per "
                f"30 days; median gap {row['corridor_gap_median_days']:.1f} days, shortest "
                f"{row['corridor_gap_min_days']:.1f}")

    def evidence(self, payments: ir.Table, role: str, context: Context) -> ir.BooleanValue:
        return payments.is_corridor

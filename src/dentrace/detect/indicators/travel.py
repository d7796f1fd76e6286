"""TRAVEL: airline/hotel spend for, or card spend in, high-risk countries.

Source: AUSTRAC (tickets to high-risk countries); FINTRAC 2025; AIC T&I 671.
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
class Travel(Indicator):
    code = "TRAVEL"
    roles = ("payer",)
    description = ("Airline or hotel payments in high-risk countries, or card/cash spend there; "
                   "stronger when the payer also sends corridor payments.")
    source = "indicators.md #12: AUSTRAC; FINTRAC 2025 (Investment Executive); AIC T&I 671"
    parameters: ClassVar[dict[str, str]] = {
        "low": "travel payments where the strength starts",
        "high": "travel payments giving full strength",
        "alone": "strength share kept when the payer sends no corridor payments",
    }

    def strength(self, features: FeatureRows, role: str, params: Params) -> np.ndarray:
        travel = ramp(column(features, "travel_high_risk_count"), params["low"], params["high"])
        corridor = ramp(column(features, "n_corridor"), 0.5, 5)
        return travel * (params["alone"] + (1 - params["alone"]) * corridor)

    def explain(self, row: pd.Series, role: str, params: Params, context: Context,
                party_id: str) -> str:
        return (f"{row['travel_high_risk_count']:.0f} travel or card payments in high-risk "
                f"countries ({row['travel_spend_count']:.0f} airline/hotel payments in all)")

    def evidence(self, payments: ir.Table, role: str, context: Context) -> ir.BooleanValue:
        return payments.is_travel_high_risk

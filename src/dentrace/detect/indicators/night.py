"""NIGHT: payments late at night or early in the morning in the sender's local time.

Source: FATF 2025 (repeated late-night payments); ECPAT Sweden; Chainalysis 2020 (23:00–05:00).
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
class Night(Indicator):
    code = "NIGHT"
    roles = ("payer", "facilitator")
    description = ("Share of corridor payments sent (payer) or of foreign payments received "
                   "(facilitator) at night in the sender's local time.")
    source = "indicators.md #9: FATF 2025 (2nd-hand); ECPAT Sweden 2024; Chainalysis 2020"
    parameters: ClassVar[dict[str, str]] = {
        "share_low": "night share where the strength starts (uniform timing gives ~0.29)",
        "share_high": "night share giving full strength",
        "min_payments": "payments below which the strength is 0",
        "full_payments": "payments at which the count part reaches 1",
    }

    def strength(self, features: FeatureRows, role: str, params: Params) -> np.ndarray:
        share, count = (("corridor_night_share", "n_corridor") if role == "payer"
                        else ("incoming_night_share", "n_incoming_corridor"))
        return ramp(column(features, share), params["share_low"], params["share_high"]) * ramp(
            column(features, count), params["min_payments"], params["full_payments"])

    def explain(self, row: pd.Series, role: str, params: Params, context: Context,
                party_id: str) -> str:
        start, end = context.night_hours
        if role == "payer":
            share, what = row["corridor_night_share"], "corridor payments"
        else:
            share, what = row["incoming_night_share"], "foreign payments received"
        return f"{share:.0%} of {what} between {start:02d}:00 and {end:02d}:00 sender local time"

    def evidence(self, payments: ir.Table, role: str, context: Context) -> ir.BooleanValue:
        scope = payments.is_corridor if role == "payer" else payments.is_foreign
        return scope & payments.is_night

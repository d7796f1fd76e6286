"""WEBCAM_SPEND: card or wallet spend at webcam, live-stream, VPN or spyware merchants.

Source: AUSTRAC and FINTRAC related-spend indicators (spyware, VPN, webcam/live-stream platforms).
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
class WebcamSpend(Indicator):
    code = "WEBCAM_SPEND"
    roles = ("payer",)
    description = "Payments to merchants whose names say webcam, live-stream, VPN or spyware."
    source = "indicators.md #11: AUSTRAC; FINTRAC 2020 (2nd-hand)"
    parameters: ClassVar[dict[str, str]] = {
        "low": "merchant payments where the strength starts",
        "high": "merchant payments giving full strength",
    }

    def strength(self, features: FeatureRows, role: str, params: Params) -> np.ndarray:
        return ramp(column(features, "webcam_spend_count"), params["low"], params["high"])

    def explain(self, row: pd.Series, role: str, params: Params, context: Context,
                party_id: str) -> str:
        return (f"{row['webcam_spend_count']:.0f} payments "
                f"({money(context, row['webcam_spend_amount'])}) at webcam, live-stream, VPN or "
                "spyware merchants")

    def evidence(self, payments: ir.Table, role: str, context: Context) -> ir.BooleanValue:
        return payments.is_webcam

"""PAYS_COLLECTOR: a payer paying beneficiaries that collect from many other unrelated payers.

Source: AUSTRAC case study (several customers paying a common beneficiary); Europol 2024.
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
class PaysCollector(Indicator):
    code = "PAYS_COLLECTOR"
    roles = ("payer",)
    description = ("Pays corridor beneficiaries that also collect small payments from many other "
                   "unrelated foreign payers (the payer itself never counts).")
    source = "indicators.md #6: AUSTRAC case study; Europol operational sprint 2024"
    parameters: ClassVar[dict[str, str]] = {
        "low": "other unrelated small payers of its busiest beneficiary where strength starts",
        "high": "other unrelated small payers giving full strength",
        "den_low": "size of the largest den it pays into where the den part starts",
        "den_high": "den size giving the den part full strength",
        "den_weight": "share of the strength that comes from the den part",
    }

    def strength(self, features: FeatureRows, role: str, params: Params) -> np.ndarray:
        busiest = ramp(column(features, "pays_fan_in_max"), params["low"], params["high"])
        den = ramp(column(features, "pays_den_max"), params["den_low"], params["den_high"])
        return (1.0 - params["den_weight"]) * busiest + params["den_weight"] * np.maximum(
            den, busiest)

    def explain(self, row: pd.Series, role: str, params: Params, context: Context,
                party_id: str) -> str:
        den = (f"; the largest is in a den of {row['pays_den_max']:.0f} collectors"
               if row.get("pays_den_max", 0) > 0 else "")
        return (f"pays {row['fan_in_beneficiaries']:.0f} beneficiaries that collect small sums "
                f"from many unrelated payers (up to {row['pays_fan_in_max']:.0f} others){den}")

    def evidence(self, payments: ir.Table, role: str, context: Context) -> ir.BooleanValue:
        return payments.is_corridor & ~payments.is_family

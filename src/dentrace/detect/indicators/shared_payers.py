"""SHARED_PAYERS: a beneficiary whose payers also pay other suspected facilitators.

Source: AUSTRAC case study; Europol 2024 (buyers spread over many seller accounts).
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
class SharedPayers(Indicator):
    code = "SHARED_PAYERS"
    roles = ("facilitator",)
    description = ("Its corridor payers also pay other beneficiaries that collect from many "
                   "unrelated payers.")
    source = "indicators.md #5, #6: FINTRAC 2020; AUSTRAC case study; Europol 2024"
    parameters: ClassVar[dict[str, str]] = {
        "share_low": "share of its payers paying other suspects where strength starts",
        "share_high": "share giving full strength",
        "min_payers": "unrelated small payers it needs before the indicator applies",
    }

    def strength(self, features: FeatureRows, role: str, params: Params) -> np.ndarray:
        share = ramp(column(features, "payers_other_suspects_share"), params["share_low"],
                     params["share_high"])
        payers = np.nan_to_num(column(features, "unrelated_small_payers"), nan=0.0)
        enough = payers >= params["min_payers"]
        return share * enough

    def explain(self, row: pd.Series, role: str, params: Params, context: Context,
                party_id: str) -> str:
        return (f"{row['payers_other_suspects_share']:.0%} of its corridor payers also pay other "
                f"suspected collectors ({row['payers_other_suspects_mean']:.1f} each on average)")

    def evidence(self, payments: ir.Table, role: str, context: Context) -> ir.BooleanValue:
        return payments.is_corridor & payments.is_small

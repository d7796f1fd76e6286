"""PAYER_PROFILE: a collector whose payers behave like buyers — escalating amounts, frequent
payments, rotating recipients — rather than like customers of adult shows or partners."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd

from dentrace.detect.indicators.base import (
    PROFILE_PARAMETERS,
    Context,
    Indicator,
    Params,
    buyer_profile,
    column,
    ir,
    register,
)
from dentrace.features.rows import FeatureRows


@register
class PayerProfile(Indicator):
    code = "PAYER_PROFILE"
    roles = ("facilitator",)
    description = ("Its corridor payers, on average, escalate their amounts, pay often and "
                   "rotate between recipients (applies once it has unrelated small payers).")
    source = ("indicators.md #2, #3, #5: AIC T&I 589 (escalation), AIC T&I 634 (< 20 days), "
              "FINTRAC 2020 (several recipients over a short period)")
    parameters: ClassVar[dict[str, str]] = {
        **PROFILE_PARAMETERS,
        "min_payers": "unrelated small payers it needs before the indicator applies",
    }

    def strength(self, features: FeatureRows, role: str, params: Params) -> np.ndarray:
        profile = buyer_profile(column(features, "payers_escalation_mean"),
                                column(features, "payers_rate_mean"),
                                column(features, "payers_new_beneficiary_rate_mean"), params)
        payers = np.nan_to_num(column(features, "unrelated_small_payers"), nan=0.0)
        enough = payers >= params["min_payers"]
        return profile * enough

    def explain(self, row: pd.Series, role: str, params: Params, context: Context,
                party_id: str) -> str:
        return (f"its payers average {row['payers_rate_mean']:.1f} corridor payments per 30 "
                f"days, amount rank correlation {row['payers_escalation_mean']:.2f}, "
                f"new-beneficiary rate {row['payers_new_beneficiary_rate_mean']:.2f}")

    def evidence(self, payments: ir.Table, role: str, context: Context) -> ir.BooleanValue:
        return payments.is_corridor & payments.is_small & ~payments.is_family

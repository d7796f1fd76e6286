"""MANY_BENEFICIARIES: one payer, several corridor beneficiaries with no sign of a family tie.

Source: FINTRAC 2020 alert (several females, no apparent family tie); AMLC 2020.
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
class ManyBeneficiaries(Indicator):
    code = "MANY_BENEFICIARIES"
    roles = ("payer",)
    description = ("Several corridor beneficiaries sharing no name token with the payer "
                   "(surname evidence is weak and only ever lowers the strength).")
    source = "indicators.md #5: FINTRAC 2020 alert (2nd-hand); AMLC 2020"
    parameters: ClassVar[dict[str, str]] = {
        "low": "unrelated corridor beneficiaries where the strength starts",
        "high": "unrelated corridor beneficiaries giving full strength",
        "stable_share": "month share of the top beneficiary above which kin-like stability "
                        "halves the strength",
    }

    def strength(self, features: FeatureRows, role: str, params: Params) -> np.ndarray:
        unrelated = ramp(column(features, "unrelated_beneficiaries"), params["low"],
                         params["high"])
        stable = column(features, "top_beneficiary_month_share") >= params["stable_share"]
        long_run = column(features, "corridor_months") >= 6
        return unrelated * np.where(stable & long_run, 0.5, 1.0)

    def explain(self, row: pd.Series, role: str, params: Params, context: Context,
                party_id: str) -> str:
        where = context.countries.get(party_id, "high-risk countries")
        return (f"{row['unrelated_beneficiaries']:.0f} beneficiaries in {where} with no shared "
                f"surname ({row['family_beneficiaries']:.0f} with one); new-beneficiary rate "
                f"{row['new_beneficiary_rate']:.2f} per payment")

    def evidence(self, payments: ir.Table, role: str, context: Context) -> ir.BooleanValue:
        return payments.is_corridor & ~payments.is_family

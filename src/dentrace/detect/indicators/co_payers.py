"""CO_PAYERS: the other payers of the collectors a payer pays behave like buyers (escalating,
frequent, rotating recipients); the payer's own behaviour is left out (leave-one-out)."""

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
    ramp,
    register,
)
from dentrace.features.rows import FeatureRows


@register
class CoPayers(Indicator):
    code = "CO_PAYERS"
    roles = ("payer",)
    description = ("Pays collectors whose other payers escalate, pay often and rotate "
                   "recipients; needs collectors with other unrelated small payers.")
    source = ("indicators.md #5, #6, #3: AUSTRAC case study (common beneficiary); AIC T&I 589; "
              "FINTRAC 2020")
    parameters: ClassVar[dict[str, str]] = {
        **PROFILE_PARAMETERS,
        "fan_in_low": "other unrelated small payers of its busiest collector where it starts",
        "fan_in_high": "other unrelated small payers giving the gate full strength",
    }

    def strength(self, features: FeatureRows, role: str, params: Params) -> np.ndarray:
        profile = buyer_profile(column(features, "co_payers_escalation"),
                                column(features, "co_payers_rate"),
                                column(features, "co_payers_new_beneficiary_rate"), params)
        gate = ramp(column(features, "pays_fan_in_max"), params["fan_in_low"],
                    params["fan_in_high"])
        return profile * gate

    def explain(self, row: pd.Series, role: str, params: Params, context: Context,
                party_id: str) -> str:
        return (f"the other payers of its collectors average {row['co_payers_rate']:.1f} "
                f"corridor payments per 30 days, amount rank correlation "
                f"{row['co_payers_escalation']:.2f}, new-beneficiary rate "
                f"{row['co_payers_new_beneficiary_rate']:.2f}")

    def evidence(self, payments: ir.Table, role: str, context: Context) -> ir.BooleanValue:
        return payments.is_corridor & ~payments.is_family

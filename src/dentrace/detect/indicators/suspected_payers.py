"""SUSPECTED_PAYERS: a beneficiary whose corridor payers themselves score as likely offenders.

Source: AUSTRAC case study (facilitators collect from offenders); indicators.md (c): adult
performers collect from ordinary buyers, so who pays matters more than how many pay.
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
class SuspectedPayers(Indicator):
    code = "SUSPECTED_PAYERS"
    roles = ("facilitator",)
    description = ("Its corridor payers are themselves scored as likely offenders by this "
                   "scan (a collector for offenders rather than for ordinary buyers).")
    source = ("indicators.md #6 and (c): AUSTRAC case study; AFP (offenders buy adult shows "
              "as cover); second stage over the payer scores")
    parameters: ClassVar[dict[str, str]] = {
        "sum_low": "sum of its corridor payers' scores (expected offenders among them) where "
                   "strength starts",
        "sum_high": "sum giving full strength",
        "mean_low": "mean payer score below which the strength is scaled down",
        "mean_high": "mean payer score at which no scaling applies",
    }

    def strength(self, features: FeatureRows, role: str, params: Params) -> np.ndarray:
        many = ramp(column(features, "payers_score_sum"), params["sum_low"], params["sum_high"])
        mostly = ramp(column(features, "payers_score_mean"), params["mean_low"],
                      params["mean_high"])
        return many * mostly

    def explain(self, row: pd.Series, role: str, params: Params, context: Context,
                party_id: str) -> str:
        return (f"its corridor payers score as likely offenders themselves: about "
                f"{row['payers_score_sum']:.1f} expected offenders among them (highest payer "
                f"score {row['payers_score_max']:.2f}, mean {row['payers_score_mean']:.2f})")

    def evidence(self, payments: ir.Table, role: str, context: Context) -> ir.BooleanValue:
        return payments.is_corridor

"""COVER_MEMO: memos naming platforms, handles or shows, or cover stories without kin words.

Source: AUSTRAC statements; FATF 2025 (handles in references); ACAMS Today V20N3 p.95.
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


@register
class CoverMemo(Indicator):
    code = "COVER_MEMO"
    roles = ("payer", "facilitator")
    description = ("Memo keywords: platform/handle/show references (strong) or cover stories "
                   "such as school fees, medical, gift (weak: also genuine remittance purposes).")
    source = "indicators.md #10: AUSTRAC statements; FATF 2025 (2nd-hand); ACAMS Today V20N3"
    parameters: ClassVar[dict[str, str]] = {
        "platform_low": "share of memos with platform words where strength starts",
        "platform_high": "share giving full strength",
        "cover_low": "share of memos with cover words where the weak part starts",
        "cover_high": "share giving the weak part its maximum",
        "cover_cap": "maximum strength from cover words alone",
        "min_payments": "payments below which the strength is 0",
    }

    def _shares(self, features: pd.DataFrame, role: str) -> tuple[pd.Series, ...]:
        if role == "payer":
            return (column(features, "memo_platform_share"), column(features, "memo_cover_share"),
                    column(features, "memo_kin_share"), column(features, "n_corridor"))
        return (column(features, "incoming_platform_share"),
                column(features, "incoming_cover_share"), column(features, "incoming_kin_share"),
                column(features, "n_incoming_corridor"))

    def strength(self, features: pd.DataFrame, role: str, params: Params) -> np.ndarray:
        platform, cover, kin, count = self._shares(features, role)
        strong = ramp(platform, params["platform_low"], params["platform_high"])
        weak = params["cover_cap"] * ramp(cover, params["cover_low"], params["cover_high"])
        weak = weak * (1.0 - np.nan_to_num(kin.to_numpy(), nan=0.0))
        return np.maximum(strong, weak) * (count.fillna(0).to_numpy() >= params["min_payments"])

    def explain(self, row: pd.Series, role: str, params: Params, context: Context,
                party_id: str) -> str:
        platform, cover, kin, _ = (s.iloc[0] for s in self._shares(row.to_frame().T, role))
        return (f"{platform:.0%} of memos mention platforms, handles or shows; {cover:.0%} use "
                f"cover words (school, medical, gift…); {kin:.0%} name kin")

    def evidence(self, payments: ir.Table, role: str, context: Context) -> ir.BooleanValue:
        return payments.is_platform | (payments.is_cover & payments.is_corridor)

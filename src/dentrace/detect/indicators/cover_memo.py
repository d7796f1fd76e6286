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
from dentrace.features.rows import FeatureRows


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

    @staticmethod
    def _names(role: str) -> tuple[str, str, str, str]:
        """(platform share, cover share, kin share, payment count) columns of ``role``."""
        if role == "payer":
            return "memo_platform_share", "memo_cover_share", "memo_kin_share", "n_corridor"
        return ("incoming_platform_share", "incoming_cover_share", "incoming_kin_share",
                "n_incoming_corridor")

    def _shares(self, features: FeatureRows, role: str) -> tuple[np.ndarray, ...]:
        return tuple(column(features, name) for name in self._names(role))

    def strength(self, features: FeatureRows, role: str, params: Params) -> np.ndarray:
        platform, cover, kin, count = self._shares(features, role)
        strong = ramp(platform, params["platform_low"], params["platform_high"])
        weak = params["cover_cap"] * ramp(cover, params["cover_low"], params["cover_high"])
        weak = weak * (1.0 - np.nan_to_num(kin, nan=0.0))
        return np.maximum(strong, weak) * (np.nan_to_num(count, nan=0.0) >= params["min_payments"])

    def explain(self, row: pd.Series, role: str, params: Params, context: Context,
                party_id: str) -> str:
        platform, cover, kin, _ = (float(row.get(name, np.nan)) for name in self._names(role))
        return (f"{platform:.0%} of memos mention platforms, handles or shows; {cover:.0%} use "
                f"cover words (school, medical, gift…); {kin:.0%} name kin")

    def evidence(self, payments: ir.Table, role: str, context: Context) -> ir.BooleanValue:
        return payments.is_platform | (payments.is_cover & payments.is_corridor)

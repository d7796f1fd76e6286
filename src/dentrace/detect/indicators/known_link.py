"""KNOWN_LINK: payments to or from parties of the known file (earlier cases), never counting a
party's own label: a payer paying known facilitators, a beneficiary paid by known offenders."""

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
class KnownLink(Indicator):
    code = "KNOWN_LINK"
    roles = ("payer", "facilitator")
    description = ("Corridor links to known offenders or facilitators: paying a known "
                   "facilitator, sharing one with known offenders, or being paid by them.")
    source = "indicators.md #6 (network); AUSTRAC case study; the institution's own known file"
    parameters: ClassVar[dict[str, str]] = {
        "direct_high": "direct links (known facilitators paid / known offenders paying) for 1",
        "indirect_high": "second-hand links (co-payers, neighbouring facilitators) for 1",
        "indirect_cap": "maximum strength from second-hand links alone",
    }

    def strength(self, features: FeatureRows, role: str, params: Params) -> np.ndarray:
        direct, indirect = (("known_facilitators_paid", "known_offender_co_payers")
                            if role == "payer"
                            else ("known_offender_payers", "known_facilitator_neighbours"))
        near = ramp(column(features, direct), 0.0, params["direct_high"])
        far = params["indirect_cap"] * ramp(column(features, indirect), 0.0,
                                            params["indirect_high"])
        return np.maximum(near, far)

    def explain(self, row: pd.Series, role: str, params: Params, context: Context,
                party_id: str) -> str:
        if role == "payer":
            return (f"pays {_count(row['known_facilitators_paid'], 'known facilitator')}; "
                    f"shares beneficiaries with known offenders "
                    f"{_count(row['known_offender_co_payers'], 'time')}")
        return (f"paid by {_count(row['known_offender_payers'], 'known offender')}; shares "
                f"payers with known facilitators "
                f"{_count(row['known_facilitator_neighbours'], 'time')}")

    def evidence(self, payments: ir.Table, role: str, context: Context) -> ir.BooleanValue:
        """Payments to known facilitators or to beneficiaries known offenders pay (a payer);
        payments from known offenders or from payers of known facilitators (a beneficiary)."""
        if role == "payer":
            direct = payments.beneficiary_id.isin(list(context.known_facilitators) or [""])
            shared = payments.beneficiary_id.isin(
                sorted(context.known_offender_beneficiaries) or [""])
        else:
            direct = payments.sender_id.isin(list(context.known_offenders) or [""])
            shared = payments.sender_id.isin(sorted(context.known_facilitator_payers) or [""])
        return direct | (payments.is_corridor & shared)


def _count(value: float, noun: str) -> str:
    """'1 known facilitator', '3 times'."""
    return f"{value:.0f} {noun}{'' if value == 1 else 's'}"

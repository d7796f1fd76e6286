"""DEN_CLUSTER: a beneficiary in a cluster of collectors joined by shared payers (one operation).

Source: AUSTRAC; Europol 2024 (seller accounts behind one operation); IJM 2020.
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
class DenCluster(Indicator):
    code = "DEN_CLUSTER"
    roles = ("facilitator",)
    description = ("Member of a 'den': a community of beneficiaries linked by unrelated small "
                   "payers they share (graph projection, multilevel modularity).")
    source = "indicators.md #6: AUSTRAC case study; Europol operational sprint 2024; IJM 2020"
    parameters: ClassVar[dict[str, str]] = {
        "size_low": "den size where the strength starts",
        "size_high": "den size giving full strength",
        "links_high": "facilitators it shares payers with, giving full link strength",
    }

    def strength(self, features: FeatureRows, role: str, params: Params) -> np.ndarray:
        size = ramp(column(features, "den_size"), params["size_low"], params["size_high"])
        links = ramp(column(features, "shared_payer_facilitators"), 0.0, params["links_high"])
        return size * (0.5 + 0.5 * links)

    def explain(self, row: pd.Series, role: str, params: Params, context: Context,
                party_id: str) -> str:
        den = context.dens.get(party_id, "a den")
        return (f"in {den} with {row['den_size']:.0f} collectors; shares payers with "
                f"{row['shared_payer_facilitators']:.0f} of them")

    def evidence(self, payments: ir.Table, role: str, context: Context) -> ir.BooleanValue:
        return payments.is_corridor & payments.is_small & ~payments.is_family

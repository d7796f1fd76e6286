"""Family evidence of a pair whose names are spelled differently from one payment to the next:
the names of the pair's first corridor payment decide, whatever order the rows are stored in
(an arbitrary pick gave DuckDB and Spark different answers on such worlds)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from dentrace.engine.duckdb import DuckDBEngine
from dentrace.features.build import _flagged
from dentrace.features.settings import FeatureSettings
from tests.unit.features.toy_payments import payment, warehouse


def _pair(sender: str, first_shares: bool) -> list[dict[str, Any]]:
    """Ten corridor payments of one pair, stored latest first; only the earliest payment's
    names share (or, with ``first_shares`` False, only the later ones share) a surname."""
    rows = []
    for i in range(10):
        shares = (i == 0) == first_shares
        rows.append(payment(f"{sender}-{i}", sender, f"{sender}-b", day=float(i), amount=40.0,
                            sender_name="Jose Santos" if shares else "J. S.",
                            beneficiary_name="Lorna Santos", memo="gift"))
    return rows[::-1]


def _family(rows: list[dict[str, Any]]) -> pd.Series:
    engine = DuckDBEngine(warehouse(rows))
    flags = engine.to_pandas(_flagged(engine, FeatureSettings(), "USD"))
    return flags.groupby("sender_id")["is_family"].agg(["min", "max"])


def test_the_first_corridor_payment_of_a_pair_decides_family_evidence() -> None:
    family = _family(_pair("first", first_shares=True) + _pair("later", first_shares=False))
    assert family.loc["first"].tolist() == [True, True]  # every payment of the pair
    assert family.loc["later"].tolist() == [False, False]


def test_a_tie_in_time_is_broken_by_txn_id() -> None:
    rows = [payment("t-2", "tie", "tie-b", 0.0, 40.0, sender_name="J. S.",
                    beneficiary_name="Lorna Santos", memo="gift"),
            payment("t-1", "tie", "tie-b", 0.0, 40.0, sender_name="Jose Santos",
                    beneficiary_name="Lorna Santos", memo="gift")]
    assert _family(rows).loc["tie"].tolist() == [True, True]
    assert _family(rows[::-1]).loc["tie"].tolist() == [True, True]

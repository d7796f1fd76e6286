"""Second-stage facilitator features: how suspicious a beneficiary's corridor payers are by the
payer score of the same scan (a collector of offenders, not of ordinary adult-show buyers).

A legal adult performer and a den facilitator both collect small night-time payments from
several unrelated foreign payers (indicators.md (c)); what differs is who pays: a facilitator's
payers are themselves offender-like (escalation, rotation, known links), a performer's are
ordinary adult-content buyers. The payer score already weighs all of that, so the facilitator
model reads the scores of each beneficiary's corridor payers: the largest, the mean and their
sum (the expected number of offenders among its payers).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

PAYER_SUSPICION_COLUMNS = ("payers_score_max", "payers_score_mean", "payers_score_sum")


def corridor_pairs(con: Any, pairs_table: str) -> pd.DataFrame:
    """(beneficiary_id, sender_id) of every corridor pair in the scan's pair table."""
    return con.execute(
        f"SELECT CAST(beneficiary_id AS VARCHAR) AS beneficiary_id, "
        f"CAST(sender_id AS VARCHAR) AS sender_id FROM {pairs_table} WHERE pair_corridor"
    ).df()


def payer_suspicion(pairs: pd.DataFrame, payer_scores: pd.Series) -> pd.DataFrame:
    """Per beneficiary of ``pairs``: max, mean and sum of its corridor payers' scores.

    ``payer_scores`` is indexed by payer party id (a payer absent from it counts as 0: the
    scan scored every sender, so absence means a party the payer table never saw).
    """
    pairs = pairs[["beneficiary_id", "sender_id"]].drop_duplicates()
    scores = payer_scores.astype("float64")
    scores.index = scores.index.astype(str)
    values = scores.reindex(pairs["sender_id"].astype(str)).fillna(0.0).to_numpy()
    grouped = pd.Series(values, index=pairs["beneficiary_id"].astype(str).to_numpy()).groupby(
        level=0)
    frame = pd.DataFrame({
        "payers_score_max": grouped.max(),
        "payers_score_mean": grouped.mean(),
        "payers_score_sum": grouped.sum(),
    })
    frame.index.name = "party_id"
    return frame


def with_payer_suspicion(facilitators: pd.DataFrame, pairs: pd.DataFrame,
                         payer_scores: pd.Series) -> pd.DataFrame:
    """``facilitators`` (indexed by party id) with the payer-suspicion columns; 0 for a
    beneficiary without corridor payers (nothing suspicious pays it through a corridor)."""
    found = payer_suspicion(pairs, payer_scores)
    out = facilitators.drop(columns=[c for c in PAYER_SUSPICION_COLUMNS
                                     if c in facilitators.columns])
    joined = out.join(found, how="left")
    joined[list(PAYER_SUSPICION_COLUMNS)] = joined[list(PAYER_SUSPICION_COLUMNS)].fillna(0.0)
    return joined.astype({c: np.float64 for c in PAYER_SUSPICION_COLUMNS})

"""Second-stage features from the payer scores of the same scan: how suspicious a beneficiary's
corridor payers are (facilitators), and how suspicious a payer's co-payers are (payers).

A legal adult performer and a den facilitator both collect small night-time payments from
several unrelated foreign payers (indicators.md (c)); what differs is who pays: a facilitator's
payers are themselves offender-like (escalation, rotation, known links), a performer's are
ordinary adult-content buyers. The payer score already weighs all of that, so the facilitator
model reads the scores of each beneficiary's corridor payers: the largest, the mean and their
sum (the expected number of offenders among its payers).

The mirror for payers: an adult-webcam customer and an offender both pay collectors that many
foreign payers pay; a performer's other payers are ordinary buyers, a den's are offenders. The
second payer stage reads, over the corridor beneficiaries a payer pays, the mean first-stage
score of their *other* corridor payers (leave-one-out, so a payer's own score never feeds back):
the largest such mean and their mean weighted by the number of other payers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dentrace.features.registry import family_columns

PAYER_SUSPICION_COLUMNS = family_columns("facilitator", "payer_suspicion")
CO_PAYER_COLUMNS = family_columns("payer", "co_payer_suspicion")


def corridor_pairs(con: Any, pairs_table: str) -> pd.DataFrame:
    """(beneficiary_id, sender_id) of every corridor pair in the scan's pair table, in id
    order (the score sums then add in the same order whichever engine wrote the table)."""
    return con.execute(
        f"SELECT CAST(beneficiary_id AS VARCHAR) AS beneficiary_id, "
        f"CAST(sender_id AS VARCHAR) AS sender_id FROM {pairs_table} WHERE pair_corridor "
        f"ORDER BY beneficiary_id, sender_id"
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
    return _with_columns(facilitators, payer_suspicion(pairs, payer_scores))


def co_payer_suspicion(pairs: pd.DataFrame, payer_scores: pd.Series) -> pd.DataFrame:
    """Per payer of ``pairs``: ``co_payers_score_max`` and ``co_payers_score_mean``.

    For each corridor beneficiary b of payer p, the leave-one-out mean of b's payers' scores,
    (sum_b - s_p) / (n_b - 1); the max over b, and the mean over b weighted by n_b - 1 (so
    each other payer counts once per beneficiary). 0 when p's beneficiaries have no other
    payer. A payer absent from ``payer_scores`` counts 0.
    """
    pairs = pairs[["beneficiary_id", "sender_id"]].drop_duplicates()
    scores = payer_scores.astype("float64")
    scores.index = scores.index.astype(str)
    senders = pairs["sender_id"].astype(str).to_numpy()
    own = scores.reindex(senders).fillna(0.0).to_numpy()
    beneficiaries = pairs["beneficiary_id"].astype(str).to_numpy()
    grouped = pd.Series(own).groupby(beneficiaries)
    total = grouped.transform("sum").to_numpy()
    others = grouped.transform("size").to_numpy() - 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        loo = np.where(others > 0, (total - own) / np.maximum(others, 1.0), 0.0)
    by_payer = pd.DataFrame({"loo": loo, "weighted": loo * others, "others": others},
                            index=senders).groupby(level=0)
    weighted, count = by_payer["weighted"].sum(), by_payer["others"].sum()
    frame = pd.DataFrame({
        "co_payers_score_max": by_payer["loo"].max(),
        "co_payers_score_mean": (weighted / count.where(count > 0)).fillna(0.0),
    })
    frame.index.name = "party_id"
    return frame


def with_co_payer_suspicion(payers: pd.DataFrame, pairs: pd.DataFrame,
                            payer_scores: pd.Series) -> pd.DataFrame:
    """``payers`` (indexed by party id) with the co-payer columns from the first-stage
    ``payer_scores``; 0 for a payer without corridor beneficiaries."""
    return _with_columns(payers, co_payer_suspicion(pairs, payer_scores))


def _with_columns(table: pd.DataFrame, found: pd.DataFrame) -> pd.DataFrame:
    """``table`` with the columns of ``found`` (by party id; 0 where absent), replacing any
    of the same name, added to a copy-on-write shallow copy (tables of millions of rows)."""
    aligned = found.reindex(table.index.astype(str))
    return table.assign(**{c: aligned[c].fillna(0.0).to_numpy(dtype=np.float64)
                           for c in found.columns})

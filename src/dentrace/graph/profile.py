"""Payer profiles over the graph: how the payers of a beneficiary behave (escalation, rate,
rotation of recipients), and, for a payer, how the *other* payers of its collectors behave."""

from __future__ import annotations

import pandas as pd

# payer feature -> its name in the profile columns
PROFILE = {
    "amount_rank_corr": "escalation",
    "corridor_per_30d": "rate",
    "new_beneficiary_rate": "new_beneficiary_rate",
    "kyc_age": "age",
}
FACILITATOR_PROFILE_COLUMNS = [f"payers_{name}_mean" for name in PROFILE.values()]
PAYER_PROFILE_COLUMNS = [f"co_payers_{name}" for name in PROFILE.values()]


def payer_profiles(corridor: pd.DataFrame, payers: pd.DataFrame
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per facilitator: mean profile of its corridor payers; per payer: the profile of the
    other payers of its beneficiaries, leave-one-out, weighted by how many others there are).

    ``corridor`` has one row per corridor (sender_id, beneficiary_id) pair; ``payers`` is the
    payer feature table indexed by party_id. Missing values are left out of the means.
    """
    columns = [c for c in PROFILE if c in payers.columns]
    pairs = corridor[["sender_id", "beneficiary_id"]].drop_duplicates().reset_index(drop=True)
    values = payers[columns].reindex(pairs["sender_id"]).reset_index(drop=True).astype("float64")
    by_beneficiary = values.groupby(pairs["beneficiary_id"])
    sums = by_beneficiary.transform("sum")
    counts = by_beneficiary.transform("count").astype("float64")
    facilitator = by_beneficiary.mean().rename(
        columns=lambda c: f"payers_{PROFILE[c]}_mean")
    own = values.notna()
    others = counts - own.astype("float64")
    leave_one_out = (sums - values.fillna(0.0)) / others.where(others > 0)
    weight = (pairs.groupby("beneficiary_id")["sender_id"].transform("size") - 1.0).clip(lower=0)
    weighted = leave_one_out.mul(weight, axis=0)
    present = leave_one_out.notna().mul(weight, axis=0)
    total = present.groupby(pairs["sender_id"]).sum()
    payer = weighted.groupby(pairs["sender_id"]).sum() / total.where(total > 0)
    payer = payer.rename(columns=lambda c: f"co_payers_{PROFILE[c]}")
    return (facilitator.reindex(columns=FACILITATOR_PROFILE_COLUMNS),
            payer.reindex(columns=PAYER_PROFILE_COLUMNS))

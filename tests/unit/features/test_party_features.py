"""The party feature table on a tiny warehouse: offenders, families, charity donors, shoppers."""

from __future__ import annotations

import pandas as pd

from dentrace.features import build_party_features
from tests.unit.features.toy_payments import family, mixed_world, offender, warehouse


def _features(rows, **kwargs):
    return build_party_features(warehouse(rows, **kwargs))


def test_one_numeric_row_per_party_and_role() -> None:
    feats = _features(mixed_world())
    payer, fac = feats["payer"], feats["facilitator"]
    assert payer.index.name == "party_id" and fac.index.name == "party_id"
    assert payer.index.is_unique and fac.index.is_unique
    assert {"off0", "fam0", "don0", "shop0", "lone"} <= set(payer.index)
    assert {"fac-1", "charity-1", "shop-1"} <= set(fac.index)
    assert all(pd.api.types.is_float_dtype(d) for d in [*payer.dtypes, *fac.dtypes])


def test_offender_rhythm_amounts_and_beneficiaries() -> None:
    payer = _features(offender("p", n=30, beneficiaries=6) + family("f"))["payer"]
    p, f = payer.loc["p"], payer.loc["f"]
    assert p["n_corridor"] == 30 and f["n_corridor"] == 12
    assert p["corridor_small_share"] == 1.0 and f["corridor_small_share"] == 0.0
    assert p["corridor_beneficiaries"] == 6 and f["corridor_beneficiaries"] == 1
    assert p["corridor_night_share"] == 1.0 and f["corridor_night_share"] == 0.0
    assert p["corridor_gap_median_days"] < 8 and f["corridor_gap_median_days"] == 30
    assert p["amount_rank_corr"] > 0.95
    assert p["late_early_amount_ratio"] > 1.3
    assert f["corridor_family_share"] == 1.0 and p["corridor_family_share"] == 0.0
    assert f["top_beneficiary_month_share"] == 1.0
    assert p["memo_platform_share"] > 0.1 and f["memo_kin_share"] == 1.0


def test_facilitator_fan_in_and_charity_regularity() -> None:
    fac = _features(mixed_world())["facilitator"]
    assert fac.loc["fac-1", "unrelated_small_payers"] == 8
    assert fac.loc["charity-1", "unrelated_small_payers"] == 0
    assert fac.loc["charity-1", "fixed_payer_share"] == 1.0
    assert fac.loc["fac-1", "den_size"] == 6
    assert fac.loc["charity-1", "den_size"] == 0


def test_payer_network_excludes_itself_and_known_links() -> None:
    rows = mixed_world()
    feats = _features(rows, known=[("off0", "offender"), ("fac-2", "facilitator")])
    payer, fac = feats["payer"], feats["facilitator"]
    assert payer.loc["off1", "pays_fan_in_max"] == 7  # eight payers of fac-1, minus itself
    assert payer.loc["off1", "pays_den_max"] == 6
    assert payer.loc["fam0", "pays_fan_in_max"] == 0
    assert payer.loc["off1", "known_facilitators_paid"] == 1
    assert payer.loc["off0", "known_offender_co_payers"] == 0  # its own label never counts
    assert payer.loc["off1", "known_offender_co_payers"] == 6  # off0 pays its six collectors
    assert fac.loc["fac-1", "known_offender_payers"] == 1
    assert payer.loc["off1", "known_risk"] > payer.loc["fam0", "known_risk"]

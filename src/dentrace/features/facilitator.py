"""Facilitator features: one row per beneficiary_id describing who pays it and how — distinct
and foreign payers, small and night shares, payer regularity (fixed sums look like charity).
"""

from __future__ import annotations

import ibis.expr.types as ir

from dentrace.features.registry import FIXED_SUM_CV, MONTH_DAYS


def payer_pairs(p: ir.Table, lo: float, hi: float) -> ir.Table:
    """One row per (beneficiary, payer) with the pair's rhythm, amounts and family evidence."""
    pair = p.group_by(["beneficiary_id", "sender_id"]).aggregate(
        pair_payments=p.count(),
        pair_corridor=p.is_corridor.any(),
        pair_foreign=p.is_foreign.any(),
        pair_family=p.is_family.any(),
        pair_mean=p.amount_ref.mean(),
        pair_std=p.amount_ref.std(how="pop"),
        pair_span=p.day.max() - p.day.min(),
    )
    # months active from the span (a distinct count per pair costs more than it tells)
    pair = pair.mutate(pair_months=(pair.pair_span / MONTH_DAYS).floor() + 1)
    fixed = (pair.pair_payments >= 3) & (
        (pair.pair_std / pair.pair_mean.nullif(0)).fill_null(0) < FIXED_SUM_CV
    )
    small = pair.pair_mean.between(lo, hi).fill_null(False)
    return pair.mutate(
        pair_fixed=fixed,
        pair_unrelated_small=pair.pair_corridor & small & ~pair.pair_family & ~fixed,
    )


def incoming_features(p: ir.Table, pairs: ir.Table) -> ir.Table:
    """Per beneficiary: counts, shares and payer structure of everything it received."""
    flows = p.group_by("beneficiary_id").aggregate(
        n_incoming=p.count(),
        n_incoming_corridor=p.is_corridor.cast("int64").sum(),
        n_payer_countries=p.sender_country.nunique(),
        incoming_amount_median=p.amount_ref.median(),
        incoming_amount_total=p.amount_ref.sum(),
        incoming_small_share=p.is_small.cast("float64").mean(),
        incoming_round_share=p.is_round.cast("float64").mean(),
        # a ratio of sums rather than a filtered mean (same value, cheaper in DuckDB)
        incoming_night_share=(p.is_night & p.is_foreign).cast("float64").sum()
        / p.is_foreign.cast("float64").sum().nullif(0),
        incoming_cover_share=p.is_cover.cast("float64").mean(),
        incoming_platform_share=p.is_platform.cast("float64").mean(),
        incoming_kin_share=p.is_kin.cast("float64").mean(),
        incoming_card_share=p.is_card.cast("float64").mean(),
        incoming_wallet_share=p.is_wallet.cast("float64").mean(),
        incoming_span_days=p.day.max() - p.day.min(),
    )
    structure = pairs.group_by("beneficiary_id").aggregate(
        n_payers=pairs.count(),
        foreign_payers=pairs.pair_foreign.cast("int64").sum(),
        corridor_payers=pairs.pair_corridor.cast("int64").sum(),
        unrelated_small_payers=pairs.pair_unrelated_small.cast("int64").sum(),
        fixed_payer_share=pairs.pair_fixed.cast("float64").mean(),
        family_payer_share=pairs.pair_family.cast("float64").mean(),
        payments_per_payer=pairs.pair_payments.mean(),
        payer_months_median=pairs.pair_months.median(),
        payer_span_median_days=pairs.pair_span.median(),
    )
    return flows.join(structure, "beneficiary_id")

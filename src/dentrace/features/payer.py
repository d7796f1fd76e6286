"""Payer features: one row per sender_id describing its corridor payments over the whole data and
the recent window (counts, amounts, rhythm, beneficiaries, escalation, memo, channels, spend)."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir


def _median_where(value: ir.NumericColumn, condition: ir.BooleanValue) -> ir.NumericScalar:
    """Median of ``value`` over the rows where ``condition`` holds, as a CASE rather than an
    aggregate filter: PySpark's percentile accepts no filter (same result on DuckDB)."""
    return ibis.ifelse(condition, value, ibis.null()).median()


def _corridor_sequence(p: ir.Table) -> ir.Table:
    """Corridor payments numbered per payer with the gap (days) since the previous one."""
    c = p.filter(p.is_corridor)
    by_time = ibis.window(group_by=c.sender_id, order_by=[c.ts_utc, c.txn_id])
    c = c.mutate(
        seq=ibis.row_number().over(by_time),
        n_all=c.count().over(ibis.window(group_by=c.sender_id)),
        gap=c.day - c.day.lag().over(by_time),
        amount_rank=ibis.rank().over(ibis.window(group_by=c.sender_id, order_by=c.amount_ref)),
    )
    return c.mutate(
        late=c.seq > (c.n_all / 2.0),
        log_gap=(c.gap + 0.01).ln(),
    )


def rhythm_features(p: ir.Table) -> ir.Table:
    """Intervals and escalation of each payer's corridor payments."""
    c = _corridor_sequence(p)
    seq = c.seq.cast("float64")
    return c.group_by("sender_id").aggregate(
        corridor_gap_median_days=c.gap.median(),
        corridor_gap_min_days=c.gap.min(),
        amount_rank_corr=seq.corr(c.amount_rank.cast("float64"), how="pop"),
        gap_trend_corr=seq.corr(c.log_gap, where=c.gap.notnull(), how="pop"),
        late_early_amount_ratio=c.amount_ref.mean(where=c.late)
        / c.amount_ref.mean(where=~c.late).nullif(0),
        late_early_gap_ratio=_median_where(c.gap, c.late & c.gap.notnull())
        / (_median_where(c.gap, ~c.late & c.gap.notnull()) + 0.5),
    )


def beneficiary_features(p: ir.Table) -> ir.Table:
    """How a payer's corridor beneficiaries spread and how stable they are across months."""
    c = p.filter(p.is_corridor)
    pair = c.group_by(["sender_id", "beneficiary_id"]).aggregate(
        pair_months=c.month.nunique(),
        pair_payments=c.count(),
        pair_family=c.is_family.any(),
    )
    months = c.group_by("sender_id").aggregate(corridor_months=c.month.nunique())
    pair = pair.join(months, "sender_id")
    return pair.group_by("sender_id").aggregate(
        corridor_beneficiaries=pair.count(),
        family_beneficiaries=pair.pair_family.cast("int64").sum(),
        corridor_months=pair.corridor_months.max(),
        top_beneficiary_month_share=(pair.pair_months / pair.corridor_months).max(),
        top_beneficiary_payment_share=pair.pair_payments.max() / pair.pair_payments.sum(),
        unrelated_beneficiaries=(~pair.pair_family).cast("int64").sum(),
    )


def totals(p: ir.Table, recent_from: ir.Value) -> ir.Table:
    """Counts, amounts, shares and spend per payer over all its payments.

    Two aggregations joined: plain sums over every payment, and the corridor figures over the
    corridor payments only (a few percent of them); filtered aggregates over all payments
    cost several times more in DuckDB. NULL for payers without corridor payments, as before.
    """
    cor = p.is_corridor
    overall = p.group_by("sender_id").aggregate(
        n_payments=p.count(),
        n_corridor=cor.cast("int64").sum(),
        n_corridor_recent=(cor & (p.ts_utc >= recent_from)).cast("int64").sum(),
        night_share=p.is_night.cast("float64").mean(),
        active_span_days=p.day.max() - p.day.min(),
        crypto_share=p.is_crypto.cast("float64").mean(),
        webcam_spend_count=p.is_webcam.cast("int64").sum(),
        webcam_spend_amount=p.amount_ref.sum(where=p.is_webcam).fill_null(0),
        travel_spend_count=p.is_travel.cast("int64").sum(),
        travel_high_risk_count=p.is_travel_high_risk.cast("int64").sum(),
        foreign_small_count=(p.is_foreign & p.is_small & cor).cast("int64").sum(),
    )
    c = p.filter(cor)
    corridor = c.group_by(corridor_sender=c.sender_id).aggregate(
        corridor_countries=c.beneficiary_country.nunique(),
        corridor_amount_median=c.amount_ref.median(),
        corridor_amount_mean=c.amount_ref.mean(),
        corridor_amount_total=c.amount_ref.sum(),
        corridor_amount_cv=c.amount_ref.std(how="pop") / c.amount_ref.mean().nullif(0),
        corridor_small_share=c.is_small.cast("float64").mean(),
        corridor_session_share=c.is_session.cast("float64").mean(),
        corridor_round_share=c.is_round.cast("float64").mean(),
        corridor_night_share=c.is_night.cast("float64").mean(),
        corridor_family_share=c.is_family.cast("float64").mean(),
        corridor_first_day=c.day.min(),
        corridor_last_day=c.day.max(),
        memo_cover_share=c.is_cover.cast("float64").mean(),
        memo_platform_share=c.is_platform.cast("float64").mean(),
        memo_kin_share=c.is_kin.cast("float64").mean(),
        wallet_share=c.is_wallet.cast("float64").mean(),
        remittance_share=c.is_remittance.cast("float64").mean(),
    )
    joined = overall.left_join(corridor, overall.sender_id == corridor.corridor_sender)
    return joined.select(*TOTALS_COLUMNS)


# the column order of the payer table (as documented in docs/indicators.md)
TOTALS_COLUMNS = (
    "sender_id", "n_payments", "n_corridor", "n_corridor_recent", "corridor_countries",
    "corridor_amount_median", "corridor_amount_mean", "corridor_amount_total",
    "corridor_amount_cv", "corridor_small_share", "corridor_session_share",
    "corridor_round_share", "corridor_night_share", "corridor_family_share", "night_share",
    "corridor_first_day", "corridor_last_day", "active_span_days", "memo_cover_share",
    "memo_platform_share", "memo_kin_share", "wallet_share", "crypto_share", "remittance_share",
    "webcam_spend_count", "webcam_spend_amount", "travel_spend_count", "travel_high_risk_count",
    "foreign_small_count",
)

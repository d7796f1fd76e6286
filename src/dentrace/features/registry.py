"""The registry of feature columns: for each column of the party feature table its name, role,
kind and description, with the batch form (Ibis, the scan) and the live form (the party state's
fold, screening and the incremental scan) that compute it, side by side; and the constants both
forms share (night hours, fixed sums, month length), defined once.

Everything that lists feature columns reads this module: the state's live rows, the model's
inputs and the indicators' reads are checked against it (tests/unit/features/test_registry.py),
and batch and live agree column by column (tests/unit/state/test_feature_agreement.py). The
documentation table (docs/indicators.md, "Feature table") lists exactly these columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# a payer whose amounts vary less than this (stddev / mean) sends fixed sums (standing order)
FIXED_SUM_CV = 0.02
# days of an average month: a pair's months are whole months of its first-to-last span, plus one
MONTH_DAYS = 30.4375
COUNT = "count"  # a whole number: batch and live must be equal
VALUE = "value"  # a real number: equal within 1e-9 relative


def is_night(hour: Any, start: int, end: int) -> Any:
    """Whether ``hour`` (sender's local clock) is in the night window [start, end), wrapping
    past midnight when start > end. The same expression serves both forms: an Ibis integer
    column gives a boolean column, a Python int a bool."""
    if start > end:
        return (hour >= start) | (hour < end)
    return (hour >= start) & (hour < end)


def night_hours(start: int, end: int) -> tuple[int, ...]:
    """The hours of the clock the night window holds, e.g. (22, 23, 0, 1, 2, 3, 4)."""
    return tuple(h for h in (*range(start, 24), *range(0, start)) if is_night(h, start, end))


@dataclass(frozen=True)
class FeatureColumn:
    """One column of a role's feature table."""

    name: str
    role: str
    kind: str  # COUNT or VALUE
    description: str
    family: str


@dataclass(frozen=True)
class Family:
    """Columns computed together: by ``batch`` in the scan and by ``live`` from the party
    state (dotted names of the functions, or of the context the live form reads)."""

    role: str
    name: str
    batch: str
    live: str
    columns: tuple[tuple[str, str, str], ...]
    note: str = ""


FAMILIES: tuple[Family, ...] = (
    Family('payer', 'totals',
           batch='dentrace.features.payer.totals',
           live='dentrace.state.features._totals',
           columns=(
               ('n_payments', COUNT,
                'all payments sent'),
               ('n_corridor', COUNT,
                'corridor payments sent'),
               ('n_corridor_recent', COUNT,
                'corridor payments in the last `recent_days` of the data'),
               ('corridor_countries', COUNT,
                'distinct corridor destination countries'),
               ('corridor_amount_median', VALUE,
                'corridor amounts (reporting currency)'),
               ('corridor_amount_mean', VALUE,
                'corridor amounts (reporting currency)'),
               ('corridor_amount_total', VALUE,
                'corridor amounts (reporting currency)'),
               ('corridor_amount_cv', VALUE,
                'stddev / mean of corridor amounts (≈0 = fixed sums)'),
               ('corridor_small_share', VALUE,
                'share of corridor payments in the small band'),
               ('corridor_session_share', VALUE,
                'share of corridor payments at a typical session price (small band low end to '
                '`session_max_usd`)'),
               ('corridor_round_share', VALUE,
                'share of corridor payments with a round original amount'),
               ('corridor_night_share', VALUE,
                'share of corridor payments at night, sender local time'),
               ('corridor_family_share', VALUE,
                'share of corridor payments to a name-sharing beneficiary'),
               ('night_share', VALUE,
                'share of all payments at night'),
               ('active_span_days', VALUE,
                'first to last payment of any kind'),
               ('memo_cover_share', VALUE,
                'corridor memos with cover words, platform/handle/show words, kin words'),
               ('memo_platform_share', VALUE,
                'corridor memos with cover words, platform/handle/show words, kin words'),
               ('memo_kin_share', VALUE,
                'corridor memos with cover words, platform/handle/show words, kin words'),
               ('wallet_share', VALUE,
                'corridor payments by wallet / remittance channel'),
               ('crypto_share', VALUE,
                'all payments by crypto'),
               ('remittance_share', VALUE,
                'corridor payments by wallet / remittance channel'),
               ('webcam_spend_count', COUNT,
                'payments to webcam, live-stream, VPN, spyware merchants'),
               ('webcam_spend_amount', VALUE,
                'payments to webcam, live-stream, VPN, spyware merchants'),
               ('travel_spend_count', COUNT,
                'payments to airlines, hotels, booking sites'),
               ('travel_high_risk_count', COUNT,
                'travel payments in, or card/cash spend in, high-risk countries'),
               ('foreign_small_count', COUNT,
                'small cross-border corridor payments'),
           )),
    Family('payer', 'rhythm',
           batch='dentrace.features.payer.rhythm_features',
           live='dentrace.state.features._rhythm',
           columns=(
               ('corridor_gap_median_days', VALUE,
                'gaps between consecutive corridor payments'),
               ('corridor_gap_min_days', VALUE,
                'gaps between consecutive corridor payments'),
               ('amount_rank_corr', VALUE,
                'Spearman-style correlation of amount rank with sequence (escalation)'),
               ('gap_trend_corr', VALUE,
                'correlation of log gap with sequence (negative = speeding up)'),
               ('late_early_amount_ratio', VALUE,
                'mean amount of the later half / earlier half'),
               ('late_early_gap_ratio', VALUE,
                'median gap of the later half / earlier half'),
           )),
    Family('payer', 'beneficiaries',
           batch='dentrace.features.payer.beneficiary_features',
           live='dentrace.state.features._beneficiaries',
           columns=(
               ('corridor_beneficiaries', COUNT,
                'distinct corridor beneficiaries'),
               ('family_beneficiaries', COUNT,
                'of those, sharing / not sharing a name token'),
               ('corridor_months', COUNT,
                'calendar months with a corridor payment'),
               ('top_beneficiary_month_share', VALUE,
                'months the most regular beneficiary was paid / corridor_months (kin-like '
                'stability)'),
               ('top_beneficiary_payment_share', VALUE,
                'payments to the main beneficiary / corridor payments'),
               ('unrelated_beneficiaries', COUNT,
                'of those, sharing / not sharing a name token'),
           )),
    Family('payer', 'rates',
           batch='dentrace.features.build._finish_payers',
           live='dentrace.state.features._finish',
           columns=(
               ('corridor_span_days', VALUE,
                'first to last corridor payment'),
               ('corridor_per_30d', VALUE,
                'corridor payments per 30 days of the corridor span (span at least 30)'),
               ('corridor_recent_per_30d', VALUE,
                'corridor payments per 30 days in the recent window'),
               ('corridor_share', VALUE,
                'n_corridor / n_payments'),
               ('new_beneficiary_rate', VALUE,
                'corridor_beneficiaries / n_corridor'),
               ('corridor_beneficiaries_per_90d', VALUE,
                'corridor beneficiaries per 90 days of span'),
               ('family_beneficiary_share', VALUE,
                'family_beneficiaries / corridor_beneficiaries'),
           )),
    Family('payer', 'network',
           batch='dentrace.graph.network.network_features',
           live='dentrace.state.features._payer_network',
           columns=(
               ('pays_fan_in_max', VALUE,
                'over its corridor beneficiaries: unrelated small payers each one has besides '
                'this payer'),
               ('pays_fan_in_mean', VALUE,
                'over its corridor beneficiaries: unrelated small payers each one has besides '
                'this payer'),
               ('fan_in_beneficiaries', COUNT,
                'its beneficiaries with at least `graph.min_fan_in` such other payers'),
               ('known_facilitators_paid', COUNT,
                'known facilitators among its corridor beneficiaries'),
               ('known_offender_co_payers', COUNT,
                'known offenders (not itself) paying the same beneficiaries, summed'),
           )),
    Family('payer', 'whole_graph',
           batch='dentrace.graph.network.network_features',
           live='dentrace.state.features.GraphContext',
           note="the live form reads the last scan's results (dens, known-label PageRank)",
           columns=(
               ('pays_den_max', VALUE,
                'size of the largest den among its corridor beneficiaries (0 = none)'),
               ('known_risk', VALUE,
                'personalised PageRank from known positives, leave-fold-out, ×node count (1 = '
                'uniform)'),
           )),
    Family('payer', 'kyc',
           batch='dentrace.features.build._kyc',
           live='dentrace.state.features.payer_vector',
           columns=(
               ('kyc_age', VALUE,
                'KYC age at the end of the data; 1 male, 0 female, NaN otherwise (weak prior '
                'only)'),
               ('kyc_male', VALUE,
                'KYC age at the end of the data; 1 male, 0 female, NaN otherwise (weak prior '
                'only)'),
           )),
    Family('payer', 'co_payers',
           batch='dentrace.graph.profile.payer_profiles',
           live='dentrace.state.features._co_payers',
           columns=(
               ('co_payers_escalation', VALUE,
                'the *other* payers of its corridor beneficiaries (leave-one-out), weighted by '
                'how many others each beneficiary has: mean `amount_rank_corr`, '
                '`corridor_per_30d`, `new_beneficiary_rate`, `kyc_age`'),
               ('co_payers_rate', VALUE,
                'the *other* payers of its corridor beneficiaries (leave-one-out), weighted by '
                'how many others each beneficiary has: mean `amount_rank_corr`, '
                '`corridor_per_30d`, `new_beneficiary_rate`, `kyc_age`'),
               ('co_payers_new_beneficiary_rate', VALUE,
                'the *other* payers of its corridor beneficiaries (leave-one-out), weighted by '
                'how many others each beneficiary has: mean `amount_rank_corr`, '
                '`corridor_per_30d`, `new_beneficiary_rate`, `kyc_age`'),
               ('co_payers_age', VALUE,
                'the *other* payers of its corridor beneficiaries (leave-one-out), weighted by '
                'how many others each beneficiary has: mean `amount_rank_corr`, '
                '`corridor_per_30d`, `new_beneficiary_rate`, `kyc_age`'),
           )),
    Family('payer', 'co_payer_suspicion',
           batch='dentrace.detect.payer_suspicion.co_payer_suspicion',
           live='dentrace.state.features.co_payer_suspicion',
           note="second payer stage only: added after the first stage's scores",
           columns=(
               ('co_payers_score_max', VALUE,
                'second payer stage only (`payer_stage2` model): over its corridor beneficiaries,'
                " the mean first-stage payer score of each one's *other* corridor payers (leave-"
                'one-out; known offenders 1): the largest, and the mean weighted by the number of'
                ' other payers; added after the first payer stage (`detect/payer_suspicion.py`)'),
               ('co_payers_score_mean', VALUE,
                'second payer stage only (`payer_stage2` model): over its corridor beneficiaries,'
                " the mean first-stage payer score of each one's *other* corridor payers (leave-"
                'one-out; known offenders 1): the largest, and the mean weighted by the number of'
                ' other payers; added after the first payer stage (`detect/payer_suspicion.py`)'),
           )),
    Family('facilitator', 'flows',
           batch='dentrace.features.facilitator.incoming_features',
           live='dentrace.state.features.facilitator_vector',
           columns=(
               ('n_incoming', COUNT,
                'payments received / of which corridor payments'),
               ('n_incoming_corridor', COUNT,
                'payments received / of which corridor payments'),
               ('n_payer_countries', COUNT,
                'distinct sender countries'),
               ('incoming_amount_median', VALUE,
                'amounts received'),
               ('incoming_amount_total', VALUE,
                'amounts received'),
               ('incoming_small_share', VALUE,
                'shares of received payments small / round'),
               ('incoming_round_share', VALUE,
                'shares of received payments small / round'),
               ('incoming_night_share', VALUE,
                "share of cross-border payments received sent at the sender's night"),
               ('incoming_cover_share', VALUE,
                'memo families of received payments'),
               ('incoming_platform_share', VALUE,
                'memo families of received payments'),
               ('incoming_kin_share', VALUE,
                'memo families of received payments'),
               ('incoming_card_share', VALUE,
                'channel shares (card-heavy = a merchant)'),
               ('incoming_wallet_share', VALUE,
                'channel shares (card-heavy = a merchant)'),
               ('incoming_span_days', VALUE,
                'first to last payment received'),
           )),
    Family('facilitator', 'structure',
           batch='dentrace.features.facilitator.incoming_features',
           live='dentrace.state.features._structure',
           columns=(
               ('n_payers', COUNT,
                'distinct payers, cross-border ones, corridor ones'),
               ('foreign_payers', COUNT,
                'distinct payers, cross-border ones, corridor ones'),
               ('corridor_payers', COUNT,
                'distinct payers, cross-border ones, corridor ones'),
               ('unrelated_small_payers', COUNT,
                'corridor payers paying small sums (mean), no shared name, not fixed sums'),
               ('fixed_payer_share', VALUE,
                'payers of ≥3 identical sums (stddev/mean < 2%): standing orders, charity — not a'
                ' facilitator sign'),
               ('family_payer_share', VALUE,
                'payers sharing a name token'),
               ('payments_per_payer', VALUE,
                'mean payments per payer'),
               ('payer_months_median', VALUE,
                'how long its payers keep paying (months = whole months of the first-to-last '
                'span, plus one)'),
               ('payer_span_median_days', VALUE,
                'how long its payers keep paying (months = whole months of the first-to-last '
                'span, plus one)'),
           )),
    Family('facilitator', 'network',
           batch='dentrace.graph.network.network_features',
           live='dentrace.state.features._structure',
           columns=(
               ('payers_other_suspects_mean', VALUE,
                "its corridor payers' other beneficiaries with fan-in ≥ `graph.min_fan_in` (mean;"
                ' share with one or more)'),
               ('payers_other_suspects_share', VALUE,
                "its corridor payers' other beneficiaries with fan-in ≥ `graph.min_fan_in` (mean;"
                ' share with one or more)'),
               ('known_offender_payers', COUNT,
                'known offenders among its corridor payers'),
               ('known_facilitator_neighbours', COUNT,
                'known facilitators (not itself) its payers also pay, summed'),
           )),
    Family('facilitator', 'whole_graph',
           batch='dentrace.graph.network.network_features',
           live='dentrace.state.features.GraphContext',
           note="the live form reads the last scan's results (dens, shared-payer links, known-"
                'label PageRank)',
           columns=(
               ('den_size', VALUE,
                'size of its den (0 = none)'),
               ('shared_payer_facilitators', VALUE,
                'facilitators it shares ≥ `graph.min_shared_payers` unrelated small payers with'),
               ('known_risk', VALUE,
                'personalised PageRank from known positives, leave-fold-out, ×node count (1 = '
                'uniform)'),
           )),
    Family('facilitator', 'payer_profiles',
           batch='dentrace.graph.profile.payer_profiles',
           live='dentrace.state.features.facilitator_vector',
           columns=(
               ('payers_escalation_mean', VALUE,
                'mean `amount_rank_corr`, `corridor_per_30d`, `new_beneficiary_rate`, `kyc_age` '
                'of its corridor payers'),
               ('payers_rate_mean', VALUE,
                'mean `amount_rank_corr`, `corridor_per_30d`, `new_beneficiary_rate`, `kyc_age` '
                'of its corridor payers'),
               ('payers_new_beneficiary_rate_mean', VALUE,
                'mean `amount_rank_corr`, `corridor_per_30d`, `new_beneficiary_rate`, `kyc_age` '
                'of its corridor payers'),
               ('payers_age_mean', VALUE,
                'mean `amount_rank_corr`, `corridor_per_30d`, `new_beneficiary_rate`, `kyc_age` '
                'of its corridor payers'),
           )),
    Family('facilitator', 'shares',
           batch='dentrace.features.build._with_graph',
           live='dentrace.state.features.facilitator_vector',
           columns=(
               ('foreign_payer_share', VALUE,
                'the two counts above over n_payers'),
               ('unrelated_small_share', VALUE,
                'the two counts above over n_payers'),
           )),
    Family('facilitator', 'payer_suspicion',
           batch='dentrace.detect.payer_suspicion.payer_suspicion',
           live='dentrace.state.features.payer_suspicion',
           note='added after the payers are scored',
           columns=(
               ('payers_score_max', VALUE,
                'the payer scores (this scan, known offenders 1) of its corridor payers: highest,'
                ' mean, sum (= expected offenders among them); added after payers are scored '
                '(`detect/payer_suspicion.py`)'),
               ('payers_score_mean', VALUE,
                'the payer scores (this scan, known offenders 1) of its corridor payers: highest,'
                ' mean, sum (= expected offenders among them); added after payers are scored '
                '(`detect/payer_suspicion.py`)'),
               ('payers_score_sum', VALUE,
                'the payer scores (this scan, known offenders 1) of its corridor payers: highest,'
                ' mean, sum (= expected offenders among them); added after payers are scored '
                '(`detect/payer_suspicion.py`)'),
           )),
)
# added after the payers are scored (second stages), not by build_party_features
AFTER_SCORING = ("co_payer_suspicion", "payer_suspicion")
COLUMNS: dict[tuple[str, str], FeatureColumn] = {
    (family.role, name): FeatureColumn(name, family.role, kind, description, family.name)
    for family in FAMILIES for name, kind, description in family.columns
}


def columns(role: str, *, scored: bool = False) -> tuple[str, ...]:
    """The feature columns of ``role`` in table order; with ``scored``, also the columns
    added after scoring (payer suspicion of a facilitator, co-payer scores of a payer)."""
    return tuple(name for family in FAMILIES if family.role == role
                 and (scored or family.name not in AFTER_SCORING)
                 for name, _, _ in family.columns)


def family_columns(role: str, family: str) -> tuple[str, ...]:
    """The columns of one family of ``role``."""
    for found in FAMILIES:
        if found.role == role and found.name == family:
            return tuple(name for name, _, _ in found.columns)
    raise KeyError(f"no feature family {family!r} for {role}")


def counts() -> frozenset[str]:
    """Names of the columns that are whole counts (either role)."""
    return frozenset(c.name for c in COLUMNS.values() if c.kind == COUNT)

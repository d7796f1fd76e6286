"""Feature vectors of one payer or one beneficiary read from the party state, column for column
the definitions of dentrace.features (payer.py, facilitator.py, build.py) and dentrace.graph."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dentrace.features.registry import MONTH_DAYS
from dentrace.state.fold import (
    NAN,
    PROFILE_SIZE,
    BeneficiaryState,
    PartyState,
    PayerState,
)
from dentrace.state.totals import PairTotals, RowCache, payer_links


@dataclass
class GraphContext:
    """What only a whole-graph pass knows, from the last scan, plus labels and KYC."""

    min_fan_in: int = 3
    den_size: dict[str, float] = field(default_factory=dict)
    shared_payer_facilitators: dict[str, float] = field(default_factory=dict)
    known_risk: dict[str, float] = field(default_factory=dict)
    offenders: set[str] = field(default_factory=set)
    facilitators: set[str] = field(default_factory=set)
    birth_day: dict[str, float] = field(default_factory=dict)  # days since epoch
    male: dict[str, float] = field(default_factory=dict)
    # payer -> its score: the scan's, then its latest screening (dentrace.detect.payer_suspicion)
    payer_scores: dict[str, float] = field(default_factory=dict)


def kyc_days(kyc: pd.DataFrame) -> pd.DataFrame:
    """party_id, birth_day (days since 1970) and male (1 male, 0 female, NaN unknown) from
    the customers' party_id, birth_date and gender: what a payer's row reads of KYC."""
    births = pd.to_datetime(kyc["birth_date"], errors="coerce")
    gender = kyc["gender"].astype(str).str.lower()
    return pd.DataFrame({
        "party_id": kyc["party_id"].astype(str),
        "birth_day": (births - pd.Timestamp("1970-01-01")).dt.total_seconds() / 86400.0,
        "male": gender.str.startswith("m").astype(float).where(gender.str.match(r"^(m|f|w)"))})


def _div(a: float, b: float) -> float:
    return a / b if b else NAN


def _corr(x: np.ndarray, y: np.ndarray) -> float:
    """Population Pearson correlation; NaN when either side is constant or too short."""
    # a side of identical values is constant, as the engines' corr sees it (numpy's std of
    # identical values may be 1e-17 rather than 0)
    if x.size < 2 or x.min() == x.max() or y.min() == y.max():
        return NAN
    sx, sy = x.std(), y.std()
    if sx == 0 or sy == 0:
        return NAN
    return float(((x - x.mean()) * (y - y.mean())).mean() / (sx * sy))


def _median(values: np.ndarray) -> float:
    """``np.median`` (NaN if any value is), at a fraction of its per-call cost."""
    if not values.size:
        return NAN
    ordered = np.sort(values)  # NaN sorts last
    middle = ordered.size // 2
    if math.isnan(ordered[-1]):
        return NAN
    if ordered.size % 2:
        return float(ordered[middle])
    return float((ordered[middle - 1] + ordered[middle]) / 2)


def _rhythm(s: PayerState) -> dict[str, float]:
    """``rhythm_features`` over the payer's kept corridor history."""
    days = np.array([h[0] for h in s.history])
    amounts = np.array([h[2] for h in s.history])
    previous = np.concatenate([[s.trimmed_last_day], days[:-1]])
    gaps = days - previous
    seq = np.arange(s.trimmed, s.trimmed + days.size, dtype=float)  # row_number() is 0-based
    ranks = np.searchsorted(np.sort(amounts), amounts, side="left").astype(float)
    has_gap = ~np.isnan(gaps)
    late = seq > s.n_corridor / 2.0
    early_mean = amounts[~late].mean() if (~late).any() else NAN
    late_mean = amounts[late].mean() if late.any() else NAN
    gap_min = min(s.trimmed_gap_min, float(gaps[has_gap].min())) if has_gap.any() else NAN
    return {
        "corridor_gap_median_days": _median(gaps[has_gap]),
        "corridor_gap_min_days": NAN if math.isinf(gap_min) else gap_min,
        "amount_rank_corr": _corr(seq, ranks),
        "gap_trend_corr": _corr(seq[has_gap], np.log(gaps[has_gap] + 0.01)),
        "late_early_amount_ratio": _div(late_mean, early_mean),
        "late_early_gap_ratio": _median(gaps[late & has_gap])
        / (_median(gaps[~late & has_gap]) + 0.5),
    }


def _beneficiaries(s: PayerState) -> dict[str, float]:
    """``beneficiary_features``: spread and stability of the corridor beneficiaries."""
    pairs = [p for p in s.pairs.values() if p.corridor]
    if not pairs:
        return {"corridor_beneficiaries": 0.0, "family_beneficiaries": 0.0,
                "corridor_months": 0.0, "top_beneficiary_month_share": NAN,
                "top_beneficiary_payment_share": NAN, "unrelated_beneficiaries": 0.0}
    family = sum(p.family for p in pairs)
    months = len(s.months)
    return {
        "corridor_beneficiaries": float(len(pairs)), "family_beneficiaries": float(family),
        "corridor_months": float(months),
        "top_beneficiary_month_share": max(len(p.months) for p in pairs) / months,
        "top_beneficiary_payment_share": max(p.n_corridor for p in pairs)
        / sum(p.n_corridor for p in pairs),
        "unrelated_beneficiaries": float(len(pairs) - family),
    }


def _totals(state: PartyState, s: PayerState) -> dict[str, float]:
    """``totals``: counts, amounts and shares over all and over corridor payments."""
    n, nc = s.n_payments, s.n_corridor
    mean = _div(s.corridor_total, nc)
    spread = math.sqrt(max(s.corridor_squares / nc - mean * mean, 0.0)) if nc else NAN
    amounts = np.array([h[2] for h in s.history])
    out = {"n_payments": float(n), "n_corridor": float(nc),
           "n_corridor_recent": float(state.recent_corridor(s)),
           "corridor_countries": float(len(s.countries)),
           "corridor_amount_median": _median(amounts), "corridor_amount_mean": mean,
           "corridor_amount_total": s.corridor_total if nc else NAN,
           "corridor_amount_cv": _div(spread, mean)}
    names = {"is_small": "corridor_small_share", "is_session": "corridor_session_share",
             "is_round": "corridor_round_share", "is_night": "corridor_night_share",
             "family": "corridor_family_share", "is_cover": "memo_cover_share",
             "is_platform": "memo_platform_share", "is_kin": "memo_kin_share",
             "is_wallet": "wallet_share", "is_remittance": "remittance_share"}
    for flag, name in names.items():
        out[name] = _div(s.counts.get(flag, 0), nc)
    out.update(night_share=_div(s.night, n), crypto_share=_div(s.crypto, n),
               active_span_days=s.last_day - s.first_day,
               webcam_spend_count=float(s.webcam_count), webcam_spend_amount=s.webcam_amount,
               travel_spend_count=float(s.travel_count),
               travel_high_risk_count=float(s.travel_high_risk),
               foreign_small_count=float(s.counts.get("foreign_small", 0)))
    return out


def _finish(out: dict[str, float], s: PayerState, recent_days: int) -> None:
    """The rates and ratios of ``build._finish_payers``."""
    span = s.corridor_last_day - s.corridor_first_day if s.n_corridor else NAN
    nc, cb = out["n_corridor"], out["corridor_beneficiaries"]
    out["corridor_span_days"] = span
    out["corridor_per_30d"] = NAN if math.isnan(span) else nc * 30.0 / max(span, 30.0)
    out["corridor_recent_per_30d"] = out["n_corridor_recent"] * 30.0 / recent_days
    out["corridor_share"] = _div(nc, out["n_payments"])
    out["new_beneficiary_rate"] = _div(cb, nc)
    out["corridor_beneficiaries_per_90d"] = (NAN if math.isnan(span)
                                             else cb * 90.0 / max(span, 90.0))
    out["family_beneficiary_share"] = _div(out["family_beneficiaries"], cb) if nc else NAN


def _corridor_payers_among(b: BeneficiaryState, parties: set[str]) -> int:
    """How many of ``parties`` pay ``b`` through the corridor (looping over the smaller)."""
    if len(parties) < len(b.pairs):
        return sum(1 for sender in parties if (q := b.pairs.get(sender)) is not None
                   and q.n_corridor)
    return sum(1 for sender, q in b.pairs.items() if q.n_corridor and sender in parties)


def _payer_network(state: PartyState, payer_id: str, s: PayerState,
                   graph: GraphContext) -> dict[str, float]:
    """``network_features`` (payer side) from the live pair tables; dens and risk from the scan."""
    others, suspects, dens, facilitators, co_offenders = [], 0, [0.0], 0, 0
    own_offender = payer_id in graph.offenders
    for beneficiary_id, pair in s.pairs.items():
        if not pair.corridor:
            continue
        b = state.beneficiaries[beneficiary_id]
        count = b.unrelated_small_payers - pair.unrelated_small
        others.append(count)
        suspects += count >= graph.min_fan_in
        dens.append(graph.den_size.get(beneficiary_id, 0.0))
        facilitators += beneficiary_id in graph.facilitators
        if graph.offenders:  # without known offenders: 0 - False
            co_offenders += _corridor_payers_among(b, graph.offenders) - own_offender
    return {
        "pays_fan_in_max": float(max(others)) if others else 0.0,
        "pays_fan_in_mean": sum(others) / len(others) if others else 0.0,
        "fan_in_beneficiaries": float(suspects), "pays_den_max": max(dens),
        "known_facilitators_paid": float(facilitators),
        "known_offender_co_payers": float(co_offenders),
        "known_risk": graph.known_risk.get(payer_id, 0.0),
    }


def _co_payers(state: PartyState, s: PayerState) -> dict[str, float]:
    """``payer_profiles`` (payer side): leave-one-out profile of the co-payers, weighted."""
    weighted = [0.0] * PROFILE_SIZE
    present = [0.0] * PROFILE_SIZE
    own = s.profile
    for beneficiary_id, pair in s.pairs.items():
        if not pair.corridor:
            continue
        b = state.beneficiaries[beneficiary_id]
        weight = max(b.corridor_payers - 1.0, 0.0)
        counted = pair.profile_in if pair.profile_in is not None else (NAN,) * PROFILE_SIZE
        for i in range(PROFILE_SIZE):
            mine = counted[i]
            others = b.profile_count[i] - (0 if math.isnan(mine) else 1)
            if others <= 0:
                continue
            loo = (b.profile_sum[i] - (0.0 if math.isnan(mine) else mine)) / others
            weighted[i] += loo * weight
            present[i] += weight
    del own
    names = ("co_payers_escalation", "co_payers_rate", "co_payers_new_beneficiary_rate",
             "co_payers_age")
    return {name: _div(weighted[i], present[i]) for i, name in enumerate(names)}


def payer_vector(state: PartyState, payer_id: str, graph: GraphContext) -> dict[str, float]:
    """The payer's row of the payer feature table, as of the state's clock."""
    s = state.payers[payer_id]
    out = _totals(state, s)
    out.update(_rhythm(s) if s.history else dict.fromkeys(
        ("corridor_gap_median_days", "corridor_gap_min_days", "amount_rank_corr",
         "gap_trend_corr", "late_early_amount_ratio", "late_early_gap_ratio"), NAN))
    out.update(_beneficiaries(s))
    _finish(out, s, state.recent_days)
    out.update(_payer_network(state, payer_id, s, graph))
    birth = graph.birth_day.get(payer_id)
    out["kyc_age"] = (math.floor(state.clock) - birth) / 365.25 if birth is not None else NAN
    out["kyc_male"] = graph.male.get(payer_id, NAN)
    profile = (out["amount_rank_corr"], out["corridor_per_30d"], out["new_beneficiary_rate"],
               out["kyc_age"])
    if s.profile != profile or payer_id in state.dirty:
        state.set_profile(payer_id, profile)
    out.update(_co_payers(state, s))
    return out


def _median_sorted(values: list[float]) -> float:
    """``np.median`` of an already sorted list, without numpy's per-call overhead."""
    n = len(values)
    if not n:
        return NAN
    middle = n // 2
    return values[middle] if n % 2 else (values[middle - 1] + values[middle]) / 2


def _months_median(spans: list[float]) -> float:
    """Median of the pairs' months (``floor(span / month) + 1``) from the sorted spans: months
    grow with the span, so the middle months are those of the middle spans."""
    n = len(spans)
    if not n:
        return NAN
    middle = n // 2
    month = [math.floor(spans[i] / MONTH_DAYS) + 1.0 for i in (middle - 1 + n % 2, middle)]
    return month[1] if n % 2 else (month[0] + month[1]) / 2


def _co_payer_links(state: PartyState, b: BeneficiaryState, graph: GraphContext,
                    suspect: bool, own_facilitator: bool,
                    cache: RowCache | None) -> tuple[list[int], int, int]:
    """Per corridor payer of ``b``: the suspected collectors it pays besides ``b``; and the
    known offenders among them, and their links to known facilitators besides ``b``."""
    other_suspects, offenders, neighbours = [], 0, 0
    for sender_id, pair in b.pairs.items():
        if not pair.n_corridor:
            continue
        paid, near = (cache.links(sender_id, graph.facilitators) if cache is not None else
                      payer_links(state, sender_id, graph.min_fan_in, graph.facilitators))
        other_suspects.append(paid - suspect)
        offenders += sender_id in graph.offenders
        neighbours += near - own_facilitator
    return other_suspects, offenders, neighbours


def _structure(state: PartyState, beneficiary_id: str, b: BeneficiaryState,
               graph: GraphContext, totals: PairTotals,
               cache: RowCache | None) -> dict[str, float]:
    """The pair-table aggregates of ``incoming_features`` and the facilitator network."""
    spans = totals.spans
    suspect = b.unrelated_small_payers >= graph.min_fan_in
    other_suspects, offenders, neighbours = _co_payer_links(
        state, b, graph, suspect, beneficiary_id in graph.facilitators, cache)
    n = len(spans)
    return {
        "n_payers": float(n), "foreign_payers": float(totals.foreign),
        "corridor_payers": float(b.corridor_payers),
        "unrelated_small_payers": float(b.unrelated_small_payers),
        "fixed_payer_share": totals.fixed / n,
        "family_payer_share": totals.family / n,
        "payments_per_payer": b.n_incoming / n,
        "payer_months_median": _months_median(spans),
        "payer_span_median_days": _median_sorted(spans),
        "payers_other_suspects_mean": (sum(other_suspects) / len(other_suspects)
                                       if other_suspects else 0.0),
        "payers_other_suspects_share": (sum(1 for c in other_suspects if c > 0)
                                        / len(other_suspects) if other_suspects else 0.0),
        "known_offender_payers": float(offenders),
        "known_facilitator_neighbours": float(neighbours),
        "den_size": graph.den_size.get(beneficiary_id, 0.0),
        "shared_payer_facilitators": graph.shared_payer_facilitators.get(beneficiary_id, 0.0),
        "known_risk": graph.known_risk.get(beneficiary_id, 0.0),
    }


def payer_suspicion(b: BeneficiaryState, scores: dict[str, float],
                    excluded: frozenset[str] = frozenset()) -> dict[str, float]:
    """``payers_score_max/mean/sum`` over the corridor payers of ``b`` (but ``excluded``), a
    payer without a score counting 0; all 0 without corridor payers, as in the scan."""
    values = [scores.get(sender_id, 0.0) for sender_id, pair in b.pairs.items()
              if pair.n_corridor and sender_id not in excluded]
    if not values:
        return {"payers_score_max": 0.0, "payers_score_mean": 0.0, "payers_score_sum": 0.0}
    total = math.fsum(values)
    return {"payers_score_max": max(values), "payers_score_mean": total / len(values),
            "payers_score_sum": total}


def co_payer_suspicion(state: PartyState, payer_id: str, scores: dict[str, float],
                       opened_at: dict[tuple[str, str], int] | None = None,
                       now: int = 0) -> dict[str, float]:
    """``co_payers_score_max/mean`` of the payer (``detect.payer_suspicion``): over its
    corridor beneficiaries, the mean score of their *other* corridor payers, a payer without a
    score counting 0. ``opened_at`` (pair -> position in a batch) leaves out the corridor
    pairs a batch opens after position ``now``, as if its payments came one by one."""
    later = opened_at or {}
    best = weighted = count = 0.0
    for beneficiary_id, pair in state.payers[payer_id].pairs.items():
        if not pair.n_corridor or later.get((payer_id, beneficiary_id), -1) > now:
            continue
        others = [scores.get(sender_id, 0.0)
                  for sender_id, other in state.beneficiaries[beneficiary_id].pairs.items()
                  if other.n_corridor and sender_id != payer_id
                  and later.get((sender_id, beneficiary_id), -1) <= now]
        if others:
            total = math.fsum(others)
            best = max(best, total / len(others))
            weighted += total
            count += len(others)
    return {"co_payers_score_max": best,
            "co_payers_score_mean": weighted / count if count else 0.0}


def facilitator_vector(state: PartyState, beneficiary_id: str, graph: GraphContext,
                       payer_scores: bool = True,
                       cache: RowCache | None = None) -> dict[str, float]:
    """The beneficiary's row of the facilitator feature table, as of the state's clock
    (``payer_scores=False``: without the payer-suspicion columns, for a caller that sets
    them after scoring the payers; ``cache``: totals kept current by the screener)."""
    b = state.beneficiaries[beneficiary_id]
    totals = cache.pair_totals(beneficiary_id, b) if cache is not None else PairTotals.of(b)
    n = b.n_incoming
    out = {"n_incoming": float(n), "n_incoming_corridor": float(b.n_corridor),
           "n_payer_countries": float(len(b.countries)),
           "incoming_amount_median": _median_sorted(totals.amounts),
           "incoming_amount_total": b.total,
           "incoming_night_share": _div(b.night_foreign, b.foreign),
           "incoming_span_days": b.last_day - b.first_day}
    for flag in ("is_small", "is_round", "is_cover", "is_platform", "is_kin", "is_card",
                 "is_wallet"):
        out[f"incoming_{flag[3:]}_share"] = b.counts.get(flag, 0) / n
    out.update(_structure(state, beneficiary_id, b, graph, totals, cache))
    names = ("payers_escalation_mean", "payers_rate_mean", "payers_new_beneficiary_rate_mean",
             "payers_age_mean")
    out.update({name: _div(b.profile_sum[i], b.profile_count[i]) for i, name in enumerate(names)})
    out["foreign_payer_share"] = out["foreign_payers"] / out["n_payers"]
    out["unrelated_small_share"] = out["unrelated_small_payers"] / out["n_payers"]
    if payer_scores:
        out.update(payer_suspicion(b, graph.payer_scores))
    return out

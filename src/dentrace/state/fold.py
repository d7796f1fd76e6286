"""Party state kept current as payments arrive: per payer, per beneficiary and per pair the
running aggregates the feature definitions need, with bounded histories for medians and rhythm.

Counts, sums, sums of squares, first/last days, sets of countries and months, and pair tables
are exact. Medians, interval statistics and amount ranks use the last ``HISTORY`` corridor
payments of a payer (last ``HISTORY`` incoming amounts of a beneficiary): exact below that.
Graph results that need the whole graph (den sizes, shared-payer links, known-label PageRank)
are taken from the last scan and refreshed by the next scan (see docs/screening.md).
"""

from __future__ import annotations

import bisect
import math
from collections import deque
from dataclasses import dataclass, field

from dentrace.features.registry import FIXED_SUM_CV
from dentrace.state.flags import FlaggedPayment

HISTORY = 512  # corridor payments per payer, incoming amounts per beneficiary
NAN = math.nan
PROFILE_SIZE = 4  # escalation, rate, new_beneficiary_rate, age (dentrace.graph.profile)


@dataclass(slots=True)
class PairState:
    """One (payer, beneficiary) pair: the columns of ``payer_pairs`` and the pair's months."""

    payments: int = 0
    n_corridor: int = 0
    foreign: bool = False
    family: bool = False
    total: float = 0.0
    squares: float = 0.0
    first_day: float = math.inf
    last_day: float = -math.inf
    months: set[int] = field(default_factory=set)  # corridor months
    unrelated_small: bool = False
    profile_in: tuple[float, ...] | None = None  # payer profile counted in the beneficiary

    @property
    def corridor(self) -> bool:
        return self.n_corridor > 0

    @property
    def span(self) -> float:
        return self.last_day - self.first_day

    def fixed(self) -> bool:
        if self.payments < 3:
            return False
        mean = self.total / self.payments
        std = math.sqrt(max(self.squares / self.payments - mean * mean, 0.0))
        return (std / mean if mean else 0.0) < FIXED_SUM_CV

    def small(self, band: tuple[float, float]) -> bool:
        return band[0] <= self.total / self.payments <= band[1]


@dataclass(slots=True)
class PayerState:
    """Running aggregates of everything one sender paid (``totals``, rhythm, beneficiaries)."""

    n_payments: int = 0
    night: int = 0
    crypto: int = 0
    first_day: float = math.inf
    last_day: float = -math.inf
    webcam_count: int = 0
    webcam_amount: float = 0.0
    travel_count: int = 0
    travel_high_risk: int = 0
    n_corridor: int = 0
    corridor_total: float = 0.0
    corridor_squares: float = 0.0
    corridor_first_day: float = math.inf
    corridor_last_day: float = -math.inf
    counts: dict[str, int] = field(default_factory=dict)  # corridor flag -> payments
    countries: set[str] = field(default_factory=set)
    months: set[int] = field(default_factory=set)
    recent: deque[float] = field(default_factory=deque)  # corridor days, pruned by the clock
    history: list[tuple[float, str, float]] = field(default_factory=list)  # (day, txn, amount)
    trimmed: int = 0
    trimmed_last_day: float = NAN
    trimmed_gap_min: float = math.inf
    pairs: dict[str, PairState] = field(default_factory=dict)
    profile: tuple[float, ...] = (NAN,) * PROFILE_SIZE


@dataclass(slots=True)
class BeneficiaryState:
    """Running aggregates of everything one beneficiary received (``incoming_features``)."""

    n_incoming: int = 0
    n_corridor: int = 0
    total: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    foreign: int = 0
    night_foreign: int = 0
    countries: set[str] = field(default_factory=set)
    first_day: float = math.inf
    last_day: float = -math.inf
    amounts: deque[float] = field(default_factory=lambda: deque(maxlen=HISTORY))
    pairs: dict[str, PairState] = field(default_factory=dict)
    unrelated_small_payers: int = 0
    corridor_payers: int = 0
    profile_sum: list[float] = field(default_factory=lambda: [0.0] * PROFILE_SIZE)
    profile_count: list[int] = field(default_factory=lambda: [0] * PROFILE_SIZE)


PAYER_FLAGS = ("is_small", "is_session", "is_round", "is_night", "is_cover", "is_platform",
               "is_kin", "is_wallet", "is_remittance")
BENEFICIARY_FLAGS = ("is_small", "is_round", "is_cover", "is_platform", "is_kin", "is_card",
                     "is_wallet")


class PartyState:
    """All parties' running aggregates; ``add`` folds one flagged payment in."""

    def __init__(self, small_band: tuple[float, float], recent_days: int,
                 surname_family: bool = True) -> None:
        self.small_band = small_band
        self.recent_days = recent_days
        self.surname_family = surname_family
        self.payers: dict[str, PayerState] = {}
        self.beneficiaries: dict[str, BeneficiaryState] = {}
        self.clock = -math.inf  # latest day seen: the "end of the data" of the batch features
        self.payments = 0
        self.dirty: set[str] = set()  # payers whose profile waits for a refresh

    def add(self, p: FlaggedPayment) -> None:
        """Fold ``p`` into its payer, its beneficiary and their pair."""
        self.payments += 1
        self.clock = max(self.clock, p.day)
        payer = self.payers.get(p.sender_id) or self.payers.setdefault(p.sender_id, PayerState())
        beneficiary = (self.beneficiaries.get(p.beneficiary_id)
                       or self.beneficiaries.setdefault(p.beneficiary_id, BeneficiaryState()))
        pair = payer.pairs.get(p.beneficiary_id)
        if pair is None:
            pair = payer.pairs[p.beneficiary_id] = beneficiary.pairs[p.sender_id] = PairState()
        self._add_payer(payer, p)
        self._add_beneficiary(beneficiary, p)
        self._add_pair(pair, beneficiary, p)
        if p.is_corridor:
            self._add_corridor(payer, pair, p)
        self.dirty.add(p.sender_id)

    def _add_payer(self, s: PayerState, p: FlaggedPayment) -> None:
        s.n_payments += 1
        s.night += p.is_night
        s.crypto += p.is_crypto
        s.first_day, s.last_day = min(s.first_day, p.day), max(s.last_day, p.day)
        if p.is_webcam:
            s.webcam_count += 1
            s.webcam_amount += p.amount_ref
        s.travel_count += p.is_travel
        s.travel_high_risk += p.is_travel_high_risk

    def _add_beneficiary(self, b: BeneficiaryState, p: FlaggedPayment) -> None:
        b.n_incoming += 1
        b.n_corridor += p.is_corridor
        b.total += p.amount_ref
        for flag in BENEFICIARY_FLAGS:
            if getattr(p, flag):
                b.counts[flag] = b.counts.get(flag, 0) + 1
        if p.is_foreign:
            b.foreign += 1
            b.night_foreign += p.is_night
        if p.sender_country:
            b.countries.add(p.sender_country)
        b.first_day, b.last_day = min(b.first_day, p.day), max(b.last_day, p.day)
        b.amounts.append(p.amount_ref)

    def _add_pair(self, pair: PairState, b: BeneficiaryState, p: FlaggedPayment) -> None:
        was_corridor, was_unrelated = pair.corridor, pair.unrelated_small
        pair.payments += 1
        pair.total += p.amount_ref
        pair.squares += p.amount_ref * p.amount_ref
        pair.foreign |= p.is_foreign
        pair.first_day, pair.last_day = min(pair.first_day, p.day), max(pair.last_day, p.day)
        if p.is_corridor:
            if pair.n_corridor == 0:  # names are compared on the pair's corridor payments
                family = p.is_family if p.is_family is not None else p.shares_surname
                pair.family = bool(family) and self.surname_family
            pair.n_corridor += 1
            pair.months.add(p.month)
        pair.unrelated_small = (pair.corridor and pair.small(self.small_band)
                                and not pair.family and not pair.fixed())
        b.unrelated_small_payers += pair.unrelated_small - was_unrelated
        if pair.corridor and not was_corridor:
            b.corridor_payers += 1

    def _add_corridor(self, s: PayerState, pair: PairState, p: FlaggedPayment) -> None:
        s.n_corridor += 1
        s.corridor_total += p.amount_ref
        s.corridor_squares += p.amount_ref * p.amount_ref
        s.corridor_first_day = min(s.corridor_first_day, p.day)
        s.corridor_last_day = max(s.corridor_last_day, p.day)
        for flag in PAYER_FLAGS:
            if getattr(p, flag):
                s.counts[flag] = s.counts.get(flag, 0) + 1
        s.counts["family"] = s.counts.get("family", 0) + pair.family
        s.counts["foreign_small"] = s.counts.get("foreign_small", 0) + (
            p.is_foreign and p.is_small)
        if p.beneficiary_country:
            s.countries.add(p.beneficiary_country)
        s.months.add(p.month)
        s.recent.append(p.day)
        bisect.insort(s.history, (p.day, p.txn_id, p.amount_ref))
        if len(s.history) > HISTORY:
            day = s.history.pop(0)[0]
            if not math.isnan(s.trimmed_last_day):
                s.trimmed_gap_min = min(s.trimmed_gap_min, day - s.trimmed_last_day)
            s.trimmed_last_day = day
            s.trimmed += 1

    def recent_corridor(self, s: PayerState) -> int:
        """Corridor payments of ``s`` in the recent window before the clock."""
        since = self.clock - self.recent_days
        while s.recent and s.recent[0] < since:
            s.recent.popleft()
        return sum(1 for day in s.recent if day >= since)

    def set_profile(self, sender_id: str, profile: tuple[float, ...]) -> None:
        """Store a payer's profile and move it into the sums of its corridor beneficiaries."""
        s = self.payers[sender_id]
        s.profile = profile
        self.dirty.discard(sender_id)
        for beneficiary_id, pair in s.pairs.items():
            if not pair.corridor:
                continue
            b = self.beneficiaries[beneficiary_id]
            for i in range(PROFILE_SIZE):
                if pair.profile_in is not None and not math.isnan(pair.profile_in[i]):
                    b.profile_sum[i] -= pair.profile_in[i]
                    b.profile_count[i] -= 1
                if not math.isnan(profile[i]):
                    b.profile_sum[i] += profile[i]
                    b.profile_count[i] += 1
            pair.profile_in = profile

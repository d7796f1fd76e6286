"""Totals over a beneficiary's pairs and its co-payers' links, kept current payment by payment,
so a facilitator row costs about O(log payers) instead of a loop over every payer's pairs.

``PairTotals.of(b)`` gives the counts, sorted spans and sorted kept amounts of a beneficiary;
``links`` the collectors each payer pays. A ``RowCache`` updates them around every fold
(``before_add`` / ``after_add``) and rebuilds an entry from the state whenever the state
changed without it (a count differs), so results always equal a fresh computation.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from dentrace.state.flags import FlaggedPayment
from dentrace.state.fold import BeneficiaryState, PairState, PartyState


@dataclass(slots=True)
class PairTotals:
    """What the facilitator row reads from all pairs of one beneficiary."""

    n_incoming: int  # the beneficiary's payments these totals include
    foreign: int = 0
    fixed: int = 0
    family: int = 0
    spans: list[float] = field(default_factory=list)  # sorted
    amounts: list[float] = field(default_factory=list)  # the kept amounts, sorted

    @classmethod
    def of(cls, b: BeneficiaryState) -> PairTotals:
        totals = cls(b.n_incoming, amounts=sorted(b.amounts))
        for pair in b.pairs.values():
            totals.foreign += pair.foreign
            totals.fixed += pair.fixed()
            totals.family += pair.family
            totals.spans.append(pair.last_day - pair.first_day)
        totals.spans.sort()
        return totals

    def count(self, pair: PairState, sign: int) -> None:
        """Add (``sign`` 1) or take out (-1) one pair."""
        self.foreign += sign * pair.foreign
        self.fixed += sign * pair.fixed()
        self.family += sign * pair.family
        span = pair.last_day - pair.first_day
        if sign < 0:
            del self.spans[bisect.bisect_left(self.spans, span)]
        else:
            bisect.insort(self.spans, span)


@dataclass(slots=True)
class _Before:
    totals: PairTotals
    pair: PairState | None  # a copy of the pair before the payment
    evicted: float | None  # the amount the beneficiary's history drops


class RowCache:
    """Pair totals per beneficiary and suspected collectors paid per payer, for one state."""

    def __init__(self, state: PartyState, min_fan_in: int) -> None:
        self.state = state
        self.min_fan_in = min_fan_in
        self.totals: dict[str, PairTotals] = {}
        # payer -> (its payment count, fan-in epoch, suspected collectors, known facilitators)
        self.paid: dict[str, tuple[int, int, int, int]] = {}
        self.epoch = 0  # changes whenever a beneficiary becomes or stops being suspected
        self.payments = state.payments

    def _check(self) -> None:
        if self.payments != self.state.payments:  # folded without us: start again
            self.totals.clear()
            self.paid.clear()
            self.epoch += 1
            self.payments = self.state.payments

    def before_add(self, p: FlaggedPayment) -> tuple[_Before | None, bool]:
        """What ``after_add`` needs: the pair and history before ``p`` is folded."""
        self._check()
        b = self.state.beneficiaries.get(p.beneficiary_id)
        suspect = b is not None and b.unrelated_small_payers >= self.min_fan_in
        totals = self.totals.get(p.beneficiary_id)
        if b is None or totals is None or totals.n_incoming != b.n_incoming:
            self.totals.pop(p.beneficiary_id, None)
            return None, suspect
        pair = b.pairs.get(p.sender_id)
        old = None
        if pair is not None:
            old = PairState(payments=pair.payments, foreign=pair.foreign, family=pair.family,
                            total=pair.total, squares=pair.squares,
                            first_day=pair.first_day, last_day=pair.last_day)
        full = b.amounts.maxlen is not None and len(b.amounts) == b.amounts.maxlen
        return _Before(totals, old, b.amounts[0] if full else None), suspect

    def after_add(self, p: FlaggedPayment, before: tuple[_Before | None, bool]) -> None:
        """Move ``p``'s pair and amount into the totals; note a change of fan-in status."""
        kept, was_suspect = before
        b = self.state.beneficiaries[p.beneficiary_id]
        self.payments = self.state.payments
        if was_suspect != (b.unrelated_small_payers >= self.min_fan_in):
            self.epoch += 1
        if kept is None:
            return
        totals = kept.totals
        if kept.pair is not None:
            totals.count(kept.pair, -1)
        totals.count(b.pairs[p.sender_id], 1)
        if kept.evicted is not None:
            del totals.amounts[bisect.bisect_left(totals.amounts, kept.evicted)]
        bisect.insort(totals.amounts, p.amount_ref)
        totals.n_incoming = b.n_incoming

    def pair_totals(self, beneficiary_id: str, b: BeneficiaryState) -> PairTotals:
        self._check()
        totals = self.totals.get(beneficiary_id)
        if totals is None or totals.n_incoming != b.n_incoming:
            totals = self.totals[beneficiary_id] = PairTotals.of(b)
        return totals

    def links(self, sender_id: str, facilitators: set[str]) -> tuple[int, int]:
        """Corridor beneficiaries of the payer that are suspected collectors (fan-in), and
        that are known facilitators."""
        self._check()
        s = self.state.payers[sender_id]
        found = self.paid.get(sender_id)
        if found is not None and found[0] == s.n_payments and found[1] == self.epoch:
            return found[2], found[3]
        paid, near = payer_links(self.state, sender_id, self.min_fan_in, facilitators)
        self.paid[sender_id] = (s.n_payments, self.epoch, paid, near)
        return paid, near


def payer_links(state: PartyState, sender_id: str, min_fan_in: int,
                facilitators: set[str]) -> tuple[int, int]:
    """``RowCache.links`` computed from the state."""
    paid = near = 0
    beneficiaries = state.beneficiaries
    for f_id, q in state.payers[sender_id].pairs.items():
        if q.n_corridor:
            paid += beneficiaries[f_id].unrelated_small_payers >= min_fan_in
            near += f_id in facilitators
    return paid, near

"""Screen one payment: fold it into the party state, rebuild the payer's and the beneficiary's
feature rows, score both with the scan's scorers and decide allow, review or hold."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from dentrace.contract.alert import KNOWN_REASON
from dentrace.errors import ConfigError, InputError
from dentrace.features.rows import FeatureRows
from dentrace.screen.scoring import RoleScorer
from dentrace.state.features import (
    GraphContext,
    co_payer_suspicion,
    facilitator_vector,
    payer_suspicion,
    payer_vector,
)
from dentrace.state.flags import FlaggedPayment, PaymentFlagger
from dentrace.state.fold import PartyState
from dentrace.state.stored import StoredParties
from dentrace.state.totals import RowCache

DECISIONS = ("allow", "review", "hold")


@dataclass(frozen=True)
class Thresholds:
    """Hold at or above ``hold``; review at or above ``review_ratio * hold``; else allow."""

    hold: dict[str, float]
    review_ratio: float = 0.5
    source: str = "config"

    def __post_init__(self) -> None:
        if not 0 < self.review_ratio <= 1:
            raise ConfigError(f"review ratio must be in (0, 1], got {self.review_ratio}")

    def decide(self, role: str, score: float) -> str:
        hold = self.hold[role]
        if score >= hold:
            return "hold"
        return "review" if score >= hold * self.review_ratio else "allow"


@dataclass
class Screener:
    """Party state, flagger, scorers and thresholds: everything a screening needs, in memory."""

    state: PartyState
    flagger: PaymentFlagger
    scorers: dict[str, RoleScorer]
    thresholds: Thresholds
    graph: GraphContext
    rates: dict[str, float]  # currency -> factor to the reporting currency
    scan_scores: dict[tuple[str, str], float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    cache: RowCache | None = None  # totals behind the facilitator rows, kept per payment
    # the payers' second stage (co-payers' first-stage scores), when the scan has one
    second: RoleScorer | None = None
    # parties read from the workspace's party state store as payments need them (None: the
    # state holds every party, replayed from the warehouse)
    parties: StoredParties | None = None

    def size(self) -> dict[str, int]:
        """Payments folded into the state, payers and beneficiaries in memory."""
        return {"payments": self.state.payments, "payers": len(self.state.payers),
                "beneficiaries": len(self.state.beneficiaries)}

    def amount_ref(self, payment: dict[str, Any], source: str = "request") -> float:
        factor = self.rates.get(payment["currency"])
        if factor is None:
            raise InputError(f"no exchange rate for currency '{payment['currency']}'",
                             file=source, field="currency")
        return float(payment["amount"]) * factor

    def rows(self, payment: dict[str, Any]) -> dict[str, dict[str, float]]:
        """Fold ``payment`` (contract fields, parsed) in; the two parties' feature rows."""
        flagged = self.flagger.flag(payment, payment["ts"], self.amount_ref(payment))
        with self.lock:
            self._load([flagged])
            return self._fold(flagged)

    def _row_cache(self) -> RowCache:
        if self.cache is None or self.cache.state is not self.state:
            self.cache = RowCache(self.state, self.graph.min_fan_in)
        return self.cache

    def _load(self, flagged: list[FlaggedPayment]) -> None:
        """Read from the store what the rows of ``flagged`` need (nothing without a store)."""
        if self.parties is not None:
            self.parties.prepare(flagged, self._row_cache())

    def _fold(self, flagged: FlaggedPayment,
              payer_scores: bool = True) -> dict[str, dict[str, float]]:
        cache = self._row_cache()
        before = cache.before_add(flagged)
        self.state.add(flagged)
        cache.after_add(flagged, before)
        return {"payer": payer_vector(self.state, flagged.sender_id, self.graph),
                "facilitator": facilitator_vector(self.state, flagged.beneficiary_id,
                                                  self.graph, payer_scores, cache)}

    def _new_corridor_pair(self, flagged: FlaggedPayment) -> bool:
        """True when ``flagged`` (not yet folded) makes its pair a corridor pair."""
        if not flagged.is_corridor:
            return False
        payer = self.state.payers.get(flagged.sender_id)
        pair = payer.pairs.get(flagged.beneficiary_id) if payer is not None else None
        return pair is None or not pair.corridor

    def _suspicion_in_order(self, flagged: list[FlaggedPayment], new_pairs: list[bool],
                            payer_scores: list[float],
                            rows: list[dict[str, dict[str, float]]]) -> None:
        """Record each payer's new score and set its beneficiary's payer-suspicion columns in
        payment order, as if the batch's payments had been screened one by one: payment i
        sees the scores of the batch's payers up to i, and not the corridor pairs opened by
        later payments of the batch."""
        later: dict[str, set[str]] = {}
        excluded: list[frozenset[str]] = [frozenset()] * len(flagged)
        opened_at: dict[tuple[str, str], int] = {}
        for i in range(len(flagged) - 1, -1, -1):
            beneficiary_id = flagged[i].beneficiary_id
            if beneficiary_id in later:
                excluded[i] = frozenset(later[beneficiary_id])
            if new_pairs[i]:
                later.setdefault(beneficiary_id, set()).add(flagged[i].sender_id)
                opened_at[(flagged[i].sender_id, beneficiary_id)] = i
        scores = self.graph.payer_scores
        for i, (f, score, row, skip) in enumerate(zip(flagged, payer_scores, rows, excluded,
                                                      strict=True)):
            scores[f.sender_id] = score
            row["facilitator"].update(
                payer_suspicion(self.state.beneficiaries[f.beneficiary_id], scores, skip))
            if self.second is not None:  # the co-payers' first-stage scores as of payment i
                row["payer"].update(co_payer_suspicion(self.state, f.sender_id, scores,
                                                       opened_at, i))

    def rescore_payers(self, payer_ids: list[str] | None = None) -> None:
        """Score payers again from the current state (by default all in memory: with a store,
        those read so far) and keep their scores for the payer-suspicion columns, e.g. after
        replaying payments with ``rows``."""
        ids = list(self.state.payers) if payer_ids is None else payer_ids
        with self.lock:
            rows = [payer_vector(self.state, i, self.graph) for i in ids]
        for start in range(0, len(ids), 4096):
            part = ids[start:start + 4096]
            frame = FeatureRows.of_rows(rows[start:start + 4096], part)
            scorer = self.scorers["payer"]
            scores = scorer.scores(frame, scorer.strengths_of(frame))
            for party_id, score in zip(part, scores, strict=True):
                self.graph.payer_scores[party_id] = (1.0 if self._known("payer", party_id)
                                                     else float(score))

    def _known(self, role: str, party_id: str) -> bool:
        labels = self.graph.offenders if role == "payer" else self.graph.facilitators
        return party_id in labels

    def _parties(self, role: str, party_ids: list[str], rows: list[dict[str, float]],
                 done: Any = None) -> list[dict[str, Any]]:
        """Score, decision and reasons of each party of ``role``: one scoring call for all.
        ``done(scores)`` runs on the raw scores (known parties 1) before the rows are read;
        a payer's second stage then scores the rows ``done`` completed."""
        scorer = self.scorers[role]
        frame = FeatureRows.of_rows(rows, party_ids)
        strengths = scorer.strengths_of(frame)
        raw = scorer.scores(frame, strengths)
        scores = [1.0 if self._known(role, i) else float(s) for i, s in zip(party_ids, raw,
                                                                              strict=True)]
        if done is not None:
            done(scores)
        if role == "payer" and self.second is not None:
            raw = self.second.scores(FeatureRows.of_rows(rows, party_ids), strengths)
            scores = [1.0 if self._known(role, i) else float(s)
                      for i, s in zip(party_ids, raw, strict=True)]
        holds = scorer.holds_of(frame)
        out = []
        for j, party_id in enumerate(party_ids):
            reasons = scorer.reasons({code: float(v[j]) for code, v in strengths.items()},
                                     {code: bool(v[j]) for code, v in holds.items()},
                                     None if self._known(role, party_id) else scores[j])
            if self._known(role, party_id):
                reasons.insert(0, {"code": KNOWN_REASON, "strength": 1.0,
                                   "text": f"known {'offender' if role == 'payer' else role}"})
            out.append({"party_id": party_id, "role": role, "score": round(scores[j], 6),
                        "decision": self.thresholds.decide(role, scores[j]),
                        "hold_threshold": self.thresholds.hold[role],
                        "scan_score": self.scan_scores.get((role, party_id)),
                        "reasons": reasons})
        return out

    def screen(self, payment: dict[str, Any]) -> dict[str, Any]:
        """The decision on one parsed payment, with each party's score and reasons."""
        [outcome] = self.screen_many([payment])
        if isinstance(outcome, InputError):
            raise outcome
        return outcome

    def screen_many(self, payments: list[dict[str, Any]]) -> list[dict[str, Any] | InputError]:
        """Decisions on parsed payments, folded in their order (each one sees the state with
        the payments before it); the rows of all of them are scored in one call per role.
        A payment that cannot be flagged (e.g. unknown currency) gets its ``InputError``."""
        started = time.perf_counter()
        outcomes: list[dict[str, Any] | InputError] = []
        flagged: list[FlaggedPayment] = []
        for payment in payments:
            try:
                flagged.append(self.flagger.flag(payment, payment["ts"],
                                                 self.amount_ref(payment)))
                outcomes.append({})
            except InputError as error:
                outcomes.append(error)
        if not flagged:
            return outcomes
        with self.lock:
            self._load(flagged)
            new_pairs, rows = [], []
            for f in flagged:
                new_pairs.append(self._new_corridor_pair(f))
                rows.append(self._fold(f, payer_scores=False))  # set after the payers
            payers = self._parties(
                "payer", [f.sender_id for f in flagged], [r["payer"] for r in rows],
                lambda scores: self._suspicion_in_order(flagged, new_pairs, scores, rows))
            beneficiaries = self._parties("facilitator", [f.beneficiary_id for f in flagged],
                                          [r["facilitator"] for r in rows])
        elapsed = round((time.perf_counter() - started) * 1000, 3)
        done = iter(zip(flagged, payers, beneficiaries, strict=True))
        for i, outcome in enumerate(outcomes):
            if isinstance(outcome, InputError):
                continue
            f, payer, beneficiary = next(done)
            decision = max(payer["decision"], beneficiary["decision"], key=DECISIONS.index)
            outcomes[i] = {"txn_id": f.txn_id, "decision": decision,
                           "score": max(payer["score"], beneficiary["score"]),
                           "payer": payer, "beneficiary": beneficiary, "elapsed_ms": elapsed}
        return outcomes

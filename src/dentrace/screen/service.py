"""Screen one payment: fold it into the party state, rebuild the payer's and the beneficiary's
feature rows, score both with the scan's scorers and decide allow, review or hold."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from dentrace.detect.explain import KNOWN_REASON
from dentrace.errors import ConfigError
from dentrace.screen.features import GraphContext, facilitator_vector, payer_vector
from dentrace.screen.flags import PaymentFlagger
from dentrace.screen.scoring import RoleScorer, RowFrame
from dentrace.screen.state import PartyState

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

    def amount_ref(self, payment: dict[str, Any], source: str = "request") -> float:
        from dentrace.errors import InputError

        factor = self.rates.get(payment["currency"])
        if factor is None:
            raise InputError(f"no exchange rate for currency '{payment['currency']}'",
                             file=source, field="currency")
        return float(payment["amount"]) * factor

    def rows(self, payment: dict[str, Any]) -> dict[str, dict[str, float]]:
        """Fold ``payment`` (contract fields, parsed) in; the two parties' feature rows."""
        flagged = self.flagger.flag(payment, payment["ts"], self.amount_ref(payment))
        with self.lock:
            self.state.add(flagged)
            return {"payer": payer_vector(self.state, flagged.sender_id, self.graph),
                    "facilitator": facilitator_vector(self.state, flagged.beneficiary_id,
                                                      self.graph)}

    def _known(self, role: str, party_id: str) -> bool:
        labels = self.graph.offenders if role == "payer" else self.graph.facilitators
        return party_id in labels

    def _party(self, role: str, party_id: str, row: dict[str, float]) -> dict[str, Any]:
        scorer = self.scorers[role]
        frame = RowFrame(row, party_id)
        strengths = scorer.strengths(frame)
        known = self._known(role, party_id)
        score = 1.0 if known else scorer.score(frame, strengths)
        reasons = scorer.reasons(strengths)
        if known:
            reasons.insert(0, {"code": KNOWN_REASON, "strength": 1.0,
                               "text": f"known {'offender' if role == 'payer' else role}"})
        return {"party_id": party_id, "role": role, "score": round(score, 6),
                "decision": self.thresholds.decide(role, score),
                "hold_threshold": self.thresholds.hold[role],
                "scan_score": self.scan_scores.get((role, party_id)), "reasons": reasons}

    def screen(self, payment: dict[str, Any]) -> dict[str, Any]:
        """The decision on one parsed payment, with each party's score and reasons."""
        started = time.perf_counter()
        rows = self.rows(payment)
        payer = self._party("payer", str(payment["sender_id"]), rows["payer"])
        beneficiary = self._party("facilitator", str(payment["beneficiary_id"]),
                                  rows["facilitator"])
        decision = max(payer["decision"], beneficiary["decision"], key=DECISIONS.index)
        return {"txn_id": payment["txn_id"], "decision": decision,
                "score": max(payer["score"], beneficiary["score"]),
                "payer": payer, "beneficiary": beneficiary,
                "elapsed_ms": round((time.perf_counter() - started) * 1000, 3)}

"""The alert record: one alerted party with its reasons as structured items, from the scan to
the queue, the app and the reports; the files and database rows holding alerts are its columns.

A reason carries its code, its sentence, the values the sentence quotes, the counterparties and
(a bounded sample of) the transactions behind it, and its contribution to the score. Every
store keeps the reasons' codes (``reasons``, ';'-joined), the sentences (``explanation``) and
the transaction ids as before, plus ``reason_details`` (this module's JSON of the reasons);
``AlertRecord.of_columns`` reads either, so alerts written before ``reason_details`` existed
still open (their reasons then have codes only and the old explanation is kept whole).
Nothing reads the sentences back: they are for people.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from dentrace.errors import InputError

KNOWN_REASON = "KNOWN"
# How a reason's contribution is computed (``Reason.contribution``). The score is split among
# the indicators in proportion to weight × strength, the terms of the rule score
# 1 - exp(-Σ weight × strength): exact shares for the rule scorer. A learned model's score is
# not a sum over indicators, so for it the same split is an attribution by the rule weights,
# not the model's own. What lifts a score on top of the scorer's gets its lift: KNOWN (a known
# party's score is 1) and SHARED_SIGNAL (other institutions' signals).
ATTRIBUTION = {
    "rules": "the rule score split by weight × strength",
    "rule weights": "the model's score split by the rule weights × strength (not the model's "
                    "own attribution)",
}
MAX_COUNTERPARTIES = 10  # per reason, the ones with most payments behind it


class Counterparty(BaseModel):
    """A party on the other side of the payments behind a reason."""

    model_config = ConfigDict(frozen=True)

    party_id: str
    # the customer's KYC name, else the name as written on the payments; None: none given
    name: str | None = None
    payments: int = Field(default=0, ge=0)  # payments with it behind the reason

    def label(self) -> str:
        """'F-1 (Maria Santos)', or the id alone when no name is held."""
        return f"{self.party_id} ({self.name})" if self.name else self.party_id


class Reason(BaseModel):
    """One indicator behind an alert, with its evidence."""

    model_config = ConfigDict(frozen=True)

    code: str = Field(min_length=1)
    text: str = ""  # plain language, with the values; empty for alerts of an older scan
    values: dict[str, float | None] = Field(default_factory=dict)  # what ``text`` quotes
    counterparties: tuple[Counterparty, ...] = ()
    txn_ids: tuple[str, ...] = ()  # the first ones in time, bounded per reason
    strength: float | None = None  # 0-1; None when not recorded
    contribution: float | None = None  # points of the 0-1 score (``ATTRIBUTION``)

    def counterparty_labels(self) -> str:
        """The counterparties as one phrase, most payments first ('' when none)."""
        return ", ".join(c.label() for c in self.counterparties)


_REASONS = TypeAdapter(list[Reason])


class AlertRecord(BaseModel):
    """One alerted party of one scan: what the queue, the app and the reports show."""

    model_config = ConfigDict(frozen=True)

    party_id: str = Field(min_length=1)
    role: str
    score: float
    reasons: tuple[Reason, ...] = ()
    attribution: str | None = None  # a key of ``ATTRIBUTION``; None for older scans
    # the whole explanation of an alert written before reasons were structured
    legacy_explanation: str = ""

    @property
    def codes(self) -> list[str]:
        """The reasons' codes, strongest first."""
        return [r.code for r in self.reasons]

    @property
    def explanation(self) -> str:
        """The sentences as one text for people (CSV exports, the goAML narrative)."""
        if self.legacy_explanation:
            return self.legacy_explanation
        return "; ".join(f"{r.code}: {r.text}" for r in self.reasons if r.text)

    @property
    def txn_ids(self) -> list[str]:
        """Every reason's transaction ids, once each, in reason order."""
        return list(dict.fromkeys(t for r in self.reasons for t in r.txn_ids))

    def columns(self) -> dict[str, Any]:
        """The record as the columns of alerts.parquet and of the cases database's rows
        (``txn_ids`` as a list: the database keeps it as JSON text)."""
        return {"party_id": self.party_id, "role": self.role, "score": self.score,
                "reasons": ";".join(self.codes), "explanation": self.explanation,
                "txn_ids": self.txn_ids, "reason_details": details_json(self)}

    @classmethod
    def of_columns(cls, row: Mapping[str, Any], *, where: str = "alert") -> AlertRecord:
        """The record from stored columns (``columns``'s, or an older store's without
        ``reason_details``: codes and the explanation kept whole); a bad ``reason_details``
        raises InputError naming ``where`` and the field."""
        details = row.get("reason_details")
        party, role, score = str(row["party_id"]), str(row["role"]), float(row["score"])
        if details:
            try:
                stored = json.loads(details) if isinstance(details, str | bytes) else details
                return cls(party_id=party, role=role, score=score,
                           reasons=tuple(_REASONS.validate_python(stored["reasons"])),
                           attribution=stored.get("attribution"))
            except (ValueError, TypeError, KeyError, ValidationError) as error:
                raise InputError(f"not a list of reasons: {str(error)[:300]}", file=where,
                                 field="reason_details") from error
        codes = [c for c in str(row.get("reasons") or "").split(";") if c]
        ids = txn_id_list(row.get("txn_ids"))
        # the ids of an older alert are not per reason: each reason gets them all, as before
        reasons = tuple(Reason(code=c, txn_ids=tuple(ids)) for c in codes)
        return cls(party_id=party, role=role, score=score, reasons=reasons,
                   legacy_explanation=str(row.get("explanation") or ""))


def details_json(record: AlertRecord) -> str:
    """The ``reason_details`` column: the reasons and how their contributions were computed."""
    return json.dumps({"attribution": record.attribution,
                       "reasons": _REASONS.dump_python(list(record.reasons), mode="json")},
                      ensure_ascii=False)


def txn_id_list(value: Any) -> list[str]:
    """Transaction ids as stored: a list (parquet), JSON text (the cases database) or None."""
    if value is None:
        return []
    if isinstance(value, str):
        value = json.loads(value) if value else []
    return [str(t) for t in value]


def contributions(score: float, weighted: Mapping[str, float],
                  lifts: Mapping[str, float] | None = None) -> dict[str, float]:
    """Each code's contribution to ``score`` (``ATTRIBUTION``): ``weighted`` is weight ×
    strength per indicator; ``lifts`` what a code added on top of the scorer's score (a known
    label lifting it to 1, other institutions' signals); the indicators share the rest."""
    lifted = dict(lifts or {})
    spread = score - sum(lifted.values())
    total = sum(v for v in weighted.values() if v > 0)
    out = {code: spread * v / total if total > 0 else 0.0
           for code, v in weighted.items() if v > 0}
    out.update(lifted)
    return out


def reason_order(codes: Sequence[str], strengths: np.ndarray, weights: Mapping[str, float],
                 min_strength: float, holds: np.ndarray | None = None) -> list[list[str]]:
    """THE order of reasons, per row of ``strengths`` (rows × ``codes``): the codes whose
    strength reaches ``min_strength`` and whose evidence holds (``holds``, same shape; all when
    None), by weight × strength, strongest first; equal ones keep the order of ``codes``."""
    values = np.asarray(strengths, dtype="float64").reshape(-1, len(codes))
    if values.shape[1] == 0:
        return [[] for _ in range(len(values))]
    names = np.array(codes, dtype=object)
    weighted = values * np.array([weights.get(c, 1.0) for c in codes])
    order = np.argsort(-weighted, axis=1, kind="stable")
    keep = np.take_along_axis(values, order, axis=1) >= min_strength
    if holds is not None:
        keep &= np.take_along_axis(np.asarray(holds, dtype=bool).reshape(values.shape), order,
                                   axis=1)
    return [list(names[order[i][keep[i]]]) for i in range(len(values))]

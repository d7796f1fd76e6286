"""What the workflow returns: plain, immutable views of alerts and cases for CLI and web.

No ORM object leaves a session; views carry usernames rather than user ids.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dentrace.contract.alert import AlertRecord, Reason
from dentrace.store.sql.models import (
    Alert,
    Case,
    CaseMember,
    CaseNote,
    CaseParty,
    CaseTransaction,
    User,
)


@dataclass(frozen=True)
class AlertView:
    """One alert in the queue with its disposition."""

    id: int
    scan_id: str
    party_id: str
    role: str
    score: float
    reasons: list[str]
    explanation: str
    txn_ids: list[str]
    status: str
    disposition_reason: str | None
    disposed_by: str | None
    disposed_at: datetime | None
    case_id: int | None
    created_at: datetime
    # the record's structured reasons (``reasons`` and ``explanation`` are their codes and text)
    reason_details: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class NoteView:
    """A note on a case."""

    id: int
    author: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class CaseSummary:
    """A line of the case list."""

    id: int
    title: str
    status: str
    assignee: str | None
    parties: int
    updated_at: datetime
    restricted: bool = False


@dataclass(frozen=True)
class CaseView:
    """A case with its parties, transactions, notes, alerts and four-eyes trail."""

    id: int
    title: str
    status: str
    assignee: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    submitted_by: str | None
    submitted_at: datetime | None
    approved_by: str | None
    approved_at: datetime | None
    closed_reason: str | None
    parties: list[tuple[str, str]]
    txn_ids: list[str]
    notes: list[NoteView]
    alert_ids: list[int]
    restricted: bool = False
    members: list[str] = field(default_factory=list)  # usernames named on a restricted case


def usernames(session: Session) -> dict[int, str]:
    """User id → username, for turning ids into names."""
    return {uid: name for uid, name in session.execute(select(User.id, User.username))}


def alert_view(alert: Alert, names: dict[int, str],
               hidden: Collection[int] = frozenset()) -> AlertView:
    """The view of one alert row; its case id is left out when in ``hidden`` (a restricted
    case the reader may not see)."""
    record = alert_record(alert)
    return AlertView(
        id=alert.id, scan_id=alert.scan_id, party_id=alert.party_id, role=alert.role,
        score=alert.score, reasons=record.codes, explanation=record.explanation,
        txn_ids=json.loads(alert.txn_ids), status=alert.status,
        disposition_reason=alert.disposition_reason,
        disposed_by=names.get(alert.disposed_by) if alert.disposed_by else None,
        disposed_at=alert.disposed_at,
        case_id=alert.case_id if alert.case_id not in hidden else None,
        created_at=alert.created_at, reason_details=record.reasons,
    )


def case_view(session: Session, case: Case) -> CaseView:
    """The full view of one case row."""
    names = usernames(session)
    parties = session.execute(
        select(CaseParty.party_id, CaseParty.role).where(CaseParty.case_id == case.id)
        .order_by(CaseParty.party_id)
    ).all()
    txns = session.execute(
        select(CaseTransaction.txn_id).where(CaseTransaction.case_id == case.id)
        .order_by(CaseTransaction.txn_id)
    ).scalars().all()
    notes = session.execute(
        select(CaseNote).where(CaseNote.case_id == case.id).order_by(CaseNote.id)
    ).scalars().all()
    alert_ids = session.execute(
        select(Alert.id).where(Alert.case_id == case.id).order_by(Alert.id)
    ).scalars().all()
    members = session.execute(
        select(CaseMember.user_id).where(CaseMember.case_id == case.id)
    ).scalars().all()

    def name(user_id: int | None) -> str | None:
        return names.get(user_id) if user_id is not None else None

    return CaseView(
        id=case.id, title=case.title, status=case.status, assignee=name(case.assignee_id),
        created_by=names.get(case.created_by, "?"), created_at=case.created_at,
        updated_at=case.updated_at, submitted_by=name(case.submitted_by),
        submitted_at=case.submitted_at, approved_by=name(case.approved_by),
        approved_at=case.approved_at, closed_reason=case.closed_reason,
        parties=[(p, r) for p, r in parties], txn_ids=list(txns),
        notes=[NoteView(n.id, names.get(n.author_id, "?"), n.text, n.created_at) for n in notes],
        alert_ids=list(alert_ids), restricted=case.restricted,
        members=sorted(names.get(m, "?") for m in members),
    )


def alert_record(alert: Alert) -> AlertRecord:
    """The alert record of one alert row (a row imported before reason_details: codes and
    its explanation kept whole)."""
    return AlertRecord.of_columns(
        {"party_id": alert.party_id, "role": alert.role, "score": alert.score,
         "reasons": alert.reasons, "explanation": alert.explanation, "txn_ids": alert.txn_ids,
         "reason_details": alert.reason_details},
        where=f"alert {alert.id}")

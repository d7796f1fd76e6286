"""What the workflow returns: plain, immutable views of alerts and cases for CLI and web.

No ORM object leaves a session; views carry usernames rather than user ids.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dentrace.contract.alert import AlertRecord, Reason
from dentrace.store.sql.models import (
    Alert,
    Case,
    CaseAttachment,
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
    assignee: str | None = None
    due_at: datetime | None = None  # set by hand; None: due by the SLA (``CaseSettings``)
    dismissal_code: str | None = None
    # a dismissal waiting for (or confirmed after) a second review: who asked, when
    review_requested_by: str | None = None
    review_requested_at: datetime | None = None
    review_reason: str | None = None  # why a reviewer refused the last dismissal asked


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
    created_at: datetime | None = None
    due_at: datetime | None = None  # set by hand; None: due by the SLA of ``top_score``
    top_score: float | None = None  # the highest score of the case's alerts


@dataclass(frozen=True)
class AttachmentView:
    """A document attached to a case (its bytes are read through ``attachments``)."""

    id: int
    filename: str
    media_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime


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
    due_at: datetime | None = None  # set by hand; None: due by the SLA of ``top_score``
    top_score: float | None = None  # the highest score of the case's alerts
    attachments: list[AttachmentView] = field(default_factory=list)


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
        assignee=names.get(alert.assignee_id) if alert.assignee_id else None,
        due_at=alert.due_at, dismissal_code=alert.dismissal_code,
        review_requested_by=(names.get(alert.review_requested_by)
                             if alert.review_requested_by else None),
        review_requested_at=alert.review_requested_at, review_reason=alert.review_reason,
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
    top_score = session.execute(
        select(func.max(Alert.score)).where(Alert.case_id == case.id)).scalar()
    attachments = session.execute(
        select(CaseAttachment).where(CaseAttachment.case_id == case.id)
        .order_by(CaseAttachment.id)).scalars().all()

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
        due_at=case.due_at, top_score=top_score,
        attachments=[AttachmentView(a.id, a.filename, a.media_type, a.size, a.sha256,
                                    names.get(a.uploaded_by, "?"), a.uploaded_at)
                     for a in attachments],
    )


def alert_record(alert: Alert) -> AlertRecord:
    """The alert record of one alert row (a row imported before reason_details: codes and
    its explanation kept whole)."""
    return AlertRecord.of_columns(
        {"party_id": alert.party_id, "role": alert.role, "score": alert.score,
         "reasons": alert.reasons, "explanation": alert.explanation, "txn_ids": alert.txn_ids,
         "reason_details": alert.reason_details},
        where=f"alert {alert.id}")

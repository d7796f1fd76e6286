"""The end of a case: submit for approval, approve for reporting (four eyes), send back, close.

A supervisor who did not submit the case decides on it: approving makes it ``reported``; sending
back returns it to ``investigating``; closing a pending case is a decision too, under four eyes.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from dentrace import audit
from dentrace.auth import Account, FourEyesViolation, require
from dentrace.cases.casework import (
    CLOSED,
    INVESTIGATING,
    PENDING,
    REPORTED,
    load_case,
    move,
)
from dentrace.cases.errors import MissingReason
from dentrace.cases.views import CaseView, case_view
from dentrace.store.sql import Store
from dentrace.store.sql.models import Case, User, utcnow


def _log(session: Session, actor: Account, action: str, case_id: int, origin: str,
         **detail: object) -> None:
    audit.record(session, actor=actor.username, action=action, target_type="case",
                 target_id=case_id, origin=origin, detail=detail)


def _second_pair_of_eyes(user: User, case: Case) -> None:
    if case.submitted_by == user.id:
        raise FourEyesViolation(
            f"case {case.id} was submitted by '{user.username}': another supervisor must decide",
            username=user.username, action="approve_report",
        )


def submit_for_approval(
    store: Store, actor: Account, case_id: int, *, origin: str = "cli"
) -> CaseView:
    """investigating → pending_approval; remembers who submitted."""
    with store.session() as session:
        user = require(session, actor, "submit_for_approval")
        case = load_case(session, case_id)
        move(session, case, PENDING)
        case.submitted_by, case.submitted_at = user.id, utcnow()
        _log(session, actor, "submit_for_approval", case_id, origin)
        return case_view(session, case)


def approve_case(
    store: Store, actor: Account, case_id: int, *, origin: str = "cli"
) -> CaseView:
    """pending_approval → reported, by a supervisor other than the submitter (four eyes)."""
    with store.session() as session:
        user = require(session, actor, "approve_report")
        case = load_case(session, case_id)
        if case.status == PENDING:
            _second_pair_of_eyes(user, case)
        move(session, case, REPORTED)
        case.approved_by, case.approved_at = user.id, utcnow()
        _log(session, actor, "approve_report", case_id, origin)
        return case_view(session, case)


def send_back(
    store: Store, actor: Account, case_id: int, reason: str, *, origin: str = "cli"
) -> CaseView:
    """pending_approval → investigating, with the reviewer's reason."""
    if not reason.strip():
        raise MissingReason("field 'reason': say why the case goes back")
    with store.session() as session:
        user = require(session, actor, "approve_report")
        case = load_case(session, case_id)
        if case.status == PENDING:
            _second_pair_of_eyes(user, case)
        move(session, case, INVESTIGATING)
        case.submitted_by, case.submitted_at = None, None
        _log(session, actor, "send_back", case_id, origin, reason=reason.strip())
        return case_view(session, case)


def close_case(
    store: Store, actor: Account, case_id: int, reason: str, *, origin: str = "cli"
) -> CaseView:
    """Close without reporting; a pending case needs ``approve_report`` and four eyes."""
    if not reason.strip():
        raise MissingReason("field 'reason': say why the case is closed")
    with store.session() as session:
        case = load_case(session, case_id)
        if case.status == PENDING:
            user = require(session, actor, "approve_report")
            _second_pair_of_eyes(user, case)
        else:
            require(session, actor, "close_case")
        move(session, case, CLOSED)
        case.closed_reason = reason.strip()
        _log(session, actor, "close_case", case_id, origin, reason=reason.strip())
        return case_view(session, case)

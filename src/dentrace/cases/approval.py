"""Status changes of a case through the one machine (``machine.MOVES``): start, submit, approve
(four eyes), send back, close; refused attempts are audited too (``refused_move``).

``change_status`` is the single entry; the named functions pin the move their caller means.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from dentrace import audit
from dentrace.auth import Account, PermissionDenied, require
from dentrace.cases.casework import load_case
from dentrace.cases.errors import InvalidTransition, MissingReason
from dentrace.cases.limits import MAX_REASON, text_within
from dentrace.cases.machine import (
    CLOSED,
    INVESTIGATING,
    PENDING,
    REPORTED,
    Move,
    check_actor,
    check_may_attempt,
    find_move,
)
from dentrace.cases.views import CaseView, case_view
from dentrace.store.sql import Store
from dentrace.store.sql.models import Case, User, utcnow


def _apply(case: Case, move: Move, user: User, reason: str) -> None:
    """Make the move: the status and the four-eyes trail it changes."""
    now = utcnow()
    case.status, case.updated_at = move.target, now
    if move.target == PENDING:
        case.submitted_by, case.submitted_at = user.id, now
    elif move.target == REPORTED:
        case.approved_by, case.approved_at = user.id, now
    elif move.action == "send_back":
        case.submitted_by, case.submitted_at = None, None
    elif move.target == CLOSED:
        case.closed_reason = reason


def _record_refusal(store: Store, actor: Account, case_id: int, target: str, move: str,
                    current: str, why: Exception, origin: str) -> None:
    # In its own transaction: the refused one was rolled back, its audit entry with it.
    with store.session() as session:
        audit.record(session, actor=actor.username, action="refused_move", target_type="case",
                     target_id=case_id, origin=origin,
                     detail={"move": move, "from": current, "to": target, "why": str(why)})


def _move(session: Session, actor: Account, case_id: int, target: str, action: str | None,
          reason: str, origin: str, seen: dict[str, str]) -> CaseView:
    reader = require(session, actor, "view_alerts")  # who cannot read cases cannot move them
    case = load_case(session, case_id, reader)
    seen["from"] = case.status
    if action is not None:
        check_may_attempt(session, reader, action, target)
    move = find_move(case, target, action=action)
    seen["move"] = move.action
    user = check_actor(session, actor, case, move)
    if move.needs_reason and not reason:
        raise MissingReason(f"field 'reason': say why case {case_id} is "
                            f"{'sent back' if move.action == 'send_back' else 'closed'}")
    _apply(case, move, user, reason)
    detail = {"reason": reason} if move.needs_reason else {}
    audit.record(session, actor=actor.username, action=move.action, target_type="case",
                 target_id=case_id, origin=origin, detail=detail)
    return case_view(session, case)


def change_status(
    store: Store, actor: Account, case_id: int, target: str, *, reason: str | None = None,
    action: str | None = None, origin: str = "cli",
) -> CaseView:
    """Move a case to ``target`` if ``machine.MOVES`` allows it for the actor, and audit it.

    ``action`` pins the move (e.g. ``start_investigation``). A refusal by the machine
    (``InvalidTransition``) or by role or four eyes (``PermissionDenied``) is audited as
    ``refused_move`` and raised.
    """
    reason = text_within(reason or "", "reason", MAX_REASON)
    seen = {"from": "", "move": action or ""}
    try:
        with store.session() as session:
            return _move(session, actor, case_id, target, action, reason, origin, seen)
    except (InvalidTransition, PermissionDenied) as refused:
        if seen["from"]:  # the case exists and the actor may read it
            _record_refusal(store, actor, case_id, target, seen["move"], seen["from"],
                            refused, origin)
        raise


def start_investigation(
    store: Store, actor: Account, case_id: int, *, origin: str = "cli"
) -> CaseView:
    """open → investigating (never a pending case: that is a supervisor's send back)."""
    return change_status(store, actor, case_id, INVESTIGATING, action="start_investigation",
                         origin=origin)


def submit_for_approval(
    store: Store, actor: Account, case_id: int, *, origin: str = "cli"
) -> CaseView:
    """investigating → pending_approval; remembers who submitted."""
    return change_status(store, actor, case_id, PENDING, action="submit_for_approval",
                         origin=origin)


def approve_case(
    store: Store, actor: Account, case_id: int, *, origin: str = "cli"
) -> CaseView:
    """pending_approval → reported, by a supervisor other than the submitter (four eyes)."""
    return change_status(store, actor, case_id, REPORTED, action="approve_report",
                         origin=origin)


def send_back(
    store: Store, actor: Account, case_id: int, reason: str, *, origin: str = "cli"
) -> CaseView:
    """pending_approval → investigating, with the reviewer's reason (four eyes)."""
    if not reason.strip():
        raise MissingReason("field 'reason': say why the case goes back")
    return change_status(store, actor, case_id, INVESTIGATING, reason=reason,
                         action="send_back", origin=origin)


def close_case(
    store: Store, actor: Account, case_id: int, reason: str, *, origin: str = "cli"
) -> CaseView:
    """Close without reporting; a pending case needs ``approve_report`` and four eyes."""
    if not reason.strip():
        raise MissingReason("field 'reason': say why the case is closed")
    return change_status(store, actor, case_id, CLOSED, reason=reason, action="close_case",
                         origin=origin)

"""The case status machine in one table: each allowed (from, to) move, the permission it needs,
whether four eyes apply, whether a reason is required, and the name it is audited under.

Every status change (API, pages, service calls) goes through ``find_move`` and ``check_actor``;
a pair missing from ``MOVES`` is ``InvalidTransition`` (409), a role without the move's
permission ``PermissionDenied`` (403), the submitter deciding their own case
``FourEyesViolation`` (403).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy.orm import Session

from dentrace.auth import Account, FourEyesViolation, PermissionDenied
from dentrace.auth.roles import role_may
from dentrace.cases.errors import InvalidTransition
from dentrace.store.sql.models import Case, User

OPEN, INVESTIGATING, PENDING = "open", "investigating", "pending_approval"
REPORTED, CLOSED = "reported", "closed"
STATUSES = (OPEN, INVESTIGATING, PENDING, REPORTED, CLOSED)


@dataclass(frozen=True)
class Move:
    """One allowed status change.

    ``permission`` is an action of the ``role_permissions`` table (roles are data there); with
    the shipped permissions analysts, supervisors and admins hold ``work_case``, ``close_case``
    and ``submit_for_approval``, and only supervisors and admins ``approve_report``.
    """

    source: str
    target: str
    action: str            # the audit action, and the move's name in messages
    permission: str
    four_eyes: bool = False  # the user who submitted the case may not make this move
    needs_reason: bool = False


MOVES: dict[tuple[str, str], Move] = {(m.source, m.target): m for m in (
    Move(OPEN, INVESTIGATING, "start_investigation", "work_case"),
    Move(OPEN, CLOSED, "close_case", "close_case", needs_reason=True),
    Move(INVESTIGATING, PENDING, "submit_for_approval", "submit_for_approval"),
    Move(INVESTIGATING, CLOSED, "close_case", "close_case", needs_reason=True),
    # A pending case is decided by a supervisor other than the submitter: approving,
    # sending back and closing it are all decisions under four eyes.
    Move(PENDING, REPORTED, "approve_report", "approve_report", four_eyes=True),
    Move(PENDING, INVESTIGATING, "send_back", "approve_report", four_eyes=True,
         needs_reason=True),
    Move(PENDING, CLOSED, "close_case", "approve_report", four_eyes=True, needs_reason=True),
)}
TRANSITIONS: dict[str, frozenset[str]] = {
    status: frozenset(target for source, target in MOVES if source == status)
    for status in STATUSES
}
_HINTS = {
    (PENDING, INVESTIGATING): "a supervisor other than the submitter sends it back",
    (PENDING, CLOSED): "a supervisor other than the submitter closes it",
}


def allowed_moves(held: Collection[str], status: str, *, is_submitter: bool) -> list[Move]:
    """The moves from ``status`` open to a user whose role holds the permissions ``held`` and
    who did (``is_submitter``) or did not submit the case: what a page may offer. The same rule
    as ``check_actor``, from the same table, without a database."""
    return [move for (source, _), move in MOVES.items()
            if source == status and move.permission in held
            and not (move.four_eyes and is_submitter)]


def find_move(case: Case, target: str, *, action: str | None = None) -> Move:
    """The move from the case's status to ``target``, or ``InvalidTransition``.

    ``action`` pins the move a caller means (e.g. ``start_investigation``): the same target
    reached by another move (a send back) is refused rather than silently made.
    """
    move = MOVES.get((case.status, target))
    if move is None or (action is not None and move.action != action):
        hint = _HINTS.get((case.status, target)) if move is not None else None
        raise InvalidTransition(case.id, case.status, target, by=action, hint=hint)
    return move


def check_may_attempt(session: Session, user: User, action: str, target: str) -> None:
    """``PermissionDenied`` when the user's role may make no move named ``action``: an analyst
    asking to approve is told so (403) whatever the case's status is."""
    needed = {m.permission for m in MOVES.values() if m.action == action and m.target == target}
    if not needed:
        raise ValueError(f"no move {action!r} to {target!r} in the case state machine")
    if not any(role_may(session, user.role, permission) for permission in needed):
        raise PermissionDenied(
            f"role '{user.role}' may not {action.replace('_', ' ')} a case "
            f"(needs '{' or '.join(sorted(needed))}')", username=user.username, action=action)


def check_actor(session: Session, actor: Account, case: Case, move: Move) -> User:
    """The actor's row if its role holds the move's permission and four eyes are kept."""
    user = session.get(User, actor.id)
    if user is None or not user.active:
        raise PermissionDenied(f"account '{actor.username}' is disabled or gone",
                               username=actor.username, action=move.permission)
    if not role_may(session, user.role, move.permission):
        raise PermissionDenied(
            f"role '{user.role}' may not {move.action.replace('_', ' ')} case {case.id} "
            f"(from '{move.source}' to '{move.target}' needs '{move.permission}')",
            username=user.username, action=move.permission)
    if move.four_eyes and case.submitted_by == user.id:
        raise FourEyesViolation(
            f"case {case.id} was submitted by '{user.username}': another supervisor must "
            f"{move.action.replace('_', ' ')} it (four eyes)",
            username=user.username, action=move.permission)
    return user

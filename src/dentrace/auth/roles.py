"""Roles and what each may do, kept as data in the ``role_permissions`` table.

``require(session, actor, action)`` re-reads the actor's account, so a disabled user or a changed
role takes effect at once; it raises ``PermissionDenied`` (HTTP 403) when the role may not act.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from dentrace.auth.errors import PermissionDenied
from dentrace.store.sql import Store
from dentrace.store.sql.models import RolePermission, User

ROLES = ("analyst", "supervisor", "admin", "screener")
ACTIONS = (
    "view_alerts",          # list alerts and cases
    "view_party",           # open a party page (always audited)
    "disposition_alert",    # dismiss an alert with a reason
    "escalate",             # escalate an alert into a case
    "add_note",             # write a note on a case
    "work_case",            # start investigating, add parties and transactions
    "close_case",           # close a case without reporting
    "submit_for_approval",  # hand a case to a supervisor
    "assign",               # set a case's assignee
    "approve_report",       # approve a submitted case for reporting (four eyes)
    "import_alerts",        # load a scan's alerts into the queue
    "view_audit",           # read the audit log
    "manage_users",         # add, list, disable and enable accounts
    "screen",               # real-time screening of payments (POST /api/v1/screen)
    "view_restricted_cases",  # see and manage every restricted case (supervisors, admins)
    "review_dismissal",     # confirm or refuse a dismissal held for a second review
)


@dataclass(frozen=True)
class Account:
    """A user as services see it: never carries the password hash."""

    id: int
    username: str
    role: str
    active: bool

    @classmethod
    def of(cls, user: User) -> Account:
        return cls(id=user.id, username=user.username, role=user.role, active=user.active)


def permissions(store: Store) -> dict[str, set[str]]:
    """The permission table: role → set of actions it may perform."""
    with store.session(write=False) as session:
        rows = session.execute(select(RolePermission.role, RolePermission.action)).all()
    table: dict[str, set[str]] = {}
    for role, action in rows:
        table.setdefault(role, set()).add(action)
    return table


def role_may(session: Session, role: str, action: str) -> bool:
    """True when ``role`` may perform ``action`` according to the table."""
    query = select(RolePermission).where(
        RolePermission.role == role, RolePermission.action == action
    )
    return session.execute(query).first() is not None


def require(session: Session, actor: Account, action: str) -> User:
    """The actor's current account row, or ``PermissionDenied`` if it may not do ``action``."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    user = session.get(User, actor.id)
    if user is None or not user.active:
        raise PermissionDenied(
            f"account '{actor.username}' is disabled or gone", username=actor.username,
            action=action,
        )
    if not role_may(session, user.role, action):
        raise PermissionDenied(
            f"role '{user.role}' may not {action.replace('_', ' ')}", username=user.username,
            action=action,
        )
    return user


def may(store: Store, actor: Account, action: str) -> bool:
    """True when ``actor`` may perform ``action`` now (for showing or hiding buttons)."""
    with store.session(write=False) as session:
        try:
            require(session, actor, action)
        except PermissionDenied:
            return False
    return True

"""Work management: who works an alert or a case (assign to me; supervisors assign anyone), due
dates from the service level of each priority (``CaseSettings``) or set by hand, ageing, and an
editable case title. Every change is audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dentrace import audit
from dentrace.auth import Account, PermissionDenied, require
from dentrace.auth.roles import role_may
from dentrace.cases.casework import load_case
from dentrace.cases.dismissal import NEW, PENDING_DISMISSAL
from dentrace.cases.errors import AlreadyDisposed, InvalidCaseInput, InvalidTransition, NotFound
from dentrace.cases.limits import (
    MAX_ALERTS,
    MAX_TITLE,
    MAX_USERNAME,
    count_within,
    existing_id,
    text_within,
)
from dentrace.cases.machine import CLOSED, REPORTED
from dentrace.cases.settings import CaseSettings
from dentrace.cases.views import AlertView, CaseSummary, CaseView, alert_view, case_view, usernames
from dentrace.store.sql import Store
from dentrace.store.sql.models import Alert, User, utcnow

OPEN_ALERT = (NEW, PENDING_DISMISSAL)
# Due dates are days of work: a year back or ten ahead bounds typing errors, not policy.
EARLIEST, LATEST = datetime(2000, 1, 1), datetime(2100, 1, 1)


def _worker(session: Session, username: str, permission: str) -> User:
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not user.active or not role_may(session, user.role, permission):
        raise NotFound(f"no active user '{username[:64]}' who may "
                       f"{permission.replace('_', ' ')}")
    return user


def assign_alerts(
    store: Store, actor: Account, alert_ids: Sequence[int], assignee: str | None, *,
    origin: str = "cli",
) -> list[AlertView]:
    """Give open alerts to ``assignee`` (None: to nobody), all or none.

    Taking alerts oneself needs ``disposition_alert``; giving them to another user, or taking
    them from one, needs ``assign`` (supervisors).
    """
    count_within(alert_ids, "alert_ids", MAX_ALERTS)
    name = text_within(assignee, "assignee", MAX_USERNAME) if assignee is not None else None
    with store.session() as session:
        me = require(session, actor, "disposition_alert")
        target = _worker(session, name, "disposition_alert") if name else None
        alerts = []
        for alert_id in dict.fromkeys(alert_ids):
            alert = session.get(Alert, existing_id(alert_id, "alert"), with_for_update=True)
            if alert is None:
                raise NotFound(f"no alert {alert_id}")
            if alert.status not in OPEN_ALERT:
                raise AlreadyDisposed(f"alert {alert_id} is already {alert.status}")
            alerts.append(alert)
        taking_own = target is not None and target.id == me.id and all(
            a.assignee_id in (None, me.id) for a in alerts)
        if not taking_own:
            require(session, actor, "assign")
        for alert in alerts:
            alert.assignee_id = target.id if target else None
            audit.record(session, actor=actor.username, action="assign_alert",
                         target_type="alert", target_id=alert.id, origin=origin,
                         detail={"party_id": alert.party_id, "assignee": name})
        session.flush()
        names = usernames(session)
        return [alert_view(a, names) for a in alerts]


def _due(value: datetime | None) -> datetime | None:
    """A due date as stored: naive UTC (an aware one converted), within ``EARLIEST``-``LATEST``."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    if not EARLIEST <= value < LATEST:
        raise InvalidCaseInput(f"field 'due_at': {value:%Y-%m-%d} is not between "
                               f"{EARLIEST:%Y} and {LATEST:%Y}")
    return value


def _may_set_due(session: Session, actor: Account, user: User, assignee_id: int | None) -> None:
    if assignee_id != user.id and not role_may(session, user.role, "assign"):
        raise PermissionDenied("only the assignee or a supervisor may change the due date",
                               username=user.username, action="assign")


def set_alert_due(
    store: Store, actor: Account, alert_id: int, due_at: datetime | None, *, origin: str = "cli",
) -> AlertView:
    """Set an open alert's due date by hand (None: back to its SLA); by its assignee or a
    supervisor."""
    due_at = _due(due_at)
    with store.session() as session:
        user = require(session, actor, "view_alerts")
        alert = session.get(Alert, existing_id(alert_id, "alert"), with_for_update=True)
        if alert is None:
            raise NotFound(f"no alert {alert_id}")
        if alert.status not in OPEN_ALERT:
            raise AlreadyDisposed(f"alert {alert_id} is already {alert.status}")
        _may_set_due(session, actor, user, alert.assignee_id)
        alert.due_at = due_at
        audit.record(session, actor=actor.username, action="set_alert_due", target_type="alert",
                     target_id=alert.id, origin=origin,
                     detail={"due_at": due_at.isoformat() if due_at else None})
        session.flush()
        return alert_view(alert, usernames(session))


def set_case_due(
    store: Store, actor: Account, case_id: int, due_at: datetime | None, *, origin: str = "cli",
) -> CaseView:
    """Set a case's due date by hand (None: back to its SLA); by its assignee or a supervisor."""
    due_at = _due(due_at)
    with store.session() as session:
        user = require(session, actor, "work_case")
        case = load_case(session, case_id, user)
        if case.status in (REPORTED, CLOSED):
            raise InvalidTransition(case.id, case.status, "given a due date")
        _may_set_due(session, actor, user, case.assignee_id)
        case.due_at, case.updated_at = due_at, utcnow()
        audit.record(session, actor=actor.username, action="set_case_due", target_type="case",
                     target_id=case.id, origin=origin,
                     detail={"due_at": due_at.isoformat() if due_at else None})
        return case_view(session, case)


def rename_case(
    store: Store, actor: Account, case_id: int, title: str, *, origin: str = "cli",
) -> CaseView:
    """Change a case's title (audited with the old and the new one); not once decided."""
    title = text_within(title, "title", MAX_TITLE)
    if not title:
        raise InvalidCaseInput("field 'title': a case needs a title")
    with store.session() as session:
        user = require(session, actor, "work_case")
        case = load_case(session, case_id, user)
        if case.status in (REPORTED, CLOSED):
            raise InvalidTransition(case.id, case.status, "renamed")
        if title != case.title:
            audit.record(session, actor=actor.username, action="rename_case",
                         target_type="case", target_id=case.id, origin=origin,
                         detail={"from": case.title, "to": title})
            case.title, case.updated_at = title, utcnow()
        return case_view(session, case)


def alert_due(alert: AlertView, settings: CaseSettings) -> datetime:
    """When the alert should be triaged by: its own due date, else its SLA's."""
    return alert.due_at or settings.alert_due(alert.score, alert.created_at)


def case_due(case: CaseView | CaseSummary, settings: CaseSettings) -> datetime:
    """When the case should be decided by: its own due date, else its priority's SLA."""
    opened = case.created_at or case.updated_at
    return case.due_at or settings.case_due(case.top_score, opened)


def is_overdue(due: datetime, still_open: bool, now: datetime | None = None) -> bool:
    """True when work still open is past its due date."""
    return still_open and (now or utcnow()) > due


def age_text(since: datetime, now: datetime | None = None) -> str:
    """How long ago, as an analyst reads it: ``45 min``, ``7 h``, ``3 d``."""
    seconds = max(0, int(((now or utcnow()) - since).total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"

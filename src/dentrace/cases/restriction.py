"""Restricted cases: mark a case restricted or open again, and name or remove its members; the
assignee or a role with ``view_restricted_cases`` decides, and every change is audited.

Who sees what is in ``access``; cases are open to every analyst unless restricted.
"""

from __future__ import annotations

from sqlalchemy import select

from dentrace import audit
from dentrace.audit import AuditRecord
from dentrace.auth import Account, require
from dentrace.cases.access import check_manager, hidden_case_ids, put_members
from dentrace.cases.casework import load_case
from dentrace.cases.errors import NotFound
from dentrace.cases.limits import MAX_USERNAME, text_within
from dentrace.cases.views import CaseView, case_view
from dentrace.store.sql import Store
from dentrace.store.sql.models import CaseMember, User, utcnow


def set_restricted(
    store: Store, actor: Account, case_id: int, restricted: bool, *, origin: str = "cli"
) -> CaseView:
    """Restrict the case to its assignee, members and supervisors, or open it to all again."""
    with store.session() as session:
        user = require(session, actor, "view_alerts")
        case = load_case(session, case_id, user)
        check_manager(session, user, case, "restrict it" if restricted else "open it to all")
        if case.restricted != restricted:
            case.restricted, case.updated_at = restricted, utcnow()
            audit.record(session, actor=actor.username,
                         action="restrict_case" if restricted else "unrestrict_case",
                         target_type="case", target_id=case_id, origin=origin)
        return case_view(session, case)


def add_member(
    store: Store, actor: Account, case_id: int, username: str, *, origin: str = "cli"
) -> CaseView:
    """Name ``username`` on the case: they see it even while it is restricted."""
    username = text_within(username, "username", MAX_USERNAME)
    with store.session() as session:
        user = require(session, actor, "view_alerts")
        case = load_case(session, case_id, user)
        check_manager(session, user, case, "change its members")
        if put_members(session, case, [username], user):
            case.updated_at = utcnow()
            audit.record(session, actor=actor.username, action="add_case_member",
                         target_type="case", target_id=case_id, origin=origin,
                         detail={"member": username})
        session.flush()
        return case_view(session, case)


def remove_member(
    store: Store, actor: Account, case_id: int, username: str, *, origin: str = "cli"
) -> CaseView:
    """Take ``username`` off the case's members (``NotFound`` when not a member)."""
    username = text_within(username, "username", MAX_USERNAME)
    with store.session() as session:
        user = require(session, actor, "view_alerts")
        case = load_case(session, case_id, user)
        check_manager(session, user, case, "change its members")
        member_id = session.execute(select(User.id).where(User.username == username)).scalar()
        member = session.get(CaseMember, (case.id, member_id)) if member_id else None
        if member is None:
            raise NotFound(f"'{username}' is not a member of case {case_id}")
        session.delete(member)
        case.updated_at = utcnow()
        audit.record(session, actor=actor.username, action="remove_case_member",
                     target_type="case", target_id=case_id, origin=origin,
                     detail={"member": username})
        return case_view(session, case)


def visible_entries(store: Store, actor: Account,
                    entries: list[AuditRecord]) -> list[AuditRecord]:
    """``entries`` without those about restricted cases the actor may not see: entries whose
    target is such a case, or whose detail names one (an alert escalated into it)."""
    with store.session(write=False) as session:
        user = session.get(User, actor.id)
        if user is None:
            return []
        hidden = hidden_case_ids(session, user)
    if not hidden:
        return entries
    names = {str(case_id) for case_id in hidden}

    def about_hidden(entry: AuditRecord) -> bool:
        named = entry.detail.get("case_id")
        return ((entry.target_type == "case" and entry.target_id in names)
                or (isinstance(named, int) and named in hidden))

    return [e for e in entries if not about_hidden(e)]

"""Who may see a case: every reader of cases for an open one; for a restricted one only its
assignee, its named members and roles holding ``view_restricted_cases`` (supervisors, admins).

A case someone may not see does not exist for them: ``NotFound`` (404), never 403, so a
restricted case's existence is not leaked; lists, alert views and party records leave it out.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session

from dentrace.auth import PermissionDenied
from dentrace.auth.roles import role_may
from dentrace.cases.errors import InvalidCaseInput, NotFound
from dentrace.cases.limits import MAX_MEMBERS
from dentrace.store.sql.models import Case, CaseMember, User, utcnow

SEE_ALL = "view_restricted_cases"


def sees_all(session: Session, user: User) -> bool:
    """True when the user's role sees every restricted case."""
    return role_may(session, user.role, SEE_ALL)


def _is_member(session: Session, user: User, case: Case) -> bool:
    query = select(CaseMember.user_id).where(CaseMember.case_id == case.id,
                                             CaseMember.user_id == user.id)
    return session.execute(query).first() is not None


def may_see(session: Session, user: User, case: Case) -> bool:
    """True when ``user`` may see ``case``."""
    if not case.restricted or case.assignee_id == user.id or sees_all(session, user):
        return True
    return _is_member(session, user, case)


def visible(session: Session, user: User) -> ColumnElement[bool] | None:
    """A filter on ``Case`` rows keeping those ``user`` may see (None: sees every case)."""
    if sees_all(session, user):
        return None
    member = exists().where(CaseMember.case_id == Case.id, CaseMember.user_id == user.id)
    return or_(Case.restricted.is_(False), Case.assignee_id == user.id, member)


def hidden_case_ids(session: Session, user: User) -> set[int]:
    """Ids of the restricted cases ``user`` may not see (to leave out of alerts, parties)."""
    keep = visible(session, user)
    if keep is None:
        return set()
    return set(session.execute(select(Case.id).where(Case.restricted.is_(True), ~keep))
               .scalars())


def check_visible(session: Session, user: User, case: Case, case_id: int) -> Case:
    """``case`` if ``user`` may see it, else ``NotFound`` worded like a missing case."""
    if not may_see(session, user, case):
        raise NotFound(f"no case {case_id}")
    return case


def may_manage(session: Session, user: User, case: Case) -> bool:
    """True when ``user`` may restrict the case or change its members: the assignee or a role
    that sees every restricted case."""
    return case.assignee_id == user.id or sees_all(session, user)


def check_manager(session: Session, user: User, case: Case, what: str) -> None:
    """``PermissionDenied`` unless ``user`` may manage the case's restriction."""
    if not may_manage(session, user, case):
        raise PermissionDenied(
            f"only the assignee of case {case.id} or a supervisor may {what}",
            username=user.username, action=SEE_ALL)


def put_members(session: Session, case: Case, names: list[str], by: User) -> list[str]:
    """Name users on the case (each active and allowed to read cases); returns those added.

    ``InvalidCaseInput`` names an unknown user or a list beyond ``MAX_MEMBERS``.
    """
    held = set(session.execute(select(CaseMember.user_id)
                               .where(CaseMember.case_id == case.id)).scalars())
    added = []
    for name in dict.fromkeys(n.strip() for n in names):
        user = session.execute(select(User).where(User.username == name)).scalar_one_or_none()
        if user is None or not user.active or not role_may(session, user.role, "view_alerts"):
            raise InvalidCaseInput(f"field 'members': no active user '{name[:64]}' who may "
                                   f"read cases")
        if user.id not in held:
            held.add(user.id)
            added.append(user.username)
            session.add(CaseMember(case_id=case.id, user_id=user.id, added_by=by.id,
                                   added_at=utcnow()))
    if len(held) > MAX_MEMBERS:
        raise InvalidCaseInput(f"field 'members': {len(held)} members, at most {MAX_MEMBERS}")
    return added

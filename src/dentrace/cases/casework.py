"""Cases: open, read, list, add parties and transactions, note, assign; status moves are in
``approval`` (through ``machine``). Every function takes the acting user and audits what it did.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dentrace import audit
from dentrace.auth import Account, require
from dentrace.auth.roles import role_may
from dentrace.cases.access import check_visible, put_members, visible
from dentrace.cases.errors import InvalidTransition, MissingReason, NotFound
from dentrace.cases.limits import (
    MAX_MEMBERS,
    MAX_NOTE,
    MAX_TITLE,
    MAX_TXN_ID,
    MAX_TXNS,
    MAX_USERNAME,
    PARTY_ROLES,
    PartyDirectory,
    checked_parties,
    count_within,
    existing_id,
    ids_within,
    text_within,
)
from dentrace.cases.machine import CLOSED, OPEN, REPORTED
from dentrace.cases.views import CaseSummary, CaseView, case_view, usernames
from dentrace.store.sql import Store
from dentrace.store.sql.models import (
    Alert,
    Case,
    CaseNote,
    CaseParty,
    CaseTransaction,
    User,
    utcnow,
)


def load_case(session: Session, case_id: int, user: User) -> Case:
    """The case row, locked for this transaction on PostgreSQL, or ``NotFound`` (also when
    ``user`` may not see the restricted case)."""
    case = session.get(Case, existing_id(case_id, "case"), with_for_update=True)
    if case is None:
        raise NotFound(f"no case {case_id}")
    return check_visible(session, user, case, case_id)


def ensure_visible(store: Store, actor: Account, case_id: int) -> None:
    """``NotFound`` unless ``case_id`` is a case the actor may read (for routes outside this
    package that read a case themselves, e.g. the goAML report); not audited by itself."""
    with store.session(write=False) as session:
        user = require(session, actor, "view_alerts")
        case = session.get(Case, existing_id(case_id, "case"))
        if case is None:
            raise NotFound(f"no case {case_id}")
        check_visible(session, user, case, case_id)


def _editable(case: Case) -> None:
    if case.status in (REPORTED, CLOSED):
        raise InvalidTransition(case.id, case.status, "changed")


def new_case(session: Session, user: User, title: str) -> Case:
    """A new open case created by and assigned to ``user`` (title at most ``MAX_TITLE``)."""
    now = utcnow()
    case = Case(title=text_within(title, "title", MAX_TITLE) or "Untitled case", status=OPEN,
                assignee_id=user.id, created_by=user.id, created_at=now, updated_at=now)
    session.add(case)
    session.flush()
    return case


def put_parties(session: Session, case: Case, parties: Iterable[tuple[str, str]]) -> list[str]:
    """Add parties not yet in the case; returns the ids added."""
    held = set(session.execute(
        select(CaseParty.party_id).where(CaseParty.case_id == case.id)).scalars())
    added = []
    for party_id, role in parties:
        if role not in PARTY_ROLES:
            raise ValueError(f"party {party_id}: role must be one of {PARTY_ROLES}, not {role!r}")
        if party_id and party_id not in held:
            session.add(CaseParty(case_id=case.id, party_id=party_id, role=role,
                                  added_at=utcnow()))
            held.add(party_id)
            added.append(party_id)
    case.updated_at = utcnow()
    return added


def put_transactions(session: Session, case: Case, txn_ids: Iterable[str]) -> list[str]:
    """Add transactions not yet in the case; returns the ids added."""
    held = set(session.execute(
        select(CaseTransaction.txn_id).where(CaseTransaction.case_id == case.id)).scalars())
    added = [t for t in dict.fromkeys(txn_ids) if t and t not in held]
    session.add_all(CaseTransaction(case_id=case.id, txn_id=t) for t in added)
    case.updated_at = utcnow()
    return added


def _log(session: Session, actor: Account, action: str, case_id: int, origin: str,
         **detail: object) -> None:
    audit.record(session, actor=actor.username, action=action, target_type="case",
                 target_id=case_id, origin=origin, detail=detail)


def open_case(
    store: Store, actor: Account, title: str, parties: Iterable[tuple[str, str]] = (),
    *, directory: PartyDirectory | None = None, restricted: bool = False,
    members: Iterable[str] = (), origin: str = "cli",
) -> CaseView:
    """Open a case directly (not from an alert), holding ``parties`` as (party_id, role).

    Sizes are bounded (``limits``); with a ``directory`` every party id must exist in the
    workspace's data (``UnknownParties`` otherwise), checked before anything is written.
    A ``restricted`` case is seen only by its assignee (the actor), its ``members``
    (usernames) and supervisors; by default a case is open to every analyst.
    """
    title = text_within(title, "title", MAX_TITLE)
    parties = checked_parties(parties, directory)
    names = list(members)
    count_within(names, "members", MAX_MEMBERS)
    with store.session() as session:
        user = require(session, actor, "escalate")
        case = new_case(session, user, title)
        case.restricted = restricted
        added = put_parties(session, case, parties)
        named = put_members(session, case, names, user)
        _log(session, actor, "open_case", case.id, origin, title=case.title, parties=added,
             restricted=restricted, members=named)
        session.flush()
        return case_view(session, case)


def get_case(store: Store, actor: Account, case_id: int, *, origin: str = "cli") -> CaseView:
    """A case with everything it holds (audited as a view)."""
    with store.session() as session:
        user = require(session, actor, "view_alerts")
        case = load_case(session, case_id, user)
        _log(session, actor, "view_case", case_id, origin)
        return case_view(session, case)


def list_cases(
    store: Store, actor: Account, *, status: str | None = None, assignee: str | None = None,
) -> list[CaseSummary]:
    """Cases, most recently changed first, optionally of one status or assignee."""
    with store.session(write=False) as session:
        user = require(session, actor, "view_alerts")
        names = usernames(session)
        counts = select(CaseParty.case_id, func.count().label("n")).group_by(
            CaseParty.case_id).subquery()
        tops = select(Alert.case_id, func.max(Alert.score).label("top")).where(
            Alert.case_id.is_not(None)).group_by(Alert.case_id).subquery()
        query = (select(Case, counts.c.n, tops.c.top)
                 .outerjoin(counts, counts.c.case_id == Case.id)
                 .outerjoin(tops, tops.c.case_id == Case.id))
        keep = visible(session, user)
        if keep is not None:
            query = query.where(keep)
        if status is not None:
            query = query.where(Case.status == status)
        if assignee is not None:
            query = query.join(User, User.id == Case.assignee_id).where(User.username == assignee)
        rows = session.execute(query.order_by(Case.updated_at.desc(), Case.id.desc())).all()
        return [CaseSummary(c.id, c.title, c.status,
                            names.get(c.assignee_id) if c.assignee_id else None, n or 0,
                            c.updated_at, c.restricted, c.created_at, c.due_at, top)
                for c, n, top in rows]


def add_parties(
    store: Store, actor: Account, case_id: int, parties: Iterable[tuple[str, str]],
    *, directory: PartyDirectory | None = None, origin: str = "cli",
) -> CaseView:
    """Add (party_id, role) pairs to a case that is still being worked (checked as in
    ``open_case``)."""
    parties = checked_parties(parties, directory)
    with store.session() as session:
        user = require(session, actor, "work_case")
        case = load_case(session, case_id, user)
        _editable(case)
        added = put_parties(session, case, parties)
        _log(session, actor, "add_parties", case_id, origin, parties=added)
        return case_view(session, case)


def add_transactions(
    store: Store, actor: Account, case_id: int, txn_ids: Iterable[str], *, origin: str = "cli",
) -> CaseView:
    """Add transactions as evidence to a case that is still being worked."""
    txn_ids = list(txn_ids)
    count_within(txn_ids, "txn_ids", MAX_TXNS)
    ids_within(txn_ids, "txn_ids", MAX_TXN_ID)
    with store.session() as session:
        user = require(session, actor, "work_case")
        case = load_case(session, case_id, user)
        _editable(case)
        added = put_transactions(session, case, txn_ids)
        _log(session, actor, "add_transactions", case_id, origin, txn_ids=added)
        return case_view(session, case)


def add_note(
    store: Store, actor: Account, case_id: int, text: str, *, origin: str = "cli"
) -> CaseView:
    """Write a note on a case (any status: notes may follow a report), at most ``MAX_NOTE``."""
    text = text_within(text, "text", MAX_NOTE)
    if not text:
        raise MissingReason("field 'text': a note cannot be empty")
    with store.session() as session:
        user = require(session, actor, "add_note")
        case = load_case(session, case_id, user)
        session.add(CaseNote(case_id=case.id, author_id=user.id, text=text,
                             created_at=utcnow()))
        case.updated_at = utcnow()
        session.flush()
        _log(session, actor, "add_note", case_id, origin, chars=len(text))
        return case_view(session, case)


def assign_case(
    store: Store, actor: Account, case_id: int, assignee: str, *, origin: str = "cli"
) -> CaseView:
    """Give a case to ``assignee``, who must be active and allowed to work cases: anyone, by
    a role holding ``assign`` (supervisors); oneself ("assign to me"), by one holding
    ``work_case``."""
    assignee = text_within(assignee, "assignee", MAX_USERNAME)
    with store.session() as session:
        supervisor = require(session, actor, "work_case" if assignee == actor.username
                             else "assign")
        case = load_case(session, case_id, supervisor)
        _editable(case)
        user = session.execute(select(User).where(User.username == assignee)).scalar_one_or_none()
        if user is None or not user.active or not role_may(session, user.role, "work_case"):
            raise NotFound(f"no active user '{assignee}' who may work cases")
        case.assignee_id = user.id
        case.updated_at = utcnow()
        _log(session, actor, "assign_case", case_id, origin, assignee=assignee)
        return case_view(session, case)

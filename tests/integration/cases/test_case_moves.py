"""Every status move × every role through the one state machine, and the four-eyes bypasses.

The expected outcomes are written out here from the rules (docs/cases.md), not derived from the
machine's table, so a table that drifts from the rules fails.
"""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from dentrace import audit, cases
from dentrace.auth import Account, FourEyesViolation, PermissionDenied
from dentrace.store.sql import Store
from dentrace.store.sql.models import Case, User, utcnow

STAFF = ("analyst", "supervisor", "admin")
SUPERVISORS = ("supervisor", "admin")
# (from, to) -> (roles that may make the move, audit action); every other pair is refused (409).
RULES: dict[tuple[str, str], tuple[tuple[str, ...], str]] = {
    ("open", "investigating"): (STAFF, "start_investigation"),
    ("open", "closed"): (STAFF, "close_case"),
    ("investigating", "pending_approval"): (STAFF, "submit_for_approval"),
    ("investigating", "closed"): (STAFF, "close_case"),
    ("pending_approval", "reported"): (SUPERVISORS, "approve_report"),
    ("pending_approval", "investigating"): (SUPERVISORS, "send_back"),
    ("pending_approval", "closed"): (SUPERVISORS, "close_case"),
}
STATUSES = ("open", "investigating", "pending_approval", "reported", "closed")


@pytest.fixture
def crew(store: Store, team: dict[str, Account], password_hash: str) -> dict[str, Account]:
    """The team plus a screener account (``gate``)."""
    with store.session() as session:
        gate = User(username="gate", password_hash=password_hash, role="screener", active=True,
                    created_at=utcnow())
        session.add(gate)
        session.flush()
        return {**team, "gate": Account.of(gate)}


def _case_in(store: Store, crew: dict[str, Account], status: str) -> int:
    """A case of ana's put straight into ``status``; a pending one was submitted by sam."""
    case_id = cases.open_case(store, crew["ana"], f"case {status}").id
    with store.session() as session:
        case = session.get(Case, case_id)
        assert case is not None
        case.status = status
        if status == "pending_approval":
            case.submitted_by, case.submitted_at = crew["sam"].id, utcnow()
    return case_id


def _status(store: Store, case_id: int) -> str:
    with store.session(write=False) as session:
        return session.execute(select(Case.status).where(Case.id == case_id)).scalar_one()


def test_every_move_by_every_role(store: Store, crew: dict[str, Account]) -> None:
    actors = {"analyst": crew["ben"], "supervisor": crew["sue"], "admin": crew["ada"],
              "screener": crew["gate"]}
    outcomes = []
    for (source, target), (role, actor) in itertools.product(
            itertools.product(STATUSES, STATUSES), actors.items()):
        case_id = _case_in(store, crew, source)
        allowed, action = RULES.get((source, target), ((), ""))
        try:
            view = cases.change_status(store, actor, case_id, target, reason="checked")
            outcome = "ok"
            assert view.status == target
            last = audit.entries(store, target_type="case", target_id=str(case_id), limit=1)
            assert last[0].action == action
        except cases.InvalidTransition:
            outcome = "409"
        except PermissionDenied:
            outcome = "403"
        if outcome != "ok":
            assert _status(store, case_id) == source
        if role == "screener":
            expected = "403"  # may not even read cases
        elif (source, target) not in RULES:
            expected = "409"
        else:
            expected = "ok" if role in allowed else "403"
        outcomes.append((source, target, role, outcome, expected))
    assert [o for o in outcomes if o[3] != o[4]] == []


@pytest.mark.parametrize("target", ["reported", "investigating", "closed"])
def test_the_submitter_can_never_decide_a_pending_case(
    store: Store, crew: dict[str, Account], target: str
) -> None:
    case_id = _case_in(store, crew, "pending_approval")  # submitted by sam, a supervisor
    with pytest.raises(FourEyesViolation):
        cases.change_status(store, crew["sam"], case_id, target, reason="mine")
    assert _status(store, case_id) == "pending_approval"


def test_start_investigation_does_not_pull_back_a_pending_case(
    store: Store, crew: dict[str, Account]
) -> None:
    """The bypass of issue 16: an analyst 'starts investigating' a pending case."""
    case_id = _case_in(store, crew, "open")
    cases.start_investigation(store, crew["ana"], case_id)
    cases.submit_for_approval(store, crew["ana"], case_id)
    for who in ("ana", "ben"):  # the submitter, and another analyst
        with pytest.raises((PermissionDenied, cases.InvalidTransition)):
            cases.start_investigation(store, crew[who], case_id)
    with pytest.raises(cases.InvalidTransition):
        cases.start_investigation(store, crew["sue"], case_id)  # a supervisor sends back
    assert _status(store, case_id) == "pending_approval"
    trail = audit.entries(store, target_type="case", target_id=str(case_id),
                          newest_first=False)
    refused = [(e.actor, e.detail["move"]) for e in trail if e.action == "refused_move"]
    assert refused == [("ana", "start_investigation"), ("ben", "start_investigation"),
                       ("sue", "start_investigation")]
    assert "start_investigation" not in [e.action for e in trail][2:]

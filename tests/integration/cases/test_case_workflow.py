"""A case's life: status machine, notes, assignment, four-eyes approval, role denials."""

from __future__ import annotations

import pytest

from dentrace import audit, cases
from dentrace.auth import Account, FourEyesViolation, PermissionDenied
from dentrace.store.sql import Store


@pytest.fixture
def case_id(store: Store, team: dict[str, Account]) -> int:
    return cases.open_case(store, team["ana"], "Den B9", [("B9", "facilitator")]).id


def test_full_path_to_report_with_four_eyes(
    store: Store, team: dict[str, Account], case_id: int
) -> None:
    ana, sue, sam = team["ana"], team["sue"], team["sam"]
    cases.start_investigation(store, ana, case_id)
    cases.add_parties(store, ana, case_id, [("P7", "payer"), ("B9", "facilitator")])
    cases.add_transactions(store, ana, case_id, ["T9", "T8", "T9"])
    cases.add_note(store, ana, case_id, "pays B9 every night")
    cases.assign_case(store, sue, case_id, "ben")
    cases.submit_for_approval(store, sue, case_id)
    with pytest.raises(FourEyesViolation):
        cases.approve_case(store, sue, case_id)
    with pytest.raises(PermissionDenied):
        cases.approve_case(store, ana, case_id)
    done = cases.approve_case(store, sam, case_id, origin="10.9.9.9")
    assert (done.status, done.submitted_by, done.approved_by, done.assignee) == (
        "reported", "sue", "sam", "ben")
    assert done.parties == [("B9", "facilitator"), ("P7", "payer")]
    assert done.txn_ids == ["T8", "T9"]
    assert [(n.author, n.text) for n in done.notes] == [("ana", "pays B9 every night")]
    actions = [e.action for e in audit.entries(store, target_type="case", newest_first=False)]
    assert actions == ["open_case", "start_investigation", "add_parties", "add_transactions",
                       "add_note", "assign_case", "submit_for_approval", "refused_move",
                       "refused_move", "approve_report"]
    assert audit.verify(store).ok


@pytest.mark.parametrize(
    ("steps", "then"),
    [([], "submit"), ([], "approve"), (["start"], "approve"), (["start"], "start"),
     (["start", "submit", "approve"], "start"), (["close"], "start")],
)
def test_invalid_transitions_raise(
    store: Store, team: dict[str, Account], case_id: int, steps: list[str], then: str
) -> None:
    ana, sue, sam = team["ana"], team["sue"], team["sam"]
    actions = {
        "start": lambda: cases.start_investigation(store, ana, case_id),
        "submit": lambda: cases.submit_for_approval(store, ana, case_id),
        "approve": lambda: cases.approve_case(store, sam, case_id),
        "close": lambda: cases.close_case(store, ana, case_id, "no evidence"),
    }
    for step in steps:
        actions[step]()
    before = cases.get_case(store, sue, case_id).status
    with pytest.raises(cases.InvalidTransition):
        actions[then]()
    assert cases.get_case(store, sue, case_id).status == before


def test_send_back_returns_case_to_investigation(
    store: Store, team: dict[str, Account], case_id: int
) -> None:
    cases.start_investigation(store, team["ana"], case_id)
    cases.submit_for_approval(store, team["ana"], case_id)
    with pytest.raises(cases.MissingReason):
        cases.send_back(store, team["sue"], case_id, "")
    back = cases.send_back(store, team["sue"], case_id, "add the card payments")
    assert (back.status, back.submitted_by) == ("investigating", None)
    cases.submit_for_approval(store, team["ben"], case_id)
    assert cases.approve_case(store, team["sue"], case_id).status == "reported"
    with pytest.raises(cases.InvalidTransition):
        cases.add_parties(store, team["ana"], case_id, [("P1", "payer")])


def test_closing_a_pending_case_is_a_supervisor_decision(
    store: Store, team: dict[str, Account], case_id: int
) -> None:
    cases.start_investigation(store, team["ana"], case_id)
    cases.submit_for_approval(store, team["sue"], case_id)
    with pytest.raises(PermissionDenied):
        cases.close_case(store, team["ana"], case_id, "nothing")
    with pytest.raises(FourEyesViolation):
        cases.close_case(store, team["sue"], case_id, "nothing")
    closed = cases.close_case(store, team["sam"], case_id, "insufficient evidence")
    assert (closed.status, closed.closed_reason) == ("closed", "insufficient evidence")


def test_role_denials(store: Store, team: dict[str, Account], case_id: int) -> None:
    with pytest.raises(PermissionDenied, match="may not assign"):
        cases.assign_case(store, team["ana"], case_id, "ben")
    with pytest.raises(cases.NotFound):
        cases.assign_case(store, team["sue"], case_id, "nobody")
    with pytest.raises(cases.NotFound):
        cases.get_case(store, team["ana"], 999)


def test_case_list_filters_by_status_and_assignee(
    store: Store, team: dict[str, Account], case_id: int
) -> None:
    other = cases.open_case(store, team["ben"], "Second").id
    cases.start_investigation(store, team["ben"], other)
    listed = cases.list_cases(store, team["sue"])
    assert {c.id for c in listed} == {case_id, other}
    assert [c.id for c in cases.list_cases(store, team["sue"], status="investigating")] == [other]
    mine = cases.list_cases(store, team["sue"], assignee="ana")
    assert [(c.id, c.parties) for c in mine] == [(case_id, 1)]

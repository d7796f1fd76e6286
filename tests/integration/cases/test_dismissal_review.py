"""Dismissal controls on both back ends: a reason code and text are required, and a high score
or a known offender waits for a second user's review (four eyes), every step audited."""

from __future__ import annotations

from pathlib import Path

import pytest

from dentrace import audit, cases
from dentrace.auth import Account, FourEyesViolation, PermissionDenied
from dentrace.store.sql import Store


@pytest.fixture
def queue(store: Store, alerts_file: Path, team: dict[str, Account]) -> dict[str, int]:
    """Alert ids by party: P1 (0.91), B9 (0.85), P2 (0.72)."""
    cases.import_alerts(store, alerts_file)
    return {a.party_id: a.id for a in cases.list_alerts(store, team["ana"])}


def test_a_reason_code_from_the_list_is_required(
    store: Store, team: dict[str, Account], queue: dict[str, int]
) -> None:
    with pytest.raises(cases.MissingReason, match="code"):
        cases.dismiss_alert(store, team["ana"], queue["P2"], "family", code="")
    with pytest.raises(cases.InvalidCaseInput, match="not one of"):
        cases.dismiss_alert(store, team["ana"], queue["P2"], "family", code="because")
    with pytest.raises(cases.MissingReason, match="reason"):
        cases.dismiss_alert(store, team["ana"], queue["P2"], " ", code="other")
    done = cases.dismiss_alert(store, team["ana"], queue["P2"], "pays his sister",
                               code="known_relationship")
    assert (done.status, done.dismissal_code, done.disposed_by) == (
        "dismissed", "known_relationship", "ana")
    assert audit.entries(store, action="dismiss_alert")[0].detail["code"] == "known_relationship"


def test_a_high_score_waits_for_another_supervisor(
    store: Store, team: dict[str, Account], queue: dict[str, int]
) -> None:
    ana, ben, sue, sam = team["ana"], team["ben"], team["sue"], team["sam"]
    held = cases.dismiss_alert(store, ana, queue["P1"], "salary", code="explained_activity")
    assert (held.status, held.review_requested_by, held.disposed_by) == (
        "dismissal_pending", "ana", None)
    assert cases.list_alerts(store, ana, status="new") != [] and all(
        a.party_id != "P1" for a in cases.list_alerts(store, ana, status="new"))
    with pytest.raises(PermissionDenied):  # an analyst does not review
        cases.review_dismissals(store, ben, [queue["P1"]], confirm=True)
    with pytest.raises(cases.AlreadyDisposed):  # nor is a held alert escalated meanwhile
        cases.escalate_alerts(store, ben, [queue["P1"]])
    done = cases.review_dismissals(store, sue, [queue["P1"]], confirm=True, origin="10.2.2.2")[0]
    assert (done.status, done.disposed_by, done.review_requested_by) == (
        "dismissed", "sue", "ana")
    with pytest.raises(cases.AlreadyDisposed):
        cases.review_dismissals(store, sam, [queue["P1"]], confirm=True)
    actions = [e.action for e in reversed(audit.entries(store, target_type="alert"))]
    assert actions == ["request_dismissal", "refused_review", "confirm_dismissal"]
    assert audit.entries(store, action="request_dismissal")[0].detail["review"] == "high score"
    assert audit.verify(store).ok


def test_the_asker_cannot_confirm_their_own_dismissal(
    store: Store, team: dict[str, Account], queue: dict[str, int]
) -> None:
    sue, sam = team["sue"], team["sam"]
    cases.dismiss_alert(store, sue, queue["P1"], "salary", code="explained_activity")
    with pytest.raises(FourEyesViolation, match="four eyes"):
        cases.review_dismissals(store, sue, [queue["P1"]], confirm=True)
    refused = audit.entries(store, action="refused_review")[0]
    assert refused.actor == "sue" and "four eyes" in refused.detail["why"]
    assert cases.get_alert(store, sue, queue["P1"]).status == "dismissal_pending"
    with pytest.raises(cases.MissingReason):
        cases.review_dismissals(store, sam, [queue["P1"]], confirm=False)
    back = cases.review_dismissals(store, sam, [queue["P1"]], confirm=False,
                                   reason="the salary story does not fit night payments")[0]
    assert (back.status, back.dismissal_code, back.review_requested_by) == ("new", None, None)
    assert back.review_reason == "the salary story does not fit night payments"
    assert audit.entries(store, action="refuse_dismissal")[0].detail["reason"].startswith("the")


def test_known_offenders_need_review_whatever_their_score(
    store: Store, team: dict[str, Account], queue: dict[str, int]
) -> None:
    ana = team["ana"]
    held = cases.dismiss_alerts(store, ana, [queue["P2"], queue["B9"]], "no link", code="other",
                                known_offenders={"P2"})
    assert {a.party_id: a.status for a in held} == {"P2": "dismissal_pending",
                                                    "B9": "dismissed"}
    entry = next(e for e in audit.entries(store, action="request_dismissal"))
    assert entry.detail["review"] == "known offender"


def test_a_party_of_a_reported_case_is_a_known_offender(
    store: Store, alerts_file: Path, team: dict[str, Account], queue: dict[str, int]
) -> None:
    ana, sue, sam = team["ana"], team["sue"], team["sam"]
    case = cases.escalate_alerts(store, ana, [queue["P2"]])
    cases.start_investigation(store, ana, case.id)
    cases.submit_for_approval(store, sue, case.id)
    cases.approve_case(store, sam, case.id)
    cases.import_alerts(store, alerts_file, scan_id="scan-2")  # P2 alerted again, 0.72
    again = cases.list_alerts(store, ana, party_id="P2", status="new")[0]
    lenient = cases.CaseSettings(review_score=0.99)
    held = cases.dismiss_alert(store, ana, again.id, "seen before", code="duplicate",
                               settings=lenient)
    assert held.status == "dismissal_pending"
    low = cases.list_alerts(store, ana, party_id="B9", status="new")[0]
    assert cases.dismiss_alert(store, ana, low.id, "ok", code="other",
                               settings=lenient).status == "dismissed"

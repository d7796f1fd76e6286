"""Work management on both back ends: assign to me and by a supervisor, due dates from the SLA
or by hand, ageing, an editable case title, saved views per user; every change audited."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from dentrace import audit, cases
from dentrace.auth import Account, PermissionDenied
from dentrace.store.sql import Store


@pytest.fixture
def queue(store: Store, alerts_file: Path, team: dict[str, Account]) -> dict[str, int]:
    """Alert ids by party: P1 (0.91), B9 (0.85), P2 (0.72)."""
    cases.import_alerts(store, alerts_file)
    return {a.party_id: a.id for a in cases.list_alerts(store, team["ana"])}


def test_an_analyst_takes_alerts_and_a_supervisor_gives_them_to_anyone(
    store: Store, team: dict[str, Account], queue: dict[str, int]
) -> None:
    ana, ben, sue = team["ana"], team["ben"], team["sue"]
    mine = cases.assign_alerts(store, ana, [queue["P1"], queue["P2"]], "ana", origin="10.0.0.1")
    assert [a.assignee for a in mine] == ["ana", "ana"]
    with pytest.raises(PermissionDenied):  # taking another's alert is a supervisor's call
        cases.assign_alerts(store, ben, [queue["P1"]], "ben")
    with pytest.raises(PermissionDenied):  # nor may an analyst hand work to someone else
        cases.assign_alerts(store, ana, [queue["B9"]], "ben")
    assert cases.assign_alerts(store, sue, [queue["P1"]], "ben")[0].assignee == "ben"
    assert cases.assign_alerts(store, sue, [queue["P2"]], None)[0].assignee is None
    with pytest.raises(cases.NotFound):
        cases.assign_alerts(store, sue, [queue["B9"]], "nobody")
    assert cases.get_alert(store, ana, queue["P1"]).assignee == "ben"
    entries = audit.entries(store, action="assign_alert")
    assert [(e.actor, e.detail["assignee"]) for e in reversed(entries)] == [
        ("ana", "ana"), ("ana", "ana"), ("sue", "ben"), ("sue", None)]
    assert audit.verify(store).ok


def test_a_disposed_alert_is_not_assigned(
    store: Store, team: dict[str, Account], queue: dict[str, int]
) -> None:
    cases.escalate_alerts(store, team["ana"], [queue["P2"]])
    with pytest.raises(cases.AlreadyDisposed):
        cases.assign_alerts(store, team["ana"], [queue["P2"]], "ana")


def test_due_dates_follow_the_sla_of_the_priority_until_set_by_hand(
    store: Store, team: dict[str, Account], queue: dict[str, int]
) -> None:
    sla = cases.CaseSettings(alert_sla={"high": timedelta(hours=4), "medium": timedelta(days=2),
                                        "low": timedelta(days=9)})
    p1, p2 = (cases.get_alert(store, team["ana"], queue[p]) for p in ("P1", "P2"))
    assert cases.alert_due(p1, sla) == p1.created_at + timedelta(hours=4)  # 0.91: high
    assert cases.alert_due(p2, sla) == p2.created_at + timedelta(days=2)   # 0.72: medium
    later = p1.created_at + timedelta(hours=5)
    assert cases.is_overdue(cases.alert_due(p1, sla), True, now=later)
    assert not cases.is_overdue(cases.alert_due(p1, sla), False, now=later)  # disposed

    with pytest.raises(PermissionDenied):  # neither its assignee nor a supervisor
        cases.set_alert_due(store, team["ben"], queue["P1"], datetime(2030, 1, 1))
    set_by_hand = cases.set_alert_due(store, team["sue"], queue["P1"], datetime(2030, 1, 1))
    assert cases.alert_due(set_by_hand, sla) == datetime(2030, 1, 1)
    cases.assign_alerts(store, team["ben"], [queue["P2"]], "ben")
    assert cases.set_alert_due(store, team["ben"], queue["P2"], None).due_at is None
    aware = datetime(2030, 1, 1, 10, 0, tzinfo=timezone(timedelta(hours=8)))
    assert cases.set_alert_due(store, team["sue"], queue["P2"], aware).due_at == datetime(
        2030, 1, 1, 2, 0)  # stored as UTC
    with pytest.raises(cases.InvalidCaseInput, match="due_at"):
        cases.set_alert_due(store, team["sue"], queue["P1"], datetime(1900, 1, 1))
    assert audit.entries(store, action="set_alert_due")[-1].detail == {
        "due_at": "2030-01-01T00:00:00"}


def test_age_reads_like_an_analyst_says_it() -> None:
    start = datetime(2026, 1, 1)
    assert cases.age_text(start, now=start + timedelta(minutes=45)) == "45 min"
    assert cases.age_text(start, now=start + timedelta(hours=7, minutes=5)) == "7 h"
    assert cases.age_text(start, now=start + timedelta(days=3, hours=23)) == "3 d"


def test_case_due_date_title_and_assign_to_me(
    store: Store, team: dict[str, Account], queue: dict[str, int]
) -> None:
    ana, ben, sue = team["ana"], team["ben"], team["sue"]
    case = cases.escalate_alerts(store, ana, [queue["P1"], queue["P2"]], title="Den?")
    sla = cases.CaseSettings()
    assert case.top_score == pytest.approx(0.91)
    assert cases.case_due(case, sla) == case.created_at + sla.case_sla["high"]
    line = next(c for c in cases.list_cases(store, ana) if c.id == case.id)
    assert cases.case_due(line, sla) == cases.case_due(case, sla)

    renamed = cases.rename_case(store, ben, case.id, "  Den around B9: <b>payers</b>  ")
    assert renamed.title == "Den around B9: <b>payers</b>"
    entry = audit.entries(store, action="rename_case")[0]
    assert (entry.actor, entry.detail) == ("ben", {"from": "Den?",
                                                   "to": "Den around B9: <b>payers</b>"})
    with pytest.raises(cases.InvalidCaseInput):
        cases.rename_case(store, ben, case.id, "   ")

    assert cases.assign_case(store, ben, case.id, "ben").assignee == "ben"  # assign to me
    with pytest.raises(PermissionDenied):
        cases.assign_case(store, ben, case.id, "ana")
    assert cases.set_case_due(store, ben, case.id, datetime(2031, 5, 1)).due_at == datetime(
        2031, 5, 1)
    with pytest.raises(PermissionDenied):  # ana no longer holds it
        cases.set_case_due(store, ana, case.id, None)
    assert cases.set_case_due(store, sue, case.id, None).due_at is None

    cases.close_case(store, ben, case.id, "duplicate of another case")
    with pytest.raises(cases.InvalidTransition):
        cases.rename_case(store, ben, case.id, "Too late")


def test_saved_views_belong_to_their_user(store: Store, team: dict[str, Account]) -> None:
    ana, ben = team["ana"], team["ben"]
    first = cases.save_view(store, ana, "My PH payers",
                            {"country": "PH", "role": "payer", "sort": "-score", "status": ""})
    assert first.filters == {"country": "PH", "role": "payer", "sort": "-score"}
    cases.save_view(store, ana, "Overdue", {"overdue": "1", "assignee": "me"})
    again = cases.save_view(store, ana, "My PH payers", {"country": "TH"})  # replaces
    assert again.id == first.id and again.filters == {"country": "TH"}
    assert [v.name for v in cases.list_views(store, ana)] == ["My PH payers", "Overdue"]
    assert cases.list_views(store, ben) == []
    with pytest.raises(cases.NotFound):
        cases.delete_view(store, ben, first.id)
    with pytest.raises(cases.InvalidCaseInput, match="evil"):
        cases.save_view(store, ana, "bad", {"evil": "1"})
    with pytest.raises(cases.InvalidCaseInput, match="name"):
        cases.save_view(store, ana, " ", {})
    cases.delete_view(store, ana, first.id)
    assert [v.name for v in cases.list_views(store, ana)] == ["Overdue"]
    actions = [e.action for e in audit.entries(store, actor="ana")]
    assert actions.count("save_view") == 3 and actions.count("delete_view") == 1


def test_related_open_alerts_leave_out_the_case_and_disposed_alerts(
    store: Store, team: dict[str, Account], queue: dict[str, int]
) -> None:
    ana = team["ana"]
    case = cases.escalate_alerts(store, ana, [queue["B9"]])
    links = {"P1": ["B9"], "P2": ["B9"], "B9": ["X"], "Q7": ["B9"]}
    found = cases.related_alerts(store, ana, case.id, links)
    assert [(r.alert.party_id, r.via) for r in found] == [("P1", ["B9"]), ("P2", ["B9"])]
    cases.dismiss_alert(store, ana, queue["P2"], "family", code="known_relationship")
    cases.escalate_alerts(store, ana, [queue["P1"]], case_id=case.id)  # one click: added
    assert cases.related_alerts(store, ana, case.id, links) == []

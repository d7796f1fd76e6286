"""Importing a scan's alerts (once), listing the queue, dismissing and escalating."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from dentrace import audit, cases
from dentrace.auth import Account, PermissionDenied
from dentrace.errors import InputError, MissingColumnError
from dentrace.store.sql import Store

MakeAlerts = Callable[[Path, list[dict[str, object]]], Path]


def test_import_is_idempotent_per_scan(store: Store, alerts_file: Path) -> None:
    first = cases.import_alerts(store, alerts_file)
    again = cases.import_alerts(store, alerts_file)
    assert (first.imported, first.already_imported) == (3, False)
    assert (again.imported, again.already_imported, again.scan_id) == (0, True, first.scan_id)
    other = cases.import_alerts(store, alerts_file, scan_id="scan-2")
    assert other.imported == 3
    assert audit.entries(store, action="import_alerts")[0].target_id == "scan-2"


def test_queue_is_sorted_and_filtered(
    store: Store, alerts_file: Path, team: dict[str, Account]
) -> None:
    cases.import_alerts(store, alerts_file, actor=team["sue"])
    queue = cases.list_alerts(store, team["ana"])
    assert [a.party_id for a in queue] == ["P1", "B9", "P2"]
    assert queue[0].reasons == ["LOWVAL", "NIGHT"] and queue[0].txn_ids == ["T1", "T2"]
    assert [a.party_id for a in cases.list_alerts(store, team["ana"], role="payer",
                                                  min_score=0.8)] == ["P1"]
    assert cases.get_alert(store, team["ana"], queue[1].id).party_id == "B9"


def test_analysts_may_not_import(store: Store, alerts_file: Path,
                                 team: dict[str, Account]) -> None:
    with pytest.raises(PermissionDenied):
        cases.import_alerts(store, alerts_file, actor=team["ana"])


@pytest.mark.parametrize(
    ("row", "field"),
    [({"party_id": "", "role": "payer", "score": 0.5, "reasons": "X"}, "party_id"),
     ({"party_id": "P", "role": "boss", "score": 0.5, "reasons": "X"}, "role"),
     ({"party_id": "P", "role": "payer", "score": 1.5, "reasons": "X"}, "score")],
)
def test_bad_alert_rows_name_file_row_and_field(
    store: Store, tmp_path: Path, row: dict[str, object], field: str, make_alerts: MakeAlerts
) -> None:
    good = {"party_id": "OK", "role": "payer", "score": 0.5, "reasons": "X"}
    path = make_alerts(tmp_path / "bad.parquet", [good, row])
    with pytest.raises(InputError, match=f"bad.parquet, row 2, field '{field}'"):
        cases.import_alerts(store, path)
    assert cases.import_alerts(store, make_alerts(tmp_path / "ok.parquet", [good])).imported == 1


def test_missing_column_is_named(store: Store, tmp_path: Path, make_alerts: MakeAlerts) -> None:
    path = make_alerts(tmp_path / "a.parquet", [{"party_id": "P", "role": "payer"}])
    with pytest.raises(MissingColumnError, match="score"):
        cases.import_alerts(store, path)


def test_dismiss_needs_a_reason_and_happens_once(
    store: Store, alerts_file: Path, team: dict[str, Account]
) -> None:
    cases.import_alerts(store, alerts_file)
    alert = cases.list_alerts(store, team["ana"], party_id="P2")[0]
    with pytest.raises(cases.MissingReason):
        cases.dismiss_alert(store, team["ana"], alert.id, "  ", code="other")
    done = cases.dismiss_alert(store, team["ana"], alert.id, "family support", code="other",
                               origin="10.1.1.1")
    assert (done.status, done.disposed_by, done.disposition_reason) == (
        "dismissed", "ana", "family support")
    with pytest.raises(cases.AlreadyDisposed):
        cases.dismiss_alert(store, team["ben"], alert.id, "again", code="other")
    entry = audit.entries(store, action="dismiss_alert")[0]
    assert (entry.actor, entry.origin, entry.detail["party_id"]) == ("ana", "10.1.1.1", "P2")


def test_bulk_dismiss_is_all_or_nothing(
    store: Store, alerts_file: Path, team: dict[str, Account]
) -> None:
    cases.import_alerts(store, alerts_file)
    ids = [a.id for a in cases.list_alerts(store, team["ana"])]
    cases.dismiss_alert(store, team["ana"], ids[2], "seen", code="other")
    with pytest.raises(cases.AlreadyDisposed):
        cases.dismiss_alerts(store, team["ana"], ids, "bulk", code="other")
    assert len(cases.list_alerts(store, team["ana"], status="new")) == 2
    assert len(cases.dismiss_alerts(store, team["ana"], ids[:2], "bulk", code="other")) == 2
    assert cases.list_alerts(store, team["ana"], status="new") == []


def test_escalation_opens_a_case_with_parties_and_transactions(
    store: Store, alerts_file: Path, team: dict[str, Account]
) -> None:
    cases.import_alerts(store, alerts_file)
    p1, b9, p2 = cases.list_alerts(store, team["ana"])
    case = cases.escalate_alerts(store, team["ana"], [p1.id, b9.id], title="Den B9")
    assert (case.title, case.status, case.assignee, case.created_by) == (
        "Den B9", "open", "ana", "ana")
    assert case.parties == [("B9", "facilitator"), ("P1", "payer")]
    assert case.txn_ids == ["T1", "T2", "T4"] and case.alert_ids == [p1.id, b9.id]
    more = cases.escalate_alerts(store, team["ben"], [p2.id], case_id=case.id)
    assert more.id == case.id and ("P2", "payer") in more.parties and "T3" in more.txn_ids
    assert cases.get_alert(store, team["ana"], p2.id).case_id == case.id
    assert cases.list_alerts(store, team["ana"], status="escalated")[0].status == "escalated"


def test_escalation_into_a_closed_case_is_refused(
    store: Store, alerts_file: Path, team: dict[str, Account]
) -> None:
    cases.import_alerts(store, alerts_file)
    p1, b9, _ = cases.list_alerts(store, team["ana"])
    case = cases.escalate_alerts(store, team["ana"], [p1.id])
    cases.close_case(store, team["ana"], case.id, "duplicate")
    with pytest.raises(cases.InvalidTransition):
        cases.escalate_alerts(store, team["ana"], [b9.id], case_id=case.id)
    assert cases.get_alert(store, team["ana"], b9.id).status == "new"


def test_party_views_are_audited_and_show_history(
    store: Store, alerts_file: Path, team: dict[str, Account]
) -> None:
    cases.import_alerts(store, alerts_file)
    p1 = cases.list_alerts(store, team["ana"], party_id="P1")[0]
    case = cases.escalate_alerts(store, team["ana"], [p1.id])
    seen = cases.record_party_view(store, team["ben"], "P1", origin="192.0.2.7")
    assert [a.id for a in seen.alerts] == [p1.id] and seen.case_ids == [case.id]
    entry = audit.entries(store, target_type="party", target_id="P1")[0]
    assert (entry.actor, entry.action, entry.origin) == ("ben", "view_party", "192.0.2.7")
    assert audit.verify(store).ok


def test_concurrent_dispositions_of_one_alert_let_exactly_one_win(
    store: Store, alerts_file: Path, team: dict[str, Account]
) -> None:
    cases.import_alerts(store, alerts_file)
    alert_id = cases.list_alerts(store, team["ana"])[0].id
    start = threading.Barrier(4)
    outcomes: list[str] = []

    def decide(who: str, escalate: bool) -> None:
        start.wait()
        try:
            if escalate:
                cases.escalate_alerts(store, team[who], [alert_id])
            else:
                cases.dismiss_alert(store, team[who], alert_id, "seen", code="other")
            outcomes.append("won")
        except cases.AlreadyDisposed:
            outcomes.append("already")

    threads = [threading.Thread(target=decide, args=(who, i % 2 == 0))
               for i, who in enumerate(["ana", "ben", "sue", "sam"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already", "already", "already", "won"]
    decisions = audit.entries(store, target_type="alert", target_id=str(alert_id))
    assert len(decisions) == 1 and audit.verify(store).ok

"""Dispositions flow back as known labels, written as a CSV `dentrace ingest --known` reads."""

from __future__ import annotations

import csv
from pathlib import Path

from dentrace import cases
from dentrace.auth import Account
from dentrace.contract.schema import KNOWN
from dentrace.store.sql import Store


def test_labels_follow_dispositions_and_reports(
    store: Store, alerts_file: Path, team: dict[str, Account], tmp_path: Path
) -> None:
    cases.import_alerts(store, alerts_file)
    p1, b9, p2 = cases.list_alerts(store, team["ana"])
    cases.dismiss_alert(store, team["ana"], p2.id, "pays his sister", code="other")
    case = cases.escalate_alerts(store, team["ana"], [p1.id, b9.id])
    assert {(k.party_id, k.label) for k in cases.export_known_labels(store)} == {
        ("B9", "facilitator"), ("P1", "offender"), ("P2", "cleared")}

    # A later scan alerts P2 again; escalated now, the stronger evidence wins.
    cases.import_alerts(store, alerts_file, scan_id="scan-2")
    again = cases.list_alerts(store, team["ana"], party_id="P2", status="new")[0]
    cases.escalate_alerts(store, team["ana"], [again.id], case_id=case.id)
    labels = cases.export_known_labels(store)
    assert [(k.party_id, k.label) for k in labels] == [
        ("B9", "facilitator"), ("P1", "offender"), ("P2", "offender")]
    assert all(k.as_of.year >= 2024 for k in labels)

    out = tmp_path / "known.csv"
    assert cases.write_known_csv(store, out) == 3
    with out.open() as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == KNOWN.names
    assert rows[0]["party_id"] == "B9" and rows[0]["as_of"] == labels[0].as_of.isoformat()


def test_closed_case_gives_no_positive_label(
    store: Store, alerts_file: Path, team: dict[str, Account]
) -> None:
    cases.import_alerts(store, alerts_file)
    p1 = cases.list_alerts(store, team["ana"], party_id="P1")[0]
    case = cases.escalate_alerts(store, team["ana"], [p1.id])
    cases.close_case(store, team["ana"], case.id, "no evidence of abuse")
    assert cases.export_known_labels(store) == []


def test_reported_case_labels_parties_added_by_hand(
    store: Store, team: dict[str, Account]
) -> None:
    case = cases.open_case(store, team["ana"], "Manual", [("X1", "payer"), ("Y1", "facilitator")])
    cases.start_investigation(store, team["ana"], case.id)
    cases.submit_for_approval(store, team["ana"], case.id)
    cases.approve_case(store, team["sue"], case.id)
    assert [(k.party_id, k.label) for k in cases.export_known_labels(store)] == [
        ("X1", "offender"), ("Y1", "facilitator")]

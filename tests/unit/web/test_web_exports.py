"""CSV exports of the queue, cases, a party's payments and the audit log: formula cells
neutralised, restricted cases absent for those who may not see them, roles enforced, audited."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dentrace.store.warehouse import open_warehouse
from dentrace.web.api import exports
from tests.unit.web.test_web_case_moves import other_analyst
from tests.unit.web.web_sample import bearer

FORMULA = "=cmd|' /C calc'!A0"


def _rows(client: TestClient, url: str, user: str = "ana", **params: str) -> list[list[str]]:
    answer = client.get(url, params=params, headers=bearer(user))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-disposition"].startswith("attachment;")
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["x-truncated"] == "false"
    return list(csv.reader(io.StringIO(answer.text)))


def _cells(rows: list[list[str]]) -> set[str]:
    return {cell for row in rows for cell in row}


def _no_live_formula(rows: list[list[str]]) -> None:
    assert not [c for c in _cells(rows) if c.startswith(("=", "+", "@", "\t", "\r"))]


def _escalate(client: TestClient, note: str = "see") -> int:
    queue = client.get("/api/v1/alerts", params={"party_id": "P1"}, headers=bearer("ana"))
    alert_id = queue.json()["items"][0]["id"]
    answer = client.post(f"/api/v1/alerts/{alert_id}/disposition", headers=bearer("ana"),
                         json={"decision": "escalate", "reason": note, "title": FORMULA})
    assert answer.status_code == 200, answer.text
    return int(answer.json()["case_id"])


def test_queue_export_has_the_filters_and_neutralised_cells(client: TestClient) -> None:
    queue = client.get("/api/v1/alerts", params={"party_id": "P2"}, headers=bearer("ana"))
    alert_id = queue.json()["items"][0]["id"]
    client.post(f"/api/v1/alerts/{alert_id}/disposition", headers=bearer("ana"),
                json={"decision": "dismiss", "code": "other", "reason": FORMULA})
    rows = _rows(client, "/api/v1/alerts.csv", status="dismissed")
    assert rows[0][:3] == ["id", "party_id", "role"]
    assert [r[1] for r in rows[1:]] == ["P2"]
    assert "'" + FORMULA in rows[1] and FORMULA not in _cells(rows)
    _no_live_formula(rows)
    everything = _rows(client, "/api/v1/alerts.csv", min_score="0.8", page="3")
    assert sorted(r[1] for r in everything[1:]) == ["F1", "P1", "P2"]


def test_cases_export_neutralises_and_hides_restricted_cases(client: TestClient,
                                                             workspace: Path) -> None:
    case_id = _escalate(client)
    rows = _rows(client, "/api/v1/cases.csv")
    assert rows[1][0] == str(case_id) and rows[1][1] == "'" + FORMULA
    _no_live_formula(rows)
    secret = client.post("/api/v1/cases", headers=bearer("ana"), json={
        "title": "Sensitive den", "restricted": True,
        "parties": [{"party_id": "F1", "role": "facilitator"}]}).json()["id"]
    bob = other_analyst(workspace)
    theirs = client.get("/api/v1/cases.csv", headers=bob)
    assert "Sensitive" not in theirs.text
    assert [r[0] for r in csv.reader(io.StringIO(theirs.text))][1:] == [str(case_id)]
    assert str(secret) in [r[0] for r in _rows(client, "/api/v1/cases.csv", user="sam")]


def test_payments_export_neutralises_names_and_memos(client: TestClient,
                                                     workspace: Path) -> None:
    con = open_warehouse(workspace)
    when = datetime(2025, 5, 1, 23, 0)
    con.execute("INSERT INTO transactions VALUES ('TX9', ?, ?, 0, 'P1', 'F1', 25.0, 'AUD', "
                "25.0, ?, 'AU', '@SUM(1+1)', 'PH', 'remittance', ?, NULL, 200, 1)",
                [when, when, FORMULA, "+1-555"])
    con.close()
    rows = _rows(client, "/api/v1/parties/P1/payments.csv")
    assert rows[0][0] == "txn_id" and len(rows) == 1 + 7
    newest = dict(zip(rows[0], rows[1], strict=True))
    assert newest["txn_id"] == "TX9" and newest["sender_name"] == "'" + FORMULA
    assert newest["beneficiary_name"] == "'@SUM(1+1)" and newest["memo"] == "'+1-555"
    assert newest["amount"] == "25.0" and newest["direction"] == "sent"
    _no_live_formula(rows)
    assert client.get("/api/v1/parties/NOPE/payments.csv",
                      headers=bearer("ana")).status_code == 404


def test_audit_export_is_for_supervisors_and_hides_restricted_cases(
        client: TestClient, workspace: Path) -> None:
    _escalate(client, note=FORMULA)
    assert client.get("/api/v1/audit.csv", headers=bearer("ana")).status_code == 403
    rows = _rows(client, "/api/v1/audit.csv", user="sam")
    assert rows[0] == ["seq", "ts", "actor", "action", "target_type", "target_id", "origin",
                       "detail", "prev_hash", "entry_hash"]
    _no_live_formula(rows)
    assert any(FORMULA in cell for cell in _cells(rows))  # inside the JSON detail, harmless
    secret = client.post("/api/v1/cases", headers=bearer("ana"), json={
        "title": "Sensitive den", "restricted": True,
        "parties": [{"party_id": "F1", "role": "facilitator"}]}).json()["id"]
    only_case = _rows(client, "/api/v1/audit.csv", user="sam", target=f"case:{secret}")
    assert len(only_case) > 1


@pytest.mark.parametrize("url", ["/api/v1/alerts.csv", "/api/v1/cases.csv",
                                 "/api/v1/parties/P1/payments.csv", "/api/v1/audit.csv"])
def test_each_export_needs_a_login_and_is_audited(client: TestClient, url: str) -> None:
    assert client.get(url).status_code == 401
    user = "sam" if "audit" in url else "ana"
    assert client.get(url, headers=bearer(user)).status_code == 200
    log = client.get("/api/v1/audit", params={"action": "export_csv"},
                     headers=bearer("sam")).json()
    assert log[0]["actor"] == user and log[0]["target_type"] == "export"
    assert log[0]["detail"]["what"] in url


def test_the_pages_link_their_csv(client: TestClient) -> None:
    assert 'href="/api/v1/alerts.csv?role=payer"' in client.get(
        "/alerts?role=payer", headers=bearer("ana")).text
    assert 'href="/api/v1/cases.csv"' in client.get("/cases", headers=bearer("ana")).text
    assert 'href="/api/v1/parties/P1/payments.csv"' in client.get(
        "/parties/P1", headers=bearer("ana")).text
    assert "/api/v1/audit.csv?actor=ana" in client.get(
        "/audit?actor=ana", headers=bearer("sam")).text


def test_a_long_export_is_cut_and_says_so(client: TestClient,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exports, "MAX_ROWS", 2)
    answer = client.get("/api/v1/parties/P1/payments.csv", headers=bearer("ana"))
    assert answer.headers["x-truncated"] == "true"
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert len(rows) == 1 + 2 + 1 and rows[-1][0].startswith("# truncated: the first 2 rows")


def test_the_queue_export_hides_a_restricted_case_id(client: TestClient,
                                                     workspace: Path) -> None:
    queue = client.get("/api/v1/alerts", params={"party_id": "P1"}, headers=bearer("ana"))
    alert_id = queue.json()["items"][0]["id"]
    made = client.post(f"/api/v1/alerts/{alert_id}/disposition", headers=bearer("ana"), json={
        "decision": "escalate", "reason": "x", "title": "Sensitive", "restricted": True})
    case_id = str(made.json()["case_id"])
    mine = _rows(client, "/api/v1/alerts.csv", party_id="P1")
    assert dict(zip(mine[0], mine[1], strict=True))["case_id"] == case_id
    bob = client.get("/api/v1/alerts.csv", params={"party_id": "P1"},
                     headers=other_analyst(workspace))
    theirs = list(csv.reader(io.StringIO(bob.text)))
    assert dict(zip(theirs[0], theirs[1], strict=True))["case_id"] == ""


@pytest.mark.parametrize("url", ["/api/v1/alerts.csv", "/api/v1/cases.csv",
                                 "/api/v1/parties/P1/payments.csv", "/api/v1/audit.csv",
                                 "/api/v1/search?q=p1"])
def test_the_screening_service_role_exports_and_searches_nothing(client: TestClient,
                                                                 url: str) -> None:
    answer = client.get(url, headers=bearer("gate"))
    assert answer.status_code == 403 and "P1" not in answer.text.replace(url, "")

"""Case API: open, list, notes, assign, status moves, submit and four-eyes approval."""

from __future__ import annotations

from fastapi.testclient import TestClient


def _escalated_case(client: TestClient, headers: dict[str, str]) -> int:
    answer = client.post("/api/v1/alerts/1/disposition", headers=headers,
                         json={"decision": "escalate", "reason": "night payments"})
    return int(answer.json()["case_id"])


def test_case_life_from_escalation_to_report(client: TestClient, analyst: dict[str, str],
                                             supervisor: dict[str, str]) -> None:
    case_id = _escalated_case(client, analyst)
    url = f"/api/v1/cases/{case_id}"
    assert client.get(url, headers=analyst).json()["status"] == "open"
    moved = client.post(f"{url}/status", json={"status": "investigating"}, headers=analyst)
    assert moved.json()["status"] == "investigating"
    noted = client.post(f"{url}/notes", json={"text": "KYC checked"}, headers=analyst).json()
    assert [(n["author"], n["text"]) for n in noted["notes"]] == [  # the escalation's reason
        ("ana", "night payments"), ("ana", "KYC checked")]                # first (issue 19.4)
    assigned = client.post(f"{url}/assign", json={"assignee": "ana"}, headers=supervisor)
    assert assigned.json()["assignee"] == "ana"
    submitted = client.post(f"{url}/submit", headers=analyst).json()
    assert submitted["status"] == "pending_approval" and submitted["submitted_by"] == "ana"
    approved = client.post(f"{url}/approve", headers=supervisor).json()
    assert approved["status"] == "reported" and approved["approved_by"] == "sam"
    again = client.post(f"{url}/submit", headers=analyst)
    assert again.status_code == 409


def test_four_eyes_the_submitter_cannot_approve(client: TestClient,
                                                supervisor: dict[str, str]) -> None:
    case_id = _escalated_case(client, supervisor)
    url = f"/api/v1/cases/{case_id}"
    client.post(f"{url}/status", json={"status": "investigating"}, headers=supervisor)
    client.post(f"{url}/submit", headers=supervisor)
    assert client.post(f"{url}/approve", headers=supervisor).status_code == 403
    back = client.post(f"{url}/send-back", json={"reason": "x"}, headers=supervisor)
    assert back.status_code == 403


def test_send_back_and_close_with_reason(client: TestClient, analyst: dict[str, str],
                                         supervisor: dict[str, str]) -> None:
    case_id = _escalated_case(client, analyst)
    url = f"/api/v1/cases/{case_id}"
    client.post(f"{url}/status", json={"status": "investigating"}, headers=analyst)
    client.post(f"{url}/submit", headers=analyst)
    back = client.post(f"{url}/send-back", json={"reason": "add bank records"},
                       headers=supervisor).json()
    assert back["status"] == "investigating"
    no_reason = client.post(f"{url}/status", json={"status": "closed"}, headers=analyst)
    assert no_reason.status_code == 400
    closed = client.post(f"{url}/status", json={"status": "closed", "reason": "cleared"},
                         headers=analyst).json()
    assert closed["status"] == "closed" and closed["closed_reason"] == "cleared"


def test_open_list_and_filter_cases(client: TestClient, analyst: dict[str, str]) -> None:
    made = client.post("/api/v1/cases", headers=analyst, json={
        "title": "Den around F1", "parties": [{"party_id": "F1", "role": "facilitator"}]})
    assert made.status_code == 201, made.text
    assert made.json()["parties"] == [{"party_id": "F1", "role": "facilitator"}]
    listed = client.get("/api/v1/cases", params={"status": "open"}, headers=analyst).json()
    assert [c["title"] for c in listed] == ["Den around F1"]
    assert client.get("/api/v1/cases", params={"status": "reported"},
                      headers=analyst).json() == []


def test_unknown_case_is_404_and_bad_assignee_is_refused(
    client: TestClient, supervisor: dict[str, str]
) -> None:
    assert client.get("/api/v1/cases/999", headers=supervisor).status_code == 404
    case_id = _escalated_case(client, supervisor)
    answer = client.post(f"/api/v1/cases/{case_id}/assign", json={"assignee": "nobody"},
                         headers=supervisor)
    assert answer.status_code == 404

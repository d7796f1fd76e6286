"""Case creation and notes over the API: bounded fields and lists, party ids from the data.

Issue 16 point 11: 500 party ids of 100 kB each → 201, a 152 MB database, a 100 MB case page.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from dentrace.cases import limits


def _cases(client: TestClient, headers: dict[str, str]) -> list[dict[str, object]]:
    answer = client.get("/api/v1/cases", headers=headers)
    assert answer.status_code == 200
    return list(answer.json())


def test_the_attack_of_issue_16_is_422_and_writes_nothing(
    client: TestClient, analyst: dict[str, str]
) -> None:
    parties = [{"party_id": f"P{n}" + "x" * 100_000, "role": "payer"} for n in range(500)]
    answer = client.post("/api/v1/cases", headers=analyst,
                         json={"title": "Den", "parties": parties})
    assert answer.status_code == 422
    assert _cases(client, analyst) == []


def test_every_field_of_a_new_case_is_bounded(client: TestClient,
                                             analyst: dict[str, str]) -> None:
    ok_party = {"party_id": "P1", "role": "payer"}
    bodies = [
        {"title": "t" * (limits.MAX_TITLE + 1), "parties": [ok_party]},
        {"title": "", "parties": [ok_party]},
        {"title": "Den", "parties": [ok_party] * (limits.MAX_PARTIES + 1)},
        {"title": "Den", "parties": [{"party_id": "P" * (limits.MAX_PARTY_ID + 1),
                                      "role": "payer"}]},
        {"title": "Den", "parties": [{"party_id": "", "role": "payer"}]},
        {"title": "Den", "parties": [{"party_id": "P1", "role": "x" * 100_000}]},
    ]
    for body in bodies:
        answer = client.post("/api/v1/cases", headers=analyst, json=body)
        assert answer.status_code == 422, (str(body)[:80], answer.text[:200])
    assert _cases(client, analyst) == []


def test_unknown_party_ids_are_422_naming_them(client: TestClient,
                                               analyst: dict[str, str]) -> None:
    answer = client.post("/api/v1/cases", headers=analyst, json={
        "title": "Den", "parties": [{"party_id": "P1", "role": "payer"},
                                    {"party_id": "NOBODY-1", "role": "payer"},
                                    {"party_id": "NOBODY-2", "role": "facilitator"}]})
    assert answer.status_code == 422, answer.text
    assert "NOBODY-1" in answer.json()["detail"] and "NOBODY-2" in answer.json()["detail"]
    assert "P1," not in answer.json()["detail"]
    assert _cases(client, analyst) == []
    # Parties of the warehouse (P4: payments and KYC, not alerted) and of the scan are known.
    made = client.post("/api/v1/cases", headers=analyst, json={
        "title": "Den", "parties": [{"party_id": "P4", "role": "payer"},
                                    {"party_id": "F1", "role": "facilitator"}]})
    assert made.status_code == 201, made.text


def test_notes_are_bounded(client: TestClient, analyst: dict[str, str]) -> None:
    made = client.post("/api/v1/cases", headers=analyst, json={"title": "Den", "parties": []})
    url = f"/api/v1/cases/{made.json()['id']}/notes"
    too_long = client.post(url, headers=analyst, json={"text": "n" * (limits.MAX_NOTE + 1)})
    assert too_long.status_code == 422
    at_limit = client.post(url, headers=analyst, json={"text": "n" * limits.MAX_NOTE})
    assert at_limit.status_code == 200
    assert len(at_limit.json()["notes"]) == 1

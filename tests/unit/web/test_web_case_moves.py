"""Case status moves over the API: only the state machine's moves, by the roles it allows.

Issue 16 point 2: ``POST /cases/{id}/status {"status": "investigating"}`` pulled a pending case
back (200) for its submitter and for any analyst, audited as "start_investigation".
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from dentrace.auth import get_account, issue_token
from dentrace.store.sql import open_store
from dentrace.store.sql.models import User, utcnow


def other_analyst(workspace: Path, name: str = "bob") -> dict[str, str]:
    """Bearer header of a second analyst added to the sample workspace."""
    store = open_store(workspace)
    try:
        with store.session() as session:
            session.add(User(username=name, password_hash="-", role="analyst", active=True,
                             created_at=utcnow()))
        token = issue_token(store, get_account(store, name), lifetime=timedelta(hours=1))
    finally:
        store.close()
    return {"Authorization": f"Bearer {token}"}


def pending_case(client: TestClient, headers: dict[str, str]) -> str:
    """The URL of a case opened, investigated and submitted by ``headers``' user."""
    made = client.post("/api/v1/cases", headers=headers, json={
        "title": "Den around F1", "parties": [{"party_id": "F1", "role": "facilitator"}]})
    assert made.status_code == 201, made.text
    url = f"/api/v1/cases/{made.json()['id']}"
    assert client.post(f"{url}/status", json={"status": "investigating"},
                       headers=headers).status_code == 200
    assert client.post(f"{url}/submit", headers=headers).status_code == 200
    return url


def test_the_submitter_cannot_pull_back_a_pending_case(
    client: TestClient, analyst: dict[str, str], supervisor: dict[str, str]
) -> None:
    url = pending_case(client, analyst)
    answer = client.post(f"{url}/status", json={"status": "investigating"}, headers=analyst)
    assert answer.status_code == 403, answer.text
    assert "send back" in answer.json()["detail"]
    assert client.get(url, headers=analyst).json()["status"] == "pending_approval"


def test_another_analyst_cannot_pull_back_a_pending_case(
    client: TestClient, workspace: Path, analyst: dict[str, str]
) -> None:
    url = pending_case(client, analyst)
    bob = other_analyst(workspace)
    for body in ({"status": "investigating"}, {"status": "investigating", "reason": "redo"},
                 {"status": "closed", "reason": "nothing"}):
        answer = client.post(f"{url}/status", json=body, headers=bob)
        assert answer.status_code == 403, (body, answer.text)
    assert client.post(f"{url}/send-back", json={"reason": "x"}, headers=bob).status_code == 403
    assert client.post(f"{url}/approve", headers=bob).status_code == 403
    assert client.get(url, headers=analyst).json()["status"] == "pending_approval"


def test_a_supervisor_sends_back_through_the_status_route_audited_as_send_back(
    client: TestClient, analyst: dict[str, str], supervisor: dict[str, str]
) -> None:
    url = pending_case(client, analyst)
    assert client.post(f"{url}/status", json={"status": "investigating"},
                       headers=analyst).status_code == 403
    no_reason = client.post(f"{url}/status", json={"status": "investigating"},
                            headers=supervisor)
    assert no_reason.status_code == 400
    back = client.post(f"{url}/status", json={"status": "investigating", "reason": "more"},
                       headers=supervisor)
    assert back.status_code == 200 and back.json()["status"] == "investigating"
    case_id = url.rsplit("/", 1)[1]
    log = client.get("/api/v1/audit", params={"target_type": "case", "target_id": case_id},
                     headers=supervisor).json()
    actions = [(e["actor"], e["action"]) for e in reversed(log)]
    assert actions[-1] == ("sam", "send_back")
    assert [a for _, a in actions].count("start_investigation") == 1
    refused = [e["detail"] for e in log if e["action"] == "refused_move"]
    assert [(d["move"], d["from"]) for d in refused] == [("send_back", "pending_approval")]


def test_moves_the_status_does_not_allow_are_409_with_the_reason(
    client: TestClient, analyst: dict[str, str], supervisor: dict[str, str]
) -> None:
    made = client.post("/api/v1/cases", headers=analyst, json={"title": "t", "parties": []})
    url = f"/api/v1/cases/{made.json()['id']}"
    for path, body in ((f"{url}/approve", None), (f"{url}/submit", None),
                       (f"{url}/send-back", {"reason": "x"}),
                       (f"{url}/status", {"status": "reported"})):
        answer = client.post(path, json=body, headers=supervisor)
        assert answer.status_code == 409, (path, answer.text)
        assert "'open'" in answer.json()["detail"]

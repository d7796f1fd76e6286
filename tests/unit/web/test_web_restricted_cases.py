"""Restricted cases over the API and the pages: another analyst gets 404 (not 403, so the case's
existence is not leaked) and does not find it in lists; members and supervisors see it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from dentrace.store.sql import open_store
from dentrace.store.sql.models import RolePermission
from tests.unit.web.test_web_case_moves import other_analyst


def _restricted_case(client: TestClient, headers: dict[str, str]) -> int:
    made = client.post("/api/v1/cases", headers=headers, json={
        "title": "Sensitive den", "restricted": True,
        "parties": [{"party_id": "F1", "role": "facilitator"}]})
    assert made.status_code == 201, made.text
    assert made.json()["restricted"] is True
    return int(made.json()["id"])


def test_another_analyst_gets_404_everywhere_and_no_trace(
    client: TestClient, workspace: Path, analyst: dict[str, str]
) -> None:
    case_id = _restricted_case(client, analyst)
    bob = other_analyst(workspace)
    url = f"/api/v1/cases/{case_id}"
    calls = [("GET", url, None), ("POST", f"{url}/notes", {"text": "peek"}),
             ("POST", f"{url}/status", {"status": "investigating"}),
             ("POST", f"{url}/restriction", {"restricted": False}),
             ("POST", f"{url}/members", {"username": "bob"}), ("POST", f"{url}/goaml", None),
             ("GET", f"/cases/{case_id}", None)]
    for method, path, body in calls:
        answer = client.request(method, path, json=body, headers=bob)
        assert answer.status_code == 404, (method, path, answer.status_code)
        assert "Sensitive" not in answer.text
    assert client.get("/api/v1/cases", headers=bob).json() == []
    assert "Sensitive den" not in client.get("/cases", headers=bob).text
    assert case_id not in client.get("/api/v1/parties/F1", headers=bob).json()["case_ids"]
    # The case is untouched and still restricted for its owner.
    mine = client.get(url, headers=analyst).json()
    assert (mine["status"], mine["notes"], mine["restricted"]) == ("open", [], True)


def test_supervisor_sees_it_and_a_named_member_too(
    client: TestClient, workspace: Path, analyst: dict[str, str], supervisor: dict[str, str]
) -> None:
    case_id = _restricted_case(client, analyst)
    bob = other_analyst(workspace)
    url = f"/api/v1/cases/{case_id}"
    assert client.get(url, headers=supervisor).status_code == 200
    assert [c["id"] for c in client.get("/api/v1/cases", headers=supervisor).json()] == [case_id]
    added = client.post(f"{url}/members", json={"username": "bob"}, headers=analyst)
    assert added.status_code == 200 and added.json()["members"] == ["bob"]
    assert client.get(url, headers=bob).status_code == 200
    page = client.get(f"/cases/{case_id}", headers=bob)
    assert page.status_code == 200 and 'id="restricted-badge"' in page.text
    listed = client.get("/api/v1/cases", headers=bob).json()
    assert [(c["id"], c["restricted"]) for c in listed] == [(case_id, True)]
    assert client.post(f"{url}/members", json={"username": "sue"},
                       headers=bob).status_code == 403  # members do not manage access
    removed = client.delete(f"{url}/members/bob", headers=supervisor)
    assert removed.status_code == 200 and removed.json()["members"] == []
    assert client.get(url, headers=bob).status_code == 404


def test_default_is_open_and_the_assignee_can_restrict_later(
    client: TestClient, workspace: Path, analyst: dict[str, str], supervisor: dict[str, str]
) -> None:
    made = client.post("/api/v1/cases", headers=analyst, json={"title": "Den", "parties": []})
    url = f"/api/v1/cases/{made.json()['id']}"
    assert made.json()["restricted"] is False
    bob = other_analyst(workspace)
    assert client.get(url, headers=bob).status_code == 200
    assert client.post(f"{url}/restriction", json={"restricted": True},
                       headers=bob).status_code == 403  # bob sees it but is not the assignee
    restricted = client.post(f"{url}/restriction", json={"restricted": True}, headers=analyst)
    assert restricted.status_code == 200 and restricted.json()["restricted"] is True
    assert client.get(url, headers=bob).status_code == 404
    log = client.get("/api/v1/audit", params={"action": "restrict_case"},
                     headers=supervisor).json()
    assert [(e["actor"], e["target_id"]) for e in log] == [("ana", url.rsplit("/", 1)[1])]


def test_case_pages_offer_restriction_and_members(
    client: TestClient, analyst: dict[str, str]
) -> None:
    listing = client.get("/cases", headers=analyst).text
    assert 'id="new-restricted"' in listing and "/static/js/cases.js" in listing
    case_id = _restricted_case(client, analyst)
    page = client.get(f"/cases/{case_id}", headers=analyst).text
    assert 'data-action="add-member"' in page and 'data-action="unrestrict"' in page
    assert "Restricted" in client.get("/cases", headers=analyst).text
    assert client.get("/static/js/cases.js").status_code == 200


def test_audit_entries_about_it_are_hidden_from_a_reader_who_may_not_see_it(
    client: TestClient, workspace: Path, analyst: dict[str, str], supervisor: dict[str, str]
) -> None:
    """Roles are data: were analysts granted ``view_audit``, the log still hides the case."""
    case_id = _restricted_case(client, analyst)
    open_id = client.post("/api/v1/cases", headers=analyst,
                          json={"title": "Ordinary", "parties": []}).json()["id"]
    bob = other_analyst(workspace)
    store = open_store(workspace)
    with store.session() as session:
        session.add(RolePermission(role="analyst", action="view_audit"))
    store.close()

    def about(entries: list[dict[str, Any]], number: int) -> list[str]:
        return [e["action"] for e in entries if e["target_type"] == "case"
                and e["target_id"] == str(number)]

    seen_by_bob = client.get("/api/v1/audit", params={"limit": 1000}, headers=bob).json()
    assert about(seen_by_bob, case_id) == [] and about(seen_by_bob, open_id) == ["open_case"]
    only_it = client.get("/api/v1/audit", headers=bob,
                         params={"target_type": "case", "target_id": str(case_id)}).json()
    assert only_it == []
    page = client.get("/audit", params={"target": f"case:{case_id}"}, headers=bob)
    assert page.status_code == 200 and "Sensitive den" not in page.text
    assert "open_case" not in page.text
    seen_by_sam = client.get("/api/v1/audit", params={"limit": 1000}, headers=supervisor).json()
    assert about(seen_by_sam, case_id) == ["open_case"]

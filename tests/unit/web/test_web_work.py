"""The work-management API and screens on the sample workspace: assign to me, the queue's
assignee and overdue filters, saved views, review of held dismissals (a known offender's from
the warehouse), add to an existing case, related alerts, title, due date and attachments."""

from __future__ import annotations

import hashlib
from pathlib import Path

from fastapi.testclient import TestClient

from dentrace.store.warehouse import open_warehouse
from tests.unit.web.web_sample import bearer

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"


def test_assign_to_me_and_the_assignee_filter(client: TestClient, analyst: dict[str, str],
                                              supervisor: dict[str, str]) -> None:
    taken = client.post("/api/v1/alerts/assign", json={"alert_ids": [2, 4], "assignee": "ana"},
                        headers=analyst)
    assert taken.status_code == 200, taken.text
    assert [a["assignee"] for a in taken.json()] == ["ana", "ana"]
    mine = client.get("/api/v1/alerts?assignee=me", headers=analyst).json()
    assert [a["id"] for a in mine["items"]] == [2, 4]
    nobody = client.get("/api/v1/alerts?assignee=none", headers=analyst).json()
    assert {a["id"] for a in nobody["items"]} == {1, 3}
    given = client.post("/api/v1/alerts/assign", json={"alert_ids": [2], "assignee": "sue"},
                        headers=supervisor)
    assert given.json()[0]["assignee"] == "sue"
    page = client.get("/alerts?assignee=sue", headers=analyst)
    assert page.status_code == 200
    assert page.text.count('<td class="assignee">sue</td>') == 1
    assert "Assign to me" in client.get("/alerts", headers=analyst).text


def test_overdue_alerts_are_marked_and_filtered(client: TestClient, analyst: dict[str, str],
                                                supervisor: dict[str, str]) -> None:
    past = client.post("/api/v1/alerts/3/due", json={"due_at": "2024-01-01T00:00:00"},
                       headers=supervisor)
    assert past.status_code == 200, past.text
    late = client.get("/api/v1/alerts?overdue=true", headers=analyst).json()
    assert 3 in [a["id"] for a in late["items"]]
    page = client.get("/alerts?overdue=1", headers=analyst).text
    assert 'data-alert-id="3"' in page and "overdue</span>" in page
    refused = client.post("/api/v1/alerts/3/due", json={"due_at": None}, headers=analyst)
    assert refused.status_code == 403  # not hers: the assignee or a supervisor


def test_saved_views_round_trip(client: TestClient, analyst: dict[str, str],
                                supervisor: dict[str, str]) -> None:
    made = client.post("/api/v1/views", json={"name": "PH <payers>",
                                              "filters": {"country": "PH", "role": "payer"}},
                       headers=analyst)
    assert made.status_code == 201, made.text
    assert client.get("/api/v1/views", headers=supervisor).json() == []
    page = client.get("/alerts", headers=analyst).text
    assert "PH &lt;payers&gt;" in page and "/alerts?country=PH&amp;role=payer" in page
    assert client.post("/api/v1/views", json={"name": "x", "filters": {"bad": "1"}},
                       headers=analyst).status_code == 422
    view_id = made.json()["id"]
    assert client.delete(f"/api/v1/views/{view_id}", headers=supervisor).status_code == 404
    assert client.delete(f"/api/v1/views/{view_id}", headers=analyst).status_code == 204
    assert client.get("/api/v1/views", headers=analyst).json() == []


def test_a_known_offenders_dismissal_waits_for_a_second_review(
    client: TestClient, workspace: Path, analyst: dict[str, str], supervisor: dict[str, str]
) -> None:
    con = open_warehouse(workspace)
    con.execute("INSERT INTO known VALUES ('P3', 'offender', '2025-01-01', NULL, 2, 3)")
    con.close()
    codes = client.get("/api/v1/dismissal-codes", headers=analyst).json()
    assert "explained_activity" in codes
    body = {"alert_ids": [2, 4], "decision": "dismiss", "reason": "family", "code": "other"}
    assert client.post("/api/v1/alerts/dispositions", headers=analyst,
                       json={**body, "code": None}).status_code == 400
    done = client.post("/api/v1/alerts/dispositions", json=body, headers=analyst).json()
    assert {a["id"]: a["status"] for a in done["alerts"]} == {2: "dismissed",
                                                              4: "dismissal_pending"}
    held = client.post("/api/v1/alerts/dispositions", headers=analyst,
                       json={**body, "alert_ids": [1]}).json()  # 0.93: a high score
    assert held["alerts"][0]["status"] == "dismissal_pending"
    assert client.post("/api/v1/alerts/review", json={"alert_ids": [1, 4], "confirm": True},
                       headers=analyst).status_code == 403
    confirmed = client.post("/api/v1/alerts/review", json={"alert_ids": [1, 4],
                                                           "confirm": True}, headers=supervisor)
    assert [a["status"] for a in confirmed.json()] == ["dismissed", "dismissed"]


def test_add_to_an_existing_case_related_alerts_and_title(
    client: TestClient, analyst: dict[str, str]
) -> None:
    opened = client.post("/api/v1/alerts/3/disposition", json={"decision": "escalate"},
                         headers=analyst).json()
    case_id = opened["case_id"]
    related = client.get(f"/api/v1/cases/{case_id}/related", headers=analyst).json()
    assert [(r["alert"]["party_id"], r["via"]) for r in related] == [
        ("P1", ["F1"]), ("P2", ["F1"]), ("P3", ["F1"])]
    page = client.get(f"/cases/{case_id}", headers=analyst).text
    assert 'id="related-alerts"' in page and 'data-add-alert="1"' in page
    added = client.post("/api/v1/alerts/1/disposition", headers=analyst,
                        json={"decision": "escalate", "case_id": case_id}).json()
    assert added["case_id"] == case_id
    after = client.get(f"/api/v1/cases/{case_id}/related", headers=analyst).json()
    assert [r["alert"]["party_id"] for r in after] == ["P2", "P3"]
    renamed = client.post(f"/api/v1/cases/{case_id}/title",
                          json={"title": "Den F1 <script>x</script>"}, headers=analyst)
    assert renamed.json()["title"] == "Den F1 <script>x</script>"
    page = client.get(f"/cases/{case_id}", headers=analyst).text
    assert "<script>x</script>" not in page and "Den F1 &lt;script&gt;" in page


def test_attachments_upload_refusal_and_download(client: TestClient, workspace: Path,
                                                 analyst: dict[str, str]) -> None:
    case_id = client.post("/api/v1/alerts/3/disposition", json={"decision": "escalate"},
                          headers=analyst).json()["case_id"]
    url = f"/api/v1/cases/{case_id}/attachments"
    image = client.post(url, files={"file": ("bank.pdf", b"\xff\xd8\xff\xe0" + b"\0" * 40,
                                             "application/pdf")}, headers=analyst)
    assert image.status_code == 415 and "never stores images" in image.json()["detail"]
    sent = client.post(url, files={"file": ("../statement\u202e.pdf", PDF, "image/png")},
                       headers=analyst)
    assert sent.status_code == 201, sent.text
    att = sent.json()
    assert (att["filename"], att["media_type"], att["sha256"]) == (
        "statement.pdf", "application/pdf", hashlib.sha256(PDF).hexdigest())
    assert (workspace / "attachments" / f"case-{case_id}" / str(att["id"])).read_bytes() == PDF
    got = client.get(f"{url}/{att['id']}", headers=analyst)
    assert got.content == PDF and got.headers["X-Content-SHA256"] == att["sha256"]
    assert got.headers["content-disposition"].startswith('attachment; filename="statement.pdf"')
    assert att["sha256"] in client.get(f"/cases/{case_id}", headers=analyst).text
    assert client.get(f"{url}/{att['id']}", headers=bearer("gate")).status_code == 403


def test_the_case_list_shows_age_due_and_only_mine(client: TestClient, analyst: dict[str, str],
                                                   supervisor: dict[str, str]) -> None:
    mine = client.post("/api/v1/alerts/3/disposition", json={"decision": "escalate"},
                       headers=analyst).json()["case_id"]
    theirs = client.post("/api/v1/alerts/1/disposition", json={"decision": "escalate"},
                         headers=supervisor).json()["case_id"]
    everything = client.get("/cases", headers=analyst).text
    assert f'href="/cases/{mine}"' in everything and f'href="/cases/{theirs}"' in everything
    assert '<td class="nowrap age">0 min</td>' in everything
    only = client.get("/cases?mine=true", headers=analyst).text
    assert f'href="/cases/{mine}"' in only and f'href="/cases/{theirs}"' not in only
    client.post(f"/api/v1/cases/{mine}/due", json={"due_at": "2024-02-01T00:00:00"},
                headers=analyst)
    assert "2024-02-01 <span class=\"badge overdue\">overdue</span>" in client.get(
        "/cases?mine=true", headers=analyst).text

"""The investigator API end to end on SQLite and on a real PostgreSQL server (same test).

Login, queue, party view, bulk escalation, case work, four-eyes approval and the audit chain.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from fastapi.testclient import TestClient

from dentrace.auth import add_user
from dentrace.cases import import_alerts
from dentrace.store.sql import Store
from dentrace.web import WebSettings, create_app


def _sample() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "unit" / "web" / "web_sample.py"
    spec = importlib.util.spec_from_file_location("dentrace_web_sample_integration", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SAMPLE = _sample()


def _client(store: Store, workspace: Path, password: str) -> TestClient:
    workspace.mkdir()
    SAMPLE._write_warehouse(workspace)
    SAMPLE._write_scan(workspace)
    for name, role in (("ana", "analyst"), ("sam", "supervisor")):
        add_user(store, name, role, password)
    import_alerts(store, workspace / "alerts.parquet")
    app = create_app(workspace, settings=WebSettings(secure_cookies=False), store=store)
    return TestClient(app)


def _login(client: TestClient, username: str, password: str) -> dict[str, str]:
    answer = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def test_investigation_through_the_api(store: Store, tmp_path: Path, password: str) -> None:
    client = _client(store, tmp_path / "ws", password)
    ana, sam = _login(client, "ana", password), _login(client, "sam", password)
    assert client.get("/api/v1/alerts").status_code == 401
    queue = client.get("/api/v1/alerts", params={"role": "payer"}, headers=ana).json()
    assert [a["party_id"] for a in queue["items"]] == ["P1", "P2", "P3"]
    assert client.get("/api/v1/parties/P1", headers=ana).json()["profile"]["name"] == \
        "Alan Smith"

    escalated = client.post("/api/v1/alerts/dispositions", headers=ana, json={
        "alert_ids": [1, 2], "decision": "escalate", "reason": "same facilitator"}).json()
    url = f"/api/v1/cases/{escalated['case_id']}"
    client.post(f"{url}/status", json={"status": "investigating"}, headers=ana)
    client.post(f"{url}/notes", json={"text": "both pay F1 at night"}, headers=ana)
    assert client.post(f"{url}/approve", headers=ana).status_code == 403
    assert client.post(f"{url}/submit", headers=ana).json()["status"] == "pending_approval"
    approved = client.post(f"{url}/approve", headers=sam).json()
    assert approved["status"] == "reported" and approved["approved_by"] == "sam"

    dismissed = client.post("/api/v1/alerts/4/disposition", headers=ana,
                            json={"decision": "dismiss", "code": "other",
                                  "reason": "family remittances"})
    assert dismissed.json()["alerts"][0]["status"] == "dismissed"
    network = client.get("/api/v1/parties/P1/network", headers=ana).json()
    assert {n["id"] for n in network["nodes"] if n["in_case"]} == {"P1", "P2"}

    views = client.get("/api/v1/audit", params={"action": "view_party"}, headers=sam).json()
    assert [v["target_id"] for v in views] == ["P1"]
    assert client.get("/api/v1/audit/verify", headers=sam).json()["ok"] is True

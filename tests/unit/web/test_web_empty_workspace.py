"""A workspace with no warehouse and no scan yet: every screen answers, nothing crashes."""

from __future__ import annotations

from pathlib import Path

import duckdb
from fastapi.testclient import TestClient

from dentrace.auth import add_user_with_random_password, get_account, issue_token
from dentrace.store.sql import open_store
from dentrace.web import WebSettings, create_app


def test_empty_workspace_answers_without_errors(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    add_user_with_random_password(store, "sam", "supervisor")
    headers = {"Authorization": f"Bearer {issue_token(store, get_account(store, 'sam'))}"}
    client = TestClient(create_app(tmp_path, settings=WebSettings(secure_cookies=False),
                                   store=store))
    assert client.get("/api/v1/alerts", headers=headers).json()["total"] == 0
    figures = client.get("/api/v1/overview", headers=headers).json()
    assert figures["corridors"] == [] and figures["facilitators"] == []
    assert figures["reporting_currency"] == "?"
    assert client.get("/api/v1/parties/P1", headers=headers).status_code == 404
    assert client.post("/api/v1/alerts/import", headers=headers).status_code == 404
    client.cookies.set("dentrace_session", headers["Authorization"].split()[1])
    for page in ("/alerts", "/overview", "/cases", "/audit"):
        assert client.get(page).status_code == 200, page
    store.close()


def test_a_warehouse_held_open_for_writing_in_process_is_503(
    client: TestClient, workspace: Path, analyst: dict[str, str]
) -> None:
    # Same process, read-write connection open (as an in-process ingest would have), for
    # longer than a request waits for a writer's turn.
    client.app.state.context.evidence.wait = 0.5  # type: ignore[attr-defined]
    writer = duckdb.connect(str(workspace / "warehouse.duckdb"))
    try:
        answer = client.get("/api/v1/parties/P1", headers=analyst)
    finally:
        writer.close()
    assert answer.status_code == 503 and "busy" in answer.json()["detail"]
    assert client.get("/api/v1/parties/P1", headers=analyst).status_code == 200

"""Issue 19, defect 1: a published scan's alerts reach the queue by themselves (scan, users add,
serve: no "Import latest scan" press), imported once per scan as the system, whatever the number
of requests, app workers or button presses."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dentrace import audit
from dentrace.auth import AccountError, add_user, issue_token
from dentrace.cases import SYSTEM_ACTOR, import_scan_alerts
from dentrace.store.scan_outputs import ALERTS_FILE, PARTIES_FILE, publish_scan
from dentrace.store.sql import Store, open_store
from dentrace.store.sql.models import ScanImport
from dentrace.web import WebSettings, create_app
from dentrace.web.queue import ScanFeed
from tests.unit.web import web_sample


def _scan(workspace: Path, scores: dict[str, float]) -> None:
    """Publish a scan generation alerting ``scores`` (party -> score), as `dentrace scan` does."""
    alerts = pd.DataFrame({
        "party_id": list(scores), "role": ["facilitator" if p.startswith("F") else "payer"
                                           for p in scores],
        "score": list(scores.values()), "alert": True, "reasons": "NIGHT",
        "explanation": "NIGHT: payments at night",
        "txn_ids": [[f"T{p}0"] for p in scores]})
    publish_scan(workspace, {PARTIES_FILE: alerts.drop(columns=["txn_ids"]),
                             ALERTS_FILE: alerts}, {"scorer": "rules"})


@pytest.fixture()
def scanned(tmp_path: Path) -> Iterator[tuple[Path, Store, dict[str, str]]]:
    """`dentrace scan` then `dentrace users add` on a workspace nobody imported alerts into."""
    workspace = tmp_path / "ws"
    workspace.mkdir()
    web_sample._write_warehouse(workspace)
    _scan(workspace, {"P1": 0.93, "P2": 0.81, "F1": 0.88})
    store = open_store(workspace)
    tokens = {}
    for name, role in (("ana", "analyst"), ("sam", "supervisor")):
        account = add_user(store, name, role, web_sample.PASSWORD)
        tokens[name] = issue_token(store, account, lifetime=timedelta(hours=1))
    yield workspace, store, {n: f"Bearer {t}" for n, t in tokens.items()}
    store.close()


def _client(workspace: Path, store: Store) -> TestClient:
    return TestClient(create_app(workspace, settings=WebSettings(secure_cookies=False),
                                 store=store))


def _queue(client: TestClient, token: str) -> list[str]:
    answer = client.get("/api/v1/alerts", headers={"Authorization": token})
    assert answer.status_code == 200, answer.text
    return sorted(a["party_id"] for a in answer.json()["items"])


def _system_imports(store: Store) -> list[str]:
    found = audit.entries(store, actor=SYSTEM_ACTOR, action="import_alerts", limit=50)
    return [e.target_id for e in found]


def test_the_analysts_queue_lists_a_new_scan_without_any_button(
        scanned: tuple[Path, Store, dict[str, str]]) -> None:
    workspace, store, tokens = scanned
    with _client(workspace, store) as client:
        assert _queue(client, tokens["ana"]) == ["F1", "P1", "P2"]
        page = client.get("/alerts", headers={"Authorization": tokens["ana"]})
        assert page.status_code == 200 and "/parties/P1" in page.text
        assert "3 alerts match" in page.text
        for _ in range(3):  # more requests, nothing more
            assert _queue(client, tokens["ana"]) == ["F1", "P1", "P2"]
    (entry,) = audit.entries(store, actor=SYSTEM_ACTOR, action="import_alerts")
    assert entry.origin == "app" and entry.detail["alerts"] == 3
    assert audit.verify(store).ok


def test_a_second_scan_arrives_and_each_scan_is_imported_once(
        scanned: tuple[Path, Store, dict[str, str]]) -> None:
    workspace, store, tokens = scanned
    with _client(workspace, store) as client:
        assert len(_queue(client, tokens["ana"])) == 3
        _scan(workspace, {"P3": 0.7, "P5": 0.66})  # published while the app runs
        assert _queue(client, tokens["ana"]) == ["F1", "P1", "P2", "P3", "P5"]
        # the button stays for re-imports: the scan in force is already in
        pressed = client.post("/api/v1/alerts/import", headers={"Authorization": tokens["sam"]})
        assert pressed.status_code == 200 and pressed.json()["already_imported"] is True
        assert len(_queue(client, tokens["ana"])) == 5
        page = client.get("/alerts", headers={"Authorization": tokens["sam"]})
        assert 'id="btn-import"' in page.text
    imports = _system_imports(store)
    assert len(imports) == 2 and len(set(imports)) == 2


def test_a_scan_published_while_the_app_was_down_is_imported_on_start(
        scanned: tuple[Path, Store, dict[str, str]]) -> None:
    workspace, store, _ = scanned
    with _client(workspace, store):
        pass  # started and stopped, no request
    assert len(_system_imports(store)) == 1


def test_two_workers_seeing_one_new_scan_import_it_once(
        scanned: tuple[Path, Store, dict[str, str]]) -> None:
    workspace, store, _ = scanned
    other = open_store(workspace)  # a second app worker: its own engine and connections
    feeds = [ScanFeed(workspace, store), ScanFeed(workspace, other),
             ScanFeed(workspace, store), ScanFeed(workspace, other)]
    start = threading.Barrier(len(feeds))
    results: list[object] = []

    def run(feed: ScanFeed) -> None:
        start.wait()
        results.append(feed.check())

    threads = [threading.Thread(target=run, args=(f,)) for f in feeds]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    other.close()
    fresh = [r for r in results if r is not None and not r.already_imported]  # type: ignore[attr-defined]
    assert len(results) == 4 and len(fresh) == 1
    assert len(_system_imports(store)) == 1
    assert import_scan_alerts(store, workspace / ALERTS_FILE).already_imported


def test_a_bad_scan_output_does_not_stop_the_app(
        scanned: tuple[Path, Store, dict[str, str]]) -> None:
    workspace, store, tokens = scanned
    with _client(workspace, store) as client:
        assert len(_queue(client, tokens["ana"])) == 3
        broken = pd.DataFrame({"party_id": ["P9"], "role": ["payer"], "score": [7.0],
                               "reasons": ["X"]})
        publish_scan(workspace, {ALERTS_FILE: broken}, {"scorer": "rules"})
        assert len(_queue(client, tokens["ana"])) == 3  # not imported, still served
    assert len(_system_imports(store)) == 1


def test_no_login_may_take_the_system_actors_name(
        scanned: tuple[Path, Store, dict[str, str]]) -> None:
    _, store, _ = scanned
    for name in ("system", "System"):
        with pytest.raises(AccountError, match="app itself"):
            add_user(store, name, "analyst", web_sample.PASSWORD)


def test_a_worker_losing_the_race_reports_the_scan_as_already_imported(
        scanned: tuple[Path, Store, dict[str, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL's read committed lets two workers both see no import, then both insert: the
    scan id's primary key refuses the second, which answers 'already imported', not a 500."""
    workspace, store, _ = scanned
    path = workspace / ALERTS_FILE
    assert not import_scan_alerts(store, path).already_imported
    real_get, blinded = Session.get, list[Any]()

    def stale_get(self: Session, entity: Any, ident: Any, **kw: Any) -> Any:
        if entity is ScanImport and not blinded:  # the other worker's row not yet seen
            blinded.append(ident)
            return None
        return real_get(self, entity, ident, **kw)

    monkeypatch.setattr(Session, "get", stale_get)
    again = import_scan_alerts(store, path)
    assert blinded and again.already_imported and again.imported == 0
    monkeypatch.undo()
    assert len(_system_imports(store)) == 1 and audit.verify(store).ok

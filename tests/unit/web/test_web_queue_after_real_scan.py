"""Issue 19, defect 1 end to end: `dentrace scan`, `dentrace users add`, then the app, on a tiny
generated world: the analyst's queue holds the scan's alerts at once, and a second scan with a
larger alert budget brings its alerts in by itself, each scan imported once as the system."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from dentrace import audit
from dentrace.cases import SYSTEM_ACTOR
from dentrace.detect.scan import scan
from dentrace.store.scan_outputs import current_scan
from dentrace.store.sql import open_store
from dentrace.web import WebSettings, create_app
from tests.integration.web.live_world import make_workspace, make_world

pytestmark = pytest.mark.slow


def _alerted(workspace: Path) -> set[str]:
    return set(pd.read_parquet(current_scan(workspace).alerts)["party_id"].astype(str))


def test_real_scans_fill_the_queue_by_themselves(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    token = make_workspace(make_world(tmp_path, seed=19), workspace)  # ingest, scan, users add
    first = _alerted(workspace)
    assert first, "the tiny world should raise alerts"
    store = open_store(workspace)
    headers = {"Authorization": f"Bearer {token}"}
    app = create_app(workspace, settings=WebSettings(secure_cookies=False), store=store)
    try:
        with TestClient(app) as client:
            def queue() -> list[str]:
                answer = client.get("/api/v1/alerts", params={"limit": 500}, headers=headers)
                assert answer.status_code == 200, answer.text
                assert answer.json()["total"] <= 500
                return [a["party_id"] for a in answer.json()["items"]]

            assert sorted(queue()) == sorted(first)
            scan(workspace, scorer="rules", alert_budget=400.0)  # beside the running app
            second = _alerted(workspace)
            assert second - first, "a larger budget should alert more parties"
            assert sorted(queue()) == sorted([*first, *second])  # each scan's alerts once
            assert sorted(queue()) == sorted([*first, *second])
        imports = audit.entries(store, actor=SYSTEM_ACTOR, action="import_alerts")
        assert len(imports) == 2 and len({e.target_id for e in imports}) == 2
    finally:
        store.close()

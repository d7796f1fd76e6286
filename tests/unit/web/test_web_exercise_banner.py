"""An exercise workspace shows every logged-in page a banner with the time left (issue 25);
a workspace without an exercise shows none, and the login page never does."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from dentrace.store.workspace import Workspace
from dentrace.web.security import csrf_token_for
from tests.unit.web.web_sample import TOKENS


def _log_in(client: TestClient) -> TestClient:
    client.cookies.set("dentrace_session", TOKENS["ana"])
    client.cookies.set("dentrace_csrf", csrf_token_for(TOKENS["ana"]))
    return client


def test_no_exercise_no_banner(client: TestClient) -> None:
    assert "exercise-banner" not in _log_in(client).get("/alerts").text


def test_the_banner_counts_down_on_every_page(client: TestClient, workspace: Path) -> None:
    ends = datetime.now(UTC) + timedelta(minutes=90, seconds=30)
    Workspace(workspace).exercise.write_text(json.dumps({
        "exercise": "L1-seed3", "title": "A <remitter>", "institution": "remitter-3",
        "level": 1, "minutes": 90, "started": datetime.now(UTC).isoformat(),
        "ends": ends.isoformat()}), encoding="utf-8")
    assert "exercise-banner" not in client.get("/login").text
    browser = _log_in(client)
    for path in ("/alerts", "/cases", "/overview"):
        page = browser.get(path).text
        assert 'class="exercise-banner"' in page, path
        assert "A &lt;remitter&gt;" in page and "A <remitter>" not in page
        assert "90 min left" in page
        assert f'data-ends="{ends.isoformat()}"' in page
        assert '<script type="module" src="/static/js/exercise.js"></script>' in page
    assert browser.get("/static/js/exercise.js").status_code == 200
    Workspace(workspace).exercise.write_text(json.dumps({
        "exercise": "L1-seed3", "title": "A remitter",
        "ends": (datetime.now(UTC) - timedelta(minutes=1)).isoformat()}), encoding="utf-8")
    assert "time is up" in browser.get("/alerts").text

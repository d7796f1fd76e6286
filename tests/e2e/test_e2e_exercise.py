"""A trainee works a training exercise in the browser (issue 25): the banner counts down, they
escalate one alert and dismiss another, and ``exercise score --workspace`` shows their figures.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.e2e.conftest import log_in, serving

pytestmark = pytest.mark.browser
PASSWORD = "a-long-trainee-password"


def test_a_trainee_works_an_exercise_and_is_scored(tmp_path: Path, browser: Any) -> None:
    from dentrace.auth import add_user
    from dentrace.cli.main import app
    from dentrace.exercise import new_exercise
    from dentrace.exercise.workspace import start_exercise
    from dentrace.store.sql import open_store

    made = new_exercise(1, seed=3, out=tmp_path / "bundle", key_out=tmp_path / "key.parquet",
                        scale=0.1, minutes=45)
    workspace = tmp_path / "ws"
    held = start_exercise(made.bundle, workspace)
    store = open_store(workspace)
    add_user(store, "ana", "analyst", PASSWORD)
    with serving(workspace, store) as base:
        page, problems = log_in(browser, base, "ana", PASSWORD)
        banner = page.locator(".exercise-banner")
        assert "L1-seed3" in banner.inner_text() and "A remitter" in banner.inner_text()
        page.wait_for_function(
            "() => /^4\\d:\\d\\d left$/.test("
            "document.getElementById('exercise-countdown').textContent)")
        links = page.locator("#alert-table a.party-link")
        assert links.count() >= 2
        escalated = links.nth(0).inner_text().strip()
        dismissed = links.nth(1).inner_text().strip()
        links.nth(0).click()
        page.fill("#triage-reason", "nightly small transfers to one account in PH")
        page.click("#btn-escalate")
        page.wait_for_url("**/cases/*")
        assert page.locator(".exercise-banner").count() == 1  # on every page
        page.goto(f"{base}/alerts")
        page.click(f"#alert-table a.party-link:text-is('{dismissed}')")
        page.fill("#triage-reason", "monthly family remittance, same sister for years")
        page.select_option("#triage-code", "known_relationship")
        page.click("#btn-dismiss")
        # dismissed, or held for a supervisor's second review (a high score, a known offender)
        page.wait_for_selector("#toast:text-matches('Alert dismissed|second review')")
        assert problems == []

    out = tmp_path / "cards"
    result = CliRunner().invoke(app, [
        "exercise", "score", "--bundle", str(made.bundle), "--key", str(made.key),
        "--workspace", str(workspace), "--out", str(out)])
    assert result.exit_code == 0, result.output
    card = json.loads((out / "ana.json").read_text(encoding="utf-8"))
    assert card["trainee"] == "ana" and card["source"] == "workspace ws"
    assert card["accused"] == 1 and card["dismissed"] == 1
    key = pd.read_parquet(made.key)
    guilty = bool(key.loc[key["party_id"] == escalated, "is_positive"].any())
    assert card["hits"] == int(guilty)
    assert card["honest_accused"] == int(not guilty)
    first = card["time_to_first_den"]
    if guilty:
        assert first["party_id"] == escalated and 0 < first["seconds"] < 45 * 60
    else:
        assert first["seconds"] is None
    assert held["minutes"] == 45
    page_text = (out / "ana.html").read_text(encoding="utf-8")
    assert "time to the first den" in page_text

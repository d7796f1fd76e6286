"""In a real browser, on data an attacker chose: script-like memos and party ids with '/', '?',
'#', '%', spaces and non-Latin letters. The party page still runs its scripts and its links work.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.e2e.conftest import SAMPLE, log_in, serving
from tests.unit.web.odd_sample import HOSTILE_MEMOS, ODD_IDS, add_odd_parties, set_memos

pytestmark = pytest.mark.browser


@pytest.fixture()
def hostile_app(tmp_path: Path) -> Iterator[str]:
    """Base URL of the app serving the sample workspace with hostile memos and odd ids."""
    workspace = tmp_path / "ws"
    store = SAMPLE.build(workspace)
    set_memos(workspace)
    add_odd_parties(workspace, store)
    with serving(workspace, store) as base:
        yield base


def test_party_page_scripts_run_beside_script_like_memos(
    hostile_app: str, browser: Any, password: str
) -> None:
    page, problems = log_in(browser, hostile_app, "ana", password)
    page.goto(f"{hostile_app}/parties/P1")
    page.wait_for_selector("#network[data-ready=true]")
    page.wait_for_function("document.querySelector('#timeline').width > 0")
    memos = page.locator("#payments tbody td:nth-child(8)").all_inner_texts()
    assert set(HOSTILE_MEMOS.values()) - {HOSTILE_MEMOS["TP12"]} <= set(memos)
    data = page.evaluate("JSON.parse(document.getElementById('party-data').textContent)")
    assert {p["txn_id"]: p["memo"] for p in data["timeline"]}["TP10"] == "<!--<script>"
    assert page.locator("script:not([src]):not([type='application/json'])").count() == 0
    assert problems == []


def test_odd_party_ids_open_from_the_queue(hostile_app: str, browser: Any,
                                           password: str) -> None:
    page, problems = log_in(browser, hostile_app, "ana", password)
    for party_id in ODD_IDS:
        page.goto(f"{hostile_app}/alerts")
        page.locator("a.party-link", has_text=party_id).first.click()
        page.wait_for_url(f"{hostile_app}/parties/{quote(party_id, safe='')}")
        assert page.locator("#party-id").inner_text() == party_id
        page.wait_for_selector("#network[data-ready=true]")
        assert page.locator("#payments tbody tr").count() == 1
    assert problems == []


def test_page_actions_use_the_sessions_token_not_a_planted_cookie(
    hostile_app: str, browser: Any, password: str
) -> None:
    page, problems = log_in(browser, hostile_app, "ana", password)
    # A cookie set by someone else (a sibling subdomain, say) neither helps nor hurts.
    page.context.add_cookies([{"name": "dentrace_csrf", "value": "planted",
                               "url": hostile_app}])
    page.goto(f"{hostile_app}/parties/P2")
    page.fill("#triage-reason", "checked: a regular family remittance")
    page.select_option("#triage-code", "known_relationship")
    page.click("#btn-dismiss")
    page.wait_for_selector("#toast:has-text('Alert dismissed')")
    page.wait_for_selector("#triage .badge.status-dismissed")
    assert problems == []

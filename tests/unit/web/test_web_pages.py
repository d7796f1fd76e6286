"""Server-rendered screens: queue filters and sorting, party page data, cases, errors, docs."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from dentrace.web.security import csrf_token_for
from tests.unit.web.web_sample import TOKENS, bearer


@pytest.fixture()
def browser(client: TestClient) -> TestClient:
    """The client with the analyst's browser session (cookie session plus its CSRF cookie)."""
    client.cookies.set("dentrace_session", TOKENS["ana"])
    client.cookies.set("dentrace_csrf", csrf_token_for(TOKENS["ana"]))
    return client


def _parties_in_queue(html: str) -> list[str]:
    return re.findall(r'class="mono party-link" href="/parties/[^"]+">([^<]+)<', html)


def test_queue_page_filters_and_sorts(browser: TestClient) -> None:
    assert _parties_in_queue(browser.get("/alerts").text) == ["P1", "F1", "P2", "P3"]
    assert _parties_in_queue(browser.get("/alerts?role=facilitator").text) == ["F1"]
    assert _parties_in_queue(browser.get("/alerts?sort=party_id").text) == ["F1", "P1", "P2",
                                                                           "P3"]
    assert _parties_in_queue(browser.get("/alerts?min_score=0.85&country=au").text) == ["P1"]
    # Nonsense in the query string is ignored, not an error page.
    assert browser.get("/alerts?min_score=abc&since=never&page=-3").status_code == 200


def test_party_page_embeds_timeline_and_network_and_is_audited(browser: TestClient) -> None:
    html = browser.get("/parties/P1").text
    block = re.search(r'<script type="application/json" id="party-data">(.*?)</script>', html,
                      re.S)
    assert block is not None
    data = json.loads(block.group(1))
    assert len(data["timeline"]) == 6 and {n["id"] for n in data["network"]["nodes"]} >= {"F1"}
    assert "Alan Smith" in html and 'id="btn-escalate"' in html
    browser.cookies.clear()
    entries = browser.get("/api/v1/audit?action=view_party", headers=bearer("sam")).json()
    assert [e["target_id"] for e in entries] == ["P1"]


def test_case_pages_after_escalation(browser: TestClient) -> None:
    csrf = {"X-CSRF-Token": browser.cookies.get("dentrace_csrf") or ""}
    case_id = browser.post("/api/v1/alerts/1/disposition", json={"decision": "escalate"},
                           headers=csrf).json()["case_id"]
    listing = browser.get("/cases").text
    assert f'href="/cases/{case_id}"' in listing
    page = browser.get(f"/cases/{case_id}").text
    assert "TP10" in page and 'data-action="investigate"' in page
    assert 'data-action="approve"' not in page


def test_error_pages_for_missing_things_and_denied_screens(browser: TestClient) -> None:
    missing = browser.get("/parties/NOPE")
    assert missing.status_code == 404 and "Not found" in missing.text
    assert browser.get("/cases/999").status_code == 404
    denied = browser.get("/audit")
    assert denied.status_code == 403 and "Not allowed" in denied.text
    assert 'href="/cases"' in denied.text  # the menu stays for a logged-in user


def test_overview_and_docs_pages(browser: TestClient) -> None:
    overview = browser.get("/overview").text
    assert 'id="overview-data"' in overview and "F1" in overview
    docs = browser.get("/docs").text
    assert "/static/vendor/swagger-ui-bundle.js" in docs
    schema = browser.get("/openapi.json").json()
    assert "/api/v1/alerts" in schema["paths"]


def test_queue_and_party_pages_show_each_reasons_counterparties(browser: TestClient) -> None:
    queue = browser.get("/alerts").text
    assert ('title="receives small payments from 4 unrelated foreign payers — with P1 '
            '(name P1), P2 (name P2), P3 (name P3) — adds 0.88 to the score"') in queue
    party = browser.get("/parties/P1").text
    assert 'class="reason-parties">With: <a class="mono" href="/parties/F1">F1</a>' in party
    assert "Adds 0.41 to the score" in party
    assert "the rule score split by weight × strength" in party

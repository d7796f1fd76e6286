"""Keyboard use of the screens (issue 19): a skip link to the main content comes first on every
logged-in page, and the party page's timeline and table controls are real form controls."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from dentrace.web.security import csrf_token_for
from tests.unit.web.web_sample import TOKENS


@pytest.fixture()
def session(client: TestClient) -> TestClient:
    client.cookies.set("dentrace_session", TOKENS["ana"])
    client.cookies.set("dentrace_csrf", csrf_token_for(TOKENS["ana"]))
    return client


@pytest.mark.parametrize("path", ["/alerts", "/parties/P1", "/cases", "/overview",
                                  "/search?q=P1"])
def test_the_first_link_skips_to_the_main_content(session: TestClient, path: str) -> None:
    html = session.get(path).text
    body = html[html.index("<body"):]
    first = re.search(r"<(a|button|input|select|textarea)\b[^>]*>", body)
    assert first is not None and 'href="#main"' in first.group(0), first
    assert re.search(r'<main [^>]*id="main"[^>]*tabindex="-1"', html)


def test_the_party_page_has_timeline_toggles_and_sortable_columns(session: TestClient) -> None:
    html = session.get("/parties/F1").text
    for control in ("timeline-log", "timeline-flagged", "pay-text", "pay-direction",
                    "pay-flagged", "payments-csv"):
        assert f'id="{control}"' in html, control
    sorts = re.findall(r'<button type="button" class="sort-head" data-sort="([a-z_]+)"', html)
    assert sorts == ["ts_utc", "direction", "counterparty", "corridor", "amount", "amount_ref",
                     "channel", "memo", "txn_id"]

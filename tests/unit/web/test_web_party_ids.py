"""Party ids with any character ('/', '?', '#', '%', '..', spaces, non-Latin) open everywhere:
the queue links to them, and the party page and the three party API routes find them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from dentrace.store.sql import open_store
from dentrace.web import WebSettings, create_app
from dentrace.web.party_paths import party_id_in_path, party_path, path_segment
from tests.unit.web.odd_sample import ODD_IDS, add_odd_parties
from tests.unit.web.web_sample import PASSWORD, TOKENS, bearer


@pytest.fixture()
def odd_client(workspace: Path) -> Iterator[TestClient]:
    store = open_store(workspace)
    add_odd_parties(workspace, store)
    app = create_app(workspace, settings=WebSettings(secure_cookies=False), store=store)
    with TestClient(app) as test_client:
        yield test_client
    store.close()


@given(st.text(min_size=1))
def test_any_id_survives_the_path_round_trip(party_id: str) -> None:
    routed = party_path(f"/api/v1/parties/{path_segment(party_id)}/network".encode("ascii"))
    prefix, segment, suffix = routed.rsplit("/", 2)
    assert prefix == "/api/v1/parties" and suffix == "network"
    assert party_id_in_path(segment) == party_id


def _queue_links(html: str) -> dict[str, str]:
    """Party id shown in the queue -> the href of its link."""
    pairs = re.findall(r'class="mono party-link" href="([^"]+)">([^<]+)<', html)
    return {unescape(text): unescape(href) for href, text in pairs}


@pytest.mark.parametrize("party_id", ODD_IDS)
def test_the_api_finds_odd_party_ids(odd_client: TestClient, party_id: str) -> None:
    base = f"/api/v1/parties/{quote(party_id, safe='')}"
    headers = bearer("ana")
    party = odd_client.get(base, headers=headers)
    assert party.status_code == 200, party.text
    assert party.json()["party_id"] == party_id and party.json()["reasons"] == []
    payments = odd_client.get(f"{base}/payments", headers=headers).json()
    assert payments["party_id"] == party_id
    assert [p["sender_id"] for p in payments["items"]] == [party_id]
    network = odd_client.get(f"{base}/network?hops=1", headers=headers).json()
    assert {n["id"] for n in network["nodes"]} == {party_id, "F1"}


def test_the_queue_links_open_odd_party_pages(odd_client: TestClient) -> None:
    odd_client.cookies.set("dentrace_session", TOKENS["ana"])
    links = _queue_links(odd_client.get("/alerts").text)
    for party_id in ODD_IDS:
        assert links[party_id] == "/parties/" + quote(party_id, safe="")
        page = odd_client.get(links[party_id])
        assert page.status_code == 200, (party_id, page.status_code)
        shown = re.search(r'<h1 class="mono" id="party-id">([^<]*)</h1>', page.text)
        assert shown is not None and unescape(shown.group(1)) == party_id
    # Ordinary ids keep their plain links.
    assert links["P1"] == "/parties/P1"


def test_payment_and_network_links_of_a_party_page_are_encoded(odd_client: TestClient) -> None:
    odd_client.cookies.set("dentrace_session", TOKENS["ana"])
    html = odd_client.get("/parties/F1").text
    hrefs = {unescape(h) for h in re.findall(r'<a class="mono" href="(/parties/[^"]+)"', html)}
    assert {"/parties/" + quote(p, safe="") for p in ODD_IDS} <= hrefs


def test_a_suffix_inside_an_id_is_not_a_route(odd_client: TestClient) -> None:
    # 'a/payments' is one party; there is no party 'a' whose payments could be answered.
    answer = odd_client.get("/api/v1/parties/a%2Fpayments", headers=bearer("ana")).json()
    assert answer["party_id"] == "a/payments" and "items" not in answer
    assert odd_client.get("/api/v1/parties/a/payments", headers=bearer("ana")).status_code \
        == 404


def test_login_returns_to_the_odd_party_asked_for(odd_client: TestClient) -> None:
    asked = "/parties/" + quote("a/b", safe="")
    to_login = odd_client.get(asked, follow_redirects=False)
    assert to_login.status_code == 303
    login_form = odd_client.get(to_login.headers["location"]).text
    next_field = re.search(r'name="next" value="([^"]*)"', login_form)
    assert next_field is not None and unescape(next_field.group(1)) == asked
    answer = odd_client.post("/login", follow_redirects=False, data={
        "username": "ana", "password": PASSWORD, "next": unescape(next_field.group(1)),
        "csrf_token": odd_client.cookies.get("dentrace_csrf")})
    assert answer.headers["location"] == asked
    assert "a/b" in odd_client.get(asked).text

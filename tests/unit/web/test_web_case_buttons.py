"""The case page offers only the moves the viewer may make now (issue 19, defect 5): buttons come
from the status machine's table (``cases.allowed_moves``), not from a second copy of its rules;
and its party links carry ids with '/' (the ``path_segment`` filter, as in the queue)."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

from fastapi.testclient import TestClient

from dentrace.cases import MOVES
from dentrace.store.sql import open_store
from tests.unit.web.odd_sample import add_odd_parties
from tests.unit.web.test_web_case_moves import other_analyst, pending_case

MOVE_BUTTONS = ("investigate", "submit", "approve", "send-back", "close")


def _buttons(client: TestClient, case_url: str, headers: dict[str, str]) -> set[str]:
    page = client.get(case_url.replace("/api/v1", ""), headers=headers)
    assert page.status_code == 200, page.text
    shown = set(re.findall(r'data-action="([a-z-]+)"', page.text))
    return shown & set(MOVE_BUTTONS)


def test_an_analyst_on_a_pending_case_sees_no_move(
        client: TestClient, analyst: dict[str, str]) -> None:
    url = pending_case(client, analyst)
    assert _buttons(client, url, analyst) == set()
    page = client.get(url.replace("/api/v1", ""), headers=analyst).text
    assert "Close without report" not in page and 'id="action-reason"' not in page
    assert "Waiting for a supervisor" in page


def test_a_supervisor_decides_a_pending_case_unless_she_submitted_it(
        client: TestClient, analyst: dict[str, str], supervisor: dict[str, str]) -> None:
    theirs = pending_case(client, analyst)
    assert _buttons(client, theirs, supervisor) == {"approve", "send-back", "close"}
    own = pending_case(client, supervisor)
    assert _buttons(client, own, supervisor) == set()
    assert "another supervisor must decide it" in client.get(
        own.replace("/api/v1", ""), headers=supervisor).text


def test_open_and_investigating_cases_offer_the_next_moves_and_closing(
        client: TestClient, workspace: Path, analyst: dict[str, str]) -> None:
    made = client.post("/api/v1/cases", headers=analyst, json={
        "title": "F1", "parties": [{"party_id": "F1", "role": "facilitator"}]}).json()
    url = f"/api/v1/cases/{made['id']}"
    bob = other_analyst(workspace)
    assert _buttons(client, url, bob) == {"investigate", "close"}
    client.post(f"{url}/status", json={"status": "investigating"}, headers=analyst)
    assert _buttons(client, url, bob) == {"submit", "close"}
    client.post(f"{url}/status", json={"status": "closed", "reason": "benign"}, headers=analyst)
    assert _buttons(client, url, bob) == set()


def test_a_party_id_with_a_slash_opens_from_the_case_page(
        client: TestClient, workspace: Path, analyst: dict[str, str]) -> None:
    store = open_store(workspace)
    try:
        add_odd_parties(workspace, store)
    finally:
        store.close()
    queue = client.get("/api/v1/alerts", params={"party_id": "a/b"}, headers=analyst).json()
    answer = client.post("/api/v1/alerts/dispositions", headers=analyst, json={
        "alert_ids": [queue["items"][0]["id"]], "decision": "escalate"})
    page = client.get(f"/cases/{answer.json()['case_id']}", headers=analyst).text
    links = {unescape(text): unescape(href) for href, text in re.findall(
        r'<a class="mono" href="(/parties/[^"]+)">([^<]+)</a>', page)}
    assert links["a/b"] == "/parties/a%2Fb"
    opened = client.get(links["a/b"], headers=analyst)
    assert opened.status_code == 200 and "a/b" in opened.text


def test_every_move_of_the_machine_has_a_button_on_the_case_page() -> None:
    template = (Path(__file__).resolve().parents[3] / "src/dentrace/web/templates/case.html")
    text = template.read_text(encoding="utf-8")
    for move in MOVES.values():
        assert f"'{move.action}': (" in text, move.action

"""A queue page past the end answers with the last page (issue 19, defect 5): it said
"4 alerts match" above an empty table and "page 9 of 1"."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient


def test_a_page_past_the_end_redirects_to_the_last_page(
        client: TestClient, analyst: dict[str, str]) -> None:
    answer = client.get("/alerts", params={"page": "9", "role": "payer", "sort": "party_id"},
                        headers=analyst, follow_redirects=False)
    assert answer.status_code == 303
    target = urlsplit(answer.headers["location"])
    assert target.path == "/alerts"
    assert parse_qs(target.query) == {"page": ["1"], "role": ["payer"], "sort": ["party_id"]}
    page = client.get(answer.headers["location"], headers=analyst)
    assert "3 alerts match" in page.text and "page 1 of 1" in page.text
    assert page.text.count("data-alert-id=") == 3


def test_pages_within_the_queue_are_served_as_asked(
        client: TestClient, analyst: dict[str, str]) -> None:
    answer = client.get("/alerts", params={"page": "1"}, headers=analyst,
                        follow_redirects=False)
    assert answer.status_code == 200 and "page 1 of 1" in answer.text

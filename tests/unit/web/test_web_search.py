"""Party search: names without case or accents, partial ids, IBANs typed in groups, escaped
names on the results page, bounded queries and login required."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dentrace.store.warehouse import open_warehouse
from tests.unit.web.test_web_case_moves import other_analyst
from tests.unit.web.web_sample import bearer

IBAN = "GB29NWBK60161331926819"
MARKUP = "<script>alert(1)</script> Mallory"


@pytest.fixture()
def searchable(workspace: Path) -> Path:
    """The sample plus a customer with an accented name, one with an IBAN id, one with markup
    in the name and a payment to an e-wallet id."""
    con = open_warehouse(workspace)
    customers = [("C-JJ", "José Jiménez"), (IBAN, "Ivana Bank"), ("C-XSS", MARKUP)]
    for i, (cid, name) in enumerate(customers):
        con.execute("INSERT INTO customers VALUES (?, ?, '1980-01-01', 'M', 'AU', 'AU', "
                    "'clerk', '2020-01-01', NULL, ?, 2)", [cid, name, 100 + i])
    when = datetime(2025, 5, 1, 23, 0)
    con.execute("INSERT INTO transactions VALUES ('TW1', ?, ?, 0, 'P1', 'WALLET-0917-555', "
                "25.0, 'AUD', 25.0, 'name P1', 'AU', 'Ñoño Pay', 'PH', 'remittance', 'x', NULL, "
                "200, 1)", [when, when])
    con.close()
    return workspace


def _ids(client: TestClient, q: str, user: str = "ana") -> list[str]:
    answer = client.get("/api/v1/search", params={"q": q}, headers=bearer(user))
    assert answer.status_code == 200, answer.text
    return [item["party_id"] for item in answer.json()["items"]]


def test_a_name_is_found_without_its_accents_or_case(searchable: Path,
                                                     client: TestClient) -> None:
    assert _ids(client, "jimenez") == ["C-JJ"]
    assert _ids(client, "JOSÉ JIM") == ["C-JJ"]
    assert _ids(client, "nono") == ["WALLET-0917-555"]  # a payee's name on a payment


def test_a_partial_id_finds_the_party_with_its_score(searchable: Path,
                                                     client: TestClient) -> None:
    answer = client.get("/api/v1/search", params={"q": "f1"}, headers=bearer("ana")).json()
    first = answer["items"][0]
    assert first["party_id"] == "F1" and first["matched"] == "id"
    assert first["score"] == pytest.approx(0.88) and first["role"] == "facilitator"
    assert first["alert_status"] == "new"
    assert _ids(client, "0917555") == ["WALLET-0917-555"]  # dashes ignored


def test_an_iban_typed_with_spaces_or_dashes_finds_it(searchable: Path,
                                                      client: TestClient) -> None:
    assert _ids(client, "GB29 NWBK 6016 1331 9268 19") == [IBAN]
    assert _ids(client, "nwbk-6016") == [IBAN]


def test_query_text_is_data_not_sql(searchable: Path, client: TestClient) -> None:
    assert _ids(client, "' OR 1=1 --") == []
    assert _ids(client, "%") == []  # no LIKE wildcard either


def test_the_results_page_escapes_names_and_links_parties(searchable: Path,
                                                          client: TestClient) -> None:
    page = client.get("/search", params={"q": "mallory"}, headers=bearer("ana"))
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Mallory" in page.text
    assert 'href="/parties/C-XSS"' in page.text
    wallet = client.get("/search", params={"q": "ñoño"}, headers=bearer("ana"))
    assert 'href="/parties/WALLET-0917-555"' in wallet.text


@pytest.mark.parametrize("q", ["", "x" * 201])
def test_an_empty_or_overlong_query_is_refused(client: TestClient, q: str) -> None:
    assert client.get("/api/v1/search", params={"q": q},
                      headers=bearer("ana")).status_code == 422
    assert client.get("/api/v1/search", params={"q": "p", "limit": 101},
                      headers=bearer("ana")).status_code == 422


def test_search_needs_a_login(client: TestClient) -> None:
    assert client.get("/api/v1/search", params={"q": "p1"}).status_code == 401
    page = client.get("/search", params={"q": "p1"}, follow_redirects=False,
                      headers={"Accept": "text/html"})
    assert page.status_code in (303, 307) and "/login" in page.headers["location"]


def test_a_search_is_audited_and_quick(searchable: Path, client: TestClient) -> None:
    started = time.perf_counter()
    _ids(client, "smith")
    assert time.perf_counter() - started < 2.0
    log = client.get("/api/v1/audit", params={"action": "search_parties"},
                     headers=bearer("sam")).json()
    assert log[0]["actor"] == "ana" and log[0]["detail"]["q"] == "smith"


def test_the_top_bar_has_the_search_box(client: TestClient) -> None:
    page = client.get("/alerts", headers=bearer("ana"))
    assert 'action="/search"' in page.text and 'name="q"' in page.text


def test_a_restricted_case_is_not_named_to_who_may_not_see_it(client: TestClient,
                                                               workspace: Path) -> None:
    queue = client.get("/api/v1/alerts", params={"party_id": "P1"}, headers=bearer("ana"))
    made = client.post(f"/api/v1/alerts/{queue.json()['items'][0]['id']}/disposition",
                       headers=bearer("ana"), json={"decision": "escalate", "reason": "x",
                                                    "title": "Sensitive", "restricted": True})
    case_id = made.json()["case_id"]
    mine = client.get("/api/v1/search", params={"q": "P1"}, headers=bearer("ana")).json()
    assert mine["items"][0]["case_id"] == case_id
    bob = other_analyst(workspace)
    theirs = client.get("/api/v1/search", params={"q": "P1"}, headers=bob).json()
    assert theirs["items"][0]["party_id"] == "P1" and theirs["items"][0]["case_id"] is None
    assert f"/cases/{case_id}" not in client.get("/search", params={"q": "P1"}, headers=bob).text

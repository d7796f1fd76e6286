"""Every integer query parameter of the web API is bounded: a value past the bound is 422, never
a 500 from the warehouse (``offset=2**63`` of a party's payments was a DuckDB conversion error)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

HUGE = str(2**63)


@pytest.mark.parametrize(("url", "name"), [
    ("/api/v1/parties/P1/payments", "offset"),
    ("/api/v1/parties/P1/payments", "limit"),
    ("/api/v1/parties/P1/network", "hops"),
    ("/api/v1/alerts", "offset"),
    ("/api/v1/alerts", "limit"),
    ("/api/v1/audit", "limit"),
])
def test_an_integer_past_its_bound_is_422(client: TestClient, supervisor: dict[str, str],
                                          url: str, name: str) -> None:
    for value in (HUGE, "-" + HUGE, str(2**64)):
        answer = client.get(url, params={name: value}, headers=supervisor)
        assert answer.status_code == 422, (url, name, value, answer.text)
        assert name in answer.text


def test_a_far_page_of_payments_is_empty_not_an_error(client: TestClient,
                                                      analyst: dict[str, str]) -> None:
    answer = client.get("/api/v1/parties/P1/payments", params={"offset": 10**9},
                        headers=analyst)
    assert answer.status_code == 200, answer.text
    assert answer.json()["items"] == [] and answer.json()["total"] == 6

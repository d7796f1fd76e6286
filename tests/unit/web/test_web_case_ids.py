"""Ids beyond the database's integer range: 404 in a path, 422 in a body, never a 500.

Issue 16 point 10: ``GET /api/v1/cases/9223372036854775808`` raised ``OverflowError`` (500).
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

HUGE = [2**63, 2**64, -(2**63) - 1]


@pytest.mark.parametrize("number", HUGE)
def test_huge_ids_in_paths_are_404(client: TestClient, analyst: dict[str, str],
                                   supervisor: dict[str, str], number: int) -> None:
    case, alert = f"/api/v1/cases/{number}", f"/api/v1/alerts/{number}"
    calls = [
        ("GET", case, None, analyst), ("POST", f"{case}/notes", {"text": "x"}, analyst),
        ("POST", f"{case}/status", {"status": "investigating"}, analyst),
        ("POST", f"{case}/submit", None, analyst), ("POST", f"{case}/approve", None, supervisor),
        ("POST", f"{case}/send-back", {"reason": "x"}, supervisor),
        ("POST", f"{case}/assign", {"assignee": "ana"}, supervisor),
        ("POST", f"{case}/goaml", None, analyst),
        ("GET", alert, None, analyst),
        ("POST", f"{alert}/disposition", {"decision": "dismiss", "code": "other", "reason": "x"},
         analyst),
        ("POST", f"{alert}/disposition", {"decision": "escalate"}, analyst),
    ]
    for method, url, body, headers in calls:
        answer = client.request(method, url, json=body, headers=headers)
        assert answer.status_code == 404, (method, url, answer.status_code, answer.text)


@pytest.mark.parametrize("number", HUGE)
def test_huge_case_page_is_404(client: TestClient, analyst: dict[str, str],
                               number: int) -> None:
    assert client.get(f"/cases/{number}", headers=analyst).status_code == 404


@pytest.mark.parametrize("number", HUGE)
def test_huge_ids_in_bodies_are_422(client: TestClient, analyst: dict[str, str],
                                    number: int) -> None:
    bodies = [
        ("/api/v1/alerts/dispositions", {"decision": "dismiss", "code": "other", "reason": "x",
                                         "alert_ids": [1, number]}),
        ("/api/v1/alerts/dispositions", {"decision": "escalate", "alert_ids": [1],
                                         "case_id": number}),
        ("/api/v1/alerts/1/disposition", {"decision": "escalate", "case_id": number}),
    ]
    for url, body in bodies:
        answer = client.post(url, json=body, headers=analyst)
        assert answer.status_code == 422, (url, body, answer.text)
    # Nothing was decided: alert 1 is still new.
    assert client.get("/api/v1/alerts/1", headers=analyst).json()["status"] == "new"


def test_the_largest_valid_id_is_simply_not_found(client: TestClient,
                                                  analyst: dict[str, str]) -> None:
    assert client.get(f"/api/v1/cases/{2**63 - 1}", headers=analyst).status_code == 404
    answer = client.post("/api/v1/alerts/1/disposition", headers=analyst,
                         json={"decision": "escalate", "case_id": 2**63 - 1})
    assert answer.status_code == 404

"""Every route but login and static files answers 401 without credentials; roles get 403.

The list of routes is read from the app itself, so a new route cannot escape the check.
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from dentrace.web import pages, screens
from tests.unit.web.web_sample import bearer, token_for

PUBLIC = {("POST", "/api/v1/auth/token"), ("GET", "/login"), ("POST", "/login"),
          ("POST", "/logout")}
SAMPLE_IDS = {"alert_id": "1", "case_id": "1", "party_id": "P1", "username": "ana",
              "name": "pack",
              "attachment_id": "1", "view_id": "1"}


def _routes(client: TestClient) -> list[tuple[str, str]]:
    """(method, path) of every API operation (from OpenAPI), screen and docs route."""
    app = client.app
    found = [(method.upper(), path) for path, operations in app.openapi()["paths"].items()  # type: ignore[attr-defined]
             for method in operations]
    for route in [*pages.router.routes, *screens.router.routes, *app.routes]:  # type: ignore[attr-defined]
        if isinstance(route, APIRoute):
            found.extend((m, route.path) for m in sorted(route.methods) if m != "HEAD")
    return [(m, re.sub(r"\{(\w+)\}", lambda g: SAMPLE_IDS[g.group(1)], p)) for m, p in found]


def test_every_route_needs_authentication(client: TestClient) -> None:
    routes = _routes(client)
    assert len(routes) > 30
    for method, path in routes:
        if (method, path) in PUBLIC or path == "/":
            continue
        answer = client.request(method, path, json={}, follow_redirects=False)
        if path.startswith("/api/") or path == "/openapi.json":
            assert answer.status_code == 401, (method, path, answer.status_code)
            assert answer.headers["WWW-Authenticate"] == "Bearer"
        else:
            assert answer.status_code == 303, (method, path, answer.status_code)
            assert answer.headers["location"].startswith("/login?next=")


def test_a_wrong_or_revoked_token_is_refused(client: TestClient) -> None:
    bad = {"Authorization": "Bearer not-a-token"}
    assert client.get("/api/v1/alerts", headers=bad).status_code == 401
    good = token_for(client, "ana")
    assert client.post("/api/v1/auth/logout", headers=good).status_code == 204
    assert client.get("/api/v1/alerts", headers=good).status_code == 401


def test_static_files_and_login_page_are_public(client: TestClient) -> None:
    assert client.get("/static/css/app.css").status_code == 200
    assert client.get("/static/js/party.js").status_code == 200
    assert client.get("/login").status_code == 200


@pytest.mark.parametrize(("user", "method", "path", "body"), [
    ("ana", "GET", "/api/v1/audit", None),
    ("ana", "GET", "/api/v1/audit/verify", None),
    ("ana", "POST", "/api/v1/alerts/import", None),
    ("ana", "POST", "/api/v1/cases/1/assign", {"assignee": "sam"}),  # to oneself is allowed
    ("ana", "POST", "/api/v1/alerts/assign", {"alert_ids": [2], "assignee": "sam"}),
    ("ana", "POST", "/api/v1/alerts/review", {"alert_ids": [2], "confirm": True}),
    ("ana", "POST", "/api/v1/cases/1/approve", None),
    ("ana", "POST", "/api/v1/cases/1/send-back", {"reason": "more work"}),
    ("ana", "GET", "/api/v1/users", None),
    ("sam", "GET", "/api/v1/users", None),
    ("sam", "POST", "/api/v1/users", {"username": "eve", "role": "admin"}),
    ("sam", "POST", "/api/v1/users/ana/disable", None),
    ("ana", "GET", "/audit", None),
])
def test_roles_that_may_not_act_get_403(client: TestClient, user: str, method: str, path: str,
                                        body: dict[str, str] | None) -> None:
    headers = bearer(user)
    client.post("/api/v1/alerts/1/disposition", json={"decision": "escalate"},
                headers=bearer("ana"))
    answer = client.request(method, path, json=body, headers=headers)
    assert answer.status_code == 403, answer.text


def test_me_lists_the_role_permissions(client: TestClient, analyst: dict[str, str]) -> None:
    me = client.get("/api/v1/auth/me", headers=analyst).json()
    assert me["username"] == "ana" and me["role"] == "analyst"
    assert "escalate" in me["permissions"] and "approve_report" not in me["permissions"]


def test_admin_manages_users(client: TestClient, admin: dict[str, str]) -> None:
    made = client.post("/api/v1/users", json={"username": "eve", "role": "analyst"},
                       headers=admin)
    assert made.status_code == 201, made.text
    password = made.json()["password"]
    assert len(password) >= 12
    token = client.post("/api/v1/auth/token", data={"username": "eve", "password": password})
    assert token.status_code == 200
    assert client.post("/api/v1/users/eve/disable", headers=admin).json()["active"] is False
    eve = {"Authorization": f"Bearer {token.json()['access_token']}"}
    assert client.get("/api/v1/alerts", headers=eve).status_code == 401
    names = [u["username"] for u in client.get("/api/v1/users", headers=admin).json()]
    assert names == ["adam", "ana", "eve", "gate", "sam", "sue"]

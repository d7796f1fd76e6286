"""``POST /api/v1/auth/logout`` ends whatever authenticated the request: the bearer token, or
the browser session of the cookie (revoked server-side, not only forgotten by the browser)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from dentrace.web.security import csrf_token_for
from tests.unit.web.web_sample import PASSWORD, bearer, token_for

LOGOUT = "/api/v1/auth/logout"


def _browser_session(client: TestClient) -> str:
    client.get("/login")
    client.post("/login", follow_redirects=False, data={
        "username": "ana", "password": PASSWORD, "next": "/alerts",
        "csrf_token": client.cookies.get("dentrace_csrf")})
    session = client.cookies.get("dentrace_session")
    assert session and client.get("/api/v1/auth/me").status_code == 200
    return session


def _logouts(client: TestClient) -> list[str]:
    entries = client.get("/api/v1/audit?action=logout", headers=bearer("sam")).json()
    return [e["actor"] for e in entries]


def test_logout_with_a_bearer_token_revokes_it(client: TestClient) -> None:
    headers = token_for(client, "ana")
    assert client.post(LOGOUT, headers=headers).status_code == 204
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    assert _logouts(client) == ["ana"]


def test_logout_with_a_cookie_session_revokes_the_session(client: TestClient) -> None:
    session = _browser_session(client)
    answer = client.post(LOGOUT, headers={"X-CSRF-Token": csrf_token_for(session)})
    assert answer.status_code == 204
    cleared = " ".join(answer.headers.get_list("set-cookie"))
    assert 'dentrace_session=""' in cleared and "Max-Age=0" in cleared
    # The cookie kept by a careless or hostile client no longer authenticates.
    client.cookies.set("dentrace_session", session)
    assert client.get("/api/v1/auth/me").status_code == 401
    assert client.get("/alerts", follow_redirects=False).status_code == 303
    assert _logouts(client) == ["ana"]


def test_cookie_logout_needs_the_csrf_token(client: TestClient) -> None:
    session = _browser_session(client)
    assert client.post(LOGOUT, headers={"X-CSRF-Token": "guess"}).status_code == 403
    client.cookies.set("dentrace_session", session)
    assert client.get("/api/v1/auth/me").status_code == 200

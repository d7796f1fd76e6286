"""The CSRF token belongs to one browser session: a cookie/header pair an attacker chose, or the
token of another session, is refused beside a valid session cookie; each login rotates it."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from dentrace.web.security import csrf_token_for
from tests.unit.web.web_sample import PASSWORD, TOKENS

DISPOSE = "/api/v1/alerts/1/disposition"
BODY = {"decision": "dismiss", "code": "other", "reason": "checked: family remittances"}


def _log_in(client: TestClient, username: str = "ana") -> str:
    """Log in through the form; returns the new session cookie."""
    client.get("/login")
    answer = client.post("/login", follow_redirects=False, data={
        "username": username, "password": PASSWORD, "next": "/alerts",
        "csrf_token": client.cookies.get("dentrace_csrf")})
    assert answer.status_code == 303
    return client.cookies.get("dentrace_session") or ""


def _page_token(client: TestClient, path: str = "/alerts") -> str:
    """The CSRF token the server put in a page (logout form and meta tag)."""
    html = client.get(path).text
    form = re.search(r'name="csrf_token" value="([^"]*)"', html)
    meta = re.search(r'<meta name="csrf-token" content="([^"]*)"', html)
    assert form is not None and meta is not None and form.group(1) == meta.group(1)
    return form.group(1)


def test_an_attacker_chosen_cookie_and_header_pair_is_refused(client: TestClient) -> None:
    client.cookies.set("dentrace_session", TOKENS["ana"])
    client.cookies.set("dentrace_csrf", "chosen-by-the-attacker")
    answer = client.post(DISPOSE, json=BODY, headers={"X-CSRF-Token": "chosen-by-the-attacker"})
    assert answer.status_code == 403
    assert client.get("/api/v1/alerts/1").json()["status"] == "new"


def test_the_pages_token_is_accepted(client: TestClient) -> None:
    client.cookies.set("dentrace_session", TOKENS["ana"])
    token = _page_token(client)
    assert token and len(token) >= 32
    answer = client.post(DISPOSE, json=BODY, headers={"X-CSRF-Token": token})
    assert answer.status_code == 200, answer.text


def test_the_token_of_another_session_is_refused(client: TestClient) -> None:
    first = _log_in(client)
    first_token = _page_token(client)
    second = _log_in(client)
    second_token = _page_token(client)
    assert first != second and first_token != second_token  # login rotates both
    assert client.cookies.get("dentrace_csrf") == second_token
    client.cookies.set("dentrace_session", second)
    assert client.post(DISPOSE, json=BODY, headers={"X-CSRF-Token": first_token}
                       ).status_code == 403
    client.cookies.set("dentrace_session", first)
    assert client.post(DISPOSE, json=BODY, headers={"X-CSRF-Token": first_token}
                       ).status_code == 200


def test_logout_form_needs_the_sessions_token(client: TestClient) -> None:
    session = _log_in(client)
    client.cookies.set("dentrace_csrf", "chosen")
    client.post("/logout", data={"csrf_token": "chosen"}, follow_redirects=False)
    client.cookies.set("dentrace_session", session)
    assert client.get("/api/v1/auth/me").status_code == 200  # not logged out by a forgery
    client.post("/logout", data={"csrf_token": _page_token(client)}, follow_redirects=False)
    client.cookies.set("dentrace_session", session)
    assert client.get("/api/v1/auth/me").status_code == 401


def test_the_api_docs_page_carries_the_sessions_token(client: TestClient) -> None:
    session = _log_in(client)
    html = client.get("/docs").text
    assert f'<meta name="csrf-token" content="{csrf_token_for(session)}">' in html

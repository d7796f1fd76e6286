"""Browser security: session and CSRF cookies, CSRF checks, login throttling, headers, redirects."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from dentrace.store.sql import open_store
from dentrace.web import create_app
from tests.unit.web.web_sample import PASSWORD, bearer


def _browser_login(client: TestClient, username: str = "ana", password: str = PASSWORD,
                   next_page: str = "/alerts") -> object:
    client.get("/login")
    return client.post("/login", follow_redirects=False, data={
        "username": username, "password": password, "next": next_page,
        "csrf_token": client.cookies.get("dentrace_csrf")})


def test_login_sets_httponly_samesite_session_and_readable_csrf_cookie(
    client: TestClient
) -> None:
    answer = _browser_login(client)
    assert answer.status_code == 303 and answer.headers["location"] == "/alerts"
    cookies = answer.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("dentrace_session="))
    csrf = next(c for c in cookies if c.startswith("dentrace_csrf="))
    assert "HttpOnly" in session and "SameSite=strict" in session
    assert "HttpOnly" not in csrf
    assert client.get("/alerts").status_code == 200


def test_cookies_are_secure_by_default(workspace: Path) -> None:
    store = open_store(workspace)
    with TestClient(create_app(workspace, store=store), base_url="https://testserver") as c:
        answer = _browser_login(c)
        assert all("Secure" in v for v in answer.headers.get_list("set-cookie"))
    store.close()


def test_login_without_the_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/login")
    answer = client.post("/login", data={"username": "ana", "password": PASSWORD,
                                         "csrf_token": "forged"}, follow_redirects=False)
    assert answer.status_code == 403
    assert "dentrace_session" not in client.cookies


def test_cookie_session_writes_need_the_csrf_header(client: TestClient) -> None:
    _browser_login(client)
    body = {"decision": "escalate"}
    assert client.post("/api/v1/alerts/1/disposition", json=body).status_code == 403
    wrong = {"X-CSRF-Token": "not-the-cookie"}
    assert client.post("/api/v1/alerts/1/disposition", json=body, headers=wrong).status_code \
        == 403
    right = {"X-CSRF-Token": client.cookies.get("dentrace_csrf") or ""}
    assert client.post("/api/v1/alerts/1/disposition", json=body, headers=right).status_code \
        == 200


def test_failed_logins_are_throttled(client: TestClient) -> None:
    for _ in range(5):
        assert _browser_login(client, password="wrong-password-1").status_code == 401
    locked = _browser_login(client)
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.text
    api = client.post("/api/v1/auth/token", data={"username": "ana", "password": PASSWORD})
    assert api.status_code == 429 and int(api.headers["Retry-After"]) > 0


def test_wrong_password_on_the_api_is_401(client: TestClient) -> None:
    answer = client.post("/api/v1/auth/token", data={"username": "ana", "password": "nope"})
    assert answer.status_code == 401


def test_no_open_redirect_after_login(client: TestClient) -> None:
    answer = _browser_login(client, next_page="//evil.example/x")
    assert answer.headers["location"] == "/alerts"
    client.cookies.clear()
    answer = _browser_login(client, next_page="/cases")
    assert answer.headers["location"] == "/cases"


def test_logout_revokes_the_session(client: TestClient) -> None:
    _browser_login(client)
    token = client.cookies.get("dentrace_csrf")
    session = client.cookies.get("dentrace_session")
    client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    client.cookies.set("dentrace_session", session or "")
    assert client.get("/alerts", follow_redirects=False).status_code == 303
    entries = client.get("/api/v1/audit?action=logout", headers=bearer("sam")).json()
    assert [(e["actor"], e["origin"]) for e in entries] == [("ana", "testclient")]


def test_security_headers_on_pages_api_and_static(client: TestClient,
                                                  analyst: dict[str, str]) -> None:
    for answer in (client.get("/login"), client.get("/api/v1/alerts", headers=analyst),
                   client.get("/static/css/app.css")):
        csp = answer.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert answer.headers["X-Frame-Options"] == "DENY"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Referrer-Policy"] == "no-referrer"


def test_pages_have_no_inline_scripts_or_styles(client: TestClient) -> None:
    _browser_login(client)
    for path in ("/alerts", "/parties/P1", "/cases", "/overview", "/login"):
        html = client.get(path).text
        for tag in html.split("<script")[1:]:
            opening = tag.split(">", 1)[0]
            assert "src=" in opening or 'type="application/json"' in opening, (path, opening)
        assert " style=" not in html and "<style" not in html, path


def test_json_blocks_cannot_close_their_script_element(tmp_path: Path) -> None:
    from dentrace.web.pages import _json_block

    assert "</script>" not in _json_block({"memo": "</script><script>alert(1)</script>"})


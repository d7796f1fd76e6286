"""Who is asking and may they: bearer tokens or session cookies, CSRF checks, security headers.

A browser session's CSRF token is derived from its session token (``csrf_token_for``) and must
come back in a header or form field on every state-changing request, so a cookie/header pair an
attacker sets cannot pass; bearer-token clients are exempt because browsers never add that header.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from fastapi import Request, Response
from fastapi.security import OAuth2PasswordBearer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dentrace.auth import Account, AuthenticationFailed, account_for_token
from dentrace.store.sql import Store
from dentrace.web.settings import WebSettings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_CONTEXT = b"dentrace csrf token v1"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

# auto_error=False: a missing header falls back to the session cookie instead of failing.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


class CsrfRejected(AuthenticationFailed):
    """A cookie-authenticated state-changing request without the matching CSRF token (403)."""


@dataclass(frozen=True)
class Caller:
    """The authenticated account behind a request and where the request came from."""

    account: Account
    origin: str
    via_cookie: bool


def client_origin(request: Request) -> str:
    """The caller's address for the audit log and login throttling."""
    return request.client.host if request.client else "unknown"


def new_csrf_token() -> str:
    """A random token for the login form, before any session exists (double submit)."""
    return secrets.token_urlsafe(32)


def csrf_matches(request: Request, settings: WebSettings, submitted: str | None) -> bool:
    """True when ``submitted`` (the login form's field) equals the CSRF cookie."""
    cookie = request.cookies.get(settings.csrf_cookie)
    if not cookie or not submitted:
        return False
    return secrets.compare_digest(cookie.encode(), submitted.encode())


def csrf_token_for(session_token: str) -> str:
    """The CSRF token of the browser session ``session_token``: HMAC-SHA256 keyed by the
    session's own 256-bit secret, so only who holds the session (or a page it was served)
    knows it, no server key needs keeping, and each login (a new session) rotates it."""
    mac = hmac.new(session_token.encode(), CSRF_CONTEXT, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def session_csrf_matches(request: Request, settings: WebSettings,
                         submitted: str | None) -> bool:
    """True when ``submitted`` is the CSRF token of the request's session cookie; the CSRF
    cookie is ignored here, since an attacker may be able to set it."""
    session_token = request.cookies.get(settings.session_cookie)
    if not session_token or not submitted:
        return False
    return hmac.compare_digest(csrf_token_for(session_token).encode(), submitted.encode())


def authenticate_request(request: Request, store: Store, settings: WebSettings,
                         bearer: str | None) -> Caller:
    """The caller of ``request`` or ``AuthenticationFailed`` (CSRF failures raise ``CsrfRejected``).

    A bearer token wins over a cookie; cookie sessions must prove the CSRF token on writes.
    """
    origin = client_origin(request)
    if bearer:
        return Caller(account_for_token(store, bearer), origin, via_cookie=False)
    session_token = request.cookies.get(settings.session_cookie)
    if not session_token:
        raise AuthenticationFailed("not authenticated: log in or send a bearer token")
    account = account_for_token(store, session_token)
    if request.method not in SAFE_METHODS:
        submitted = request.headers.get(settings.csrf_header)
        if not session_csrf_matches(request, settings, submitted):
            raise CsrfRejected("missing or wrong CSRF token")
    return Caller(account, origin, via_cookie=True)


def set_session_cookies(response: Response, settings: WebSettings, token: str) -> None:
    """Start a browser session: HttpOnly session cookie plus a JS-readable cookie holding the
    session's CSRF token (pages carry it too, in a meta tag and the logout form)."""
    max_age = int(settings.session_lifetime.total_seconds())
    response.set_cookie(settings.session_cookie, token, max_age=max_age, httponly=True,
                        secure=settings.secure_cookies, samesite="strict", path="/")
    set_csrf_cookie(response, settings, csrf_token_for(token))


def set_csrf_cookie(response: Response, settings: WebSettings, token: str) -> None:
    # Readable by our scripts; SameSite keeps other sites from sending it. Only the login form
    # compares it (double submit); a session's writes are checked against csrf_token_for.
    response.set_cookie(settings.csrf_cookie, token, httponly=False,
                        secure=settings.secure_cookies, samesite="strict", path="/")


def clear_session_cookies(response: Response, settings: WebSettings) -> None:
    response.delete_cookie(settings.session_cookie, path="/")
    response.delete_cookie(settings.csrf_cookie, path="/")


class SecurityHeaders:
    """Pure ASGI middleware: security headers on every answer, no caching of authenticated
    pages. (Starlette's ``@app.middleware("http")`` wraps every request and response in extra
    objects and tasks; this only adds headers to the response start message.)"""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.headers = [(k.lower().encode("latin-1"), v.encode("latin-1"))
                        for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cacheable = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in self.headers if h[0] not in present)
                if not cacheable and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)

"""Who is asking and may they: bearer tokens or session cookies, CSRF checks, security headers.

Browser sessions carry a double-submit CSRF token (cookie + header or form field) on every
state-changing request; bearer-token clients are exempt because browsers never add that header.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from fastapi import Request, Response
from fastapi.security import OAuth2PasswordBearer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dentrace.auth import Account, AuthenticationFailed, account_for_token
from dentrace.store.sql import Store
from dentrace.web.settings import WebSettings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
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
    return secrets.token_urlsafe(32)


def csrf_matches(request: Request, settings: WebSettings, submitted: str | None) -> bool:
    """True when ``submitted`` (header or form field) equals the CSRF cookie."""
    cookie = request.cookies.get(settings.csrf_cookie)
    if not cookie or not submitted:
        return False
    return secrets.compare_digest(cookie.encode(), submitted.encode())


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
        if not csrf_matches(request, settings, submitted):
            raise CsrfRejected("missing or wrong CSRF token")
    return Caller(account, origin, via_cookie=True)


def set_session_cookies(response: Response, settings: WebSettings, token: str) -> None:
    """Start a browser session: HttpOnly session cookie plus a fresh JS-readable CSRF cookie."""
    max_age = int(settings.session_lifetime.total_seconds())
    response.set_cookie(settings.session_cookie, token, max_age=max_age, httponly=True,
                        secure=settings.secure_cookies, samesite="strict", path="/")
    set_csrf_cookie(response, settings, new_csrf_token())


def set_csrf_cookie(response: Response, settings: WebSettings, token: str) -> None:
    # Readable by our scripts (double submit); SameSite keeps other sites from sending it.
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

"""Map service errors to HTTP answers: 401, 403, 404, 409, 429 as JSON, or a page for browsers.

A browser asking for a screen without a session is sent to the login page instead of a 401.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from dentrace.auth import (
    AccountError,
    AuthenticationFailed,
    LoginThrottled,
    PermissionDenied,
)
from dentrace.cases import (
    AlreadyDisposed,
    InvalidCaseInput,
    InvalidTransition,
    MissingReason,
    NotFound,
    RefusedFile,
    TamperedAttachment,
)
from dentrace.errors import DentraceError, InputError, WorkspaceError
from dentrace.web.security import CsrfRejected


def _wants_page(request: Request) -> bool:
    path = request.url.path
    return not (path.startswith("/api/") or path == "/openapi.json")


def _answer(request: Request, status: int, detail: str,
            headers: dict[str, str] | None = None) -> Response:
    if _wants_page(request):
        from dentrace.web import pages

        return pages.error_page(request, status, detail, headers)
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def _status_of(exc: DentraceError) -> int:
    if isinstance(exc, LoginThrottled):
        return 429
    if isinstance(exc, CsrfRejected | PermissionDenied):
        return 403
    if isinstance(exc, AuthenticationFailed):
        return 401
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, InvalidTransition | AlreadyDisposed | TamperedAttachment):
        return 409
    if isinstance(exc, RefusedFile):
        return 415
    if isinstance(exc, InvalidCaseInput):
        return 422
    if isinstance(exc, AccountError | InputError | MissingReason):
        return 400
    if isinstance(exc, WorkspaceError):
        return 503
    return 400


async def on_service_error(request: Request, exc: Exception) -> Response:
    """The one handler for every ``DentraceError`` a route lets through."""
    assert isinstance(exc, DentraceError)
    status = _status_of(exc)
    headers: dict[str, str] = {}
    if isinstance(exc, LoginThrottled):
        headers["Retry-After"] = str(exc.retry_after)
    elif status == 401:
        if _wants_page(request):
            target = quote(request.url.path, safe="/")
            return RedirectResponse(f"/login?next={target}", status_code=303)
        headers["WWW-Authenticate"] = "Bearer"
    return _answer(request, status, str(exc), headers or None)


async def on_http_error(request: Request, exc: Exception) -> Response:
    """Starlette's HTTP errors (404, 405, ...): JSON for the API, a page for browsers."""
    assert isinstance(exc, StarletteHTTPException)
    if not _wants_page(request):
        return await http_exception_handler(request, exc)
    return _answer(request, exc.status_code, str(exc.detail), dict(exc.headers or {}) or None)


def install(app: FastAPI) -> None:
    """Register the error map on ``app``."""
    app.add_exception_handler(DentraceError, on_service_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)

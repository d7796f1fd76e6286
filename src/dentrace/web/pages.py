"""Browser screens: login and logout, then alert queue, party, cases, overview and audit pages.

Pages are Jinja2 templates filled on the server; charts and actions are small ES modules that
read a JSON block in the page and call the JSON API with the session cookie and CSRF header.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2.utils import htmlsafe_json_dumps

from dentrace import __version__
from dentrace.auth import (
    AuthenticationFailed,
    LoginThrottled,
    account_for_token,
    authenticate,
    issue_token,
    permissions,
    revoke_token,
)
from dentrace.cases import DISMISSAL_CODES
from dentrace.exercise.banner import read_exercise
from dentrace.report.registry import exporters_of
from dentrace.web.deps import AppContext, app_context, record_logout
from dentrace.web.party_paths import path_segment
from dentrace.web.security import (
    Caller,
    authenticate_request,
    clear_session_cookies,
    client_origin,
    csrf_matches,
    csrf_token_for,
    new_csrf_token,
    session_csrf_matches,
    set_csrf_cookie,
    set_session_cookies,
)

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))
router = APIRouter(include_in_schema=False)


def _json_block(value: Any) -> str:
    # Script data is not HTML-escaped, and "<!--<script>" in a memo makes a browser skip the
    # block's own "</script>" (issue 16). Jinja's tojson escapes < > & ' as \u escapes and
    # json.dumps (ASCII only) U+2028/2029, so no text of ours can end or change the block.
    return str(htmlsafe_json_dumps(value, default=str))


TEMPLATES.env.filters["json_block"] = _json_block
TEMPLATES.env.filters["path_segment"] = path_segment
# the case page's export buttons: every registered exporter of a case, as registered now
TEMPLATES.env.globals["case_exporters"] = partial(exporters_of, "case")
TEMPLATES.env.globals["dismissal_codes"] = DISMISSAL_CODES


def _session_csrf_token(request: Request, context: AppContext) -> str:
    session_token = request.cookies.get(context.settings.session_cookie)
    return csrf_token_for(session_token) if session_token else ""


def render(request: Request, template: str, *, caller: Caller | None = None,
           status_code: int = 200, **values: Any) -> HTMLResponse:
    """A page with the layout's values (user, role, permissions, CSRF token) filled in."""
    context: AppContext = request.app.state.context
    allowed: set[str] = set()
    if caller is not None:
        allowed = permissions(context.store).get(caller.account.role, set())
    values.update(
        user=caller.account if caller else None, allowed=allowed, version=__version__,
        csrf_token=_session_csrf_token(request, context),
        # a training exercise's banner and countdown (docs/training.md)
        exercise=read_exercise(context.evidence.workspace) if caller else None,
    )
    return TEMPLATES.TemplateResponse(request, template, values, status_code=status_code)


def _caller_if_any(request: Request) -> Caller | None:
    """The logged-in caller of a page request, to keep the menu on error screens."""
    context: AppContext = request.app.state.context
    if request.method not in ("GET", "HEAD"):
        return None
    try:
        return authenticate_request(request, context.store, context.settings, None)
    except AuthenticationFailed:
        return None


def error_page(request: Request, status: int, detail: str,
               headers: dict[str, str] | None = None) -> HTMLResponse:
    """A plain error screen (403, 404, 409, ...) in the app's layout."""
    response = render(request, "error.html", caller=_caller_if_any(request),
                      status_code=status, status=status, detail=detail)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _safe_next(target: str | None) -> str:
    """Only same-site paths may follow a login (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/alerts"


@router.get("/login")
def login_page(request: Request, next: str | None = None,
               context: AppContext = Depends(app_context)) -> Response:
    """The login form; sets the CSRF cookie the form must echo."""
    token = request.cookies.get(context.settings.csrf_cookie) or new_csrf_token()
    response = TEMPLATES.TemplateResponse(request, "login.html", {
        "next": _safe_next(next), "csrf_token": token, "error": None, "version": __version__,
        "user": None, "allowed": set()})
    set_csrf_cookie(response, context.settings, token)
    return response


@router.post("/login")
def login_submit(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    csrf_token: str = Form(""),
    next: str = Form("/alerts"),
    context: AppContext = Depends(app_context),
) -> Response:
    """Check the password (throttled by the auth service) and start a browser session."""
    error, status = None, 200
    if not csrf_matches(request, context.settings, csrf_token):
        error, status = "Your login form expired. Please try again.", 403
    else:
        try:
            account = authenticate(context.store, username, password,
                                   ip=client_origin(request))
        except LoginThrottled as exc:
            error, status = f"Too many failed attempts. Try again in {exc.retry_after} s.", 429
        except AuthenticationFailed:
            error, status = "Wrong username or password.", 401
    if error is not None:
        fresh = new_csrf_token()
        response = TEMPLATES.TemplateResponse(request, "login.html", {
            "next": _safe_next(next), "csrf_token": fresh, "error": error, "username": username,
            "version": __version__, "user": None, "allowed": set()}, status_code=status)
        set_csrf_cookie(response, context.settings, fresh)
        return response
    token = issue_token(context.store, account, lifetime=context.settings.session_lifetime)
    redirect = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookies(redirect, context.settings, token)
    return redirect


@router.post("/logout")
def logout(request: Request, csrf_token: str = Form(""),
           context: AppContext = Depends(app_context)) -> Response:
    """End the browser session (revoking its token) and return to the login page."""
    session_token = request.cookies.get(context.settings.session_cookie)
    if session_token and session_csrf_matches(request, context.settings, csrf_token):
        try:
            account = account_for_token(context.store, session_token)
        except AuthenticationFailed:
            account = None
        revoke_token(context.store, session_token)
        if account is not None:
            record_logout(context, account.username, client_origin(request))
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookies(response, context.settings)
    return response


@router.get("/")
def home() -> Response:
    return RedirectResponse("/alerts", status_code=303)

"""API login: OAuth2 password flow giving a bearer token, logout (token or session), who-am-I.

Throttling of failed logins is the auth service's; a locked-out caller gets 429 and Retry-After.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from dentrace.auth import ACTIONS, authenticate, issue_token, permissions, revoke_token
from dentrace.web.deps import AppContext, app_context, current_caller, record_logout
from dentrace.web.security import Caller, clear_session_cookies, client_origin, oauth2_scheme

router = APIRouter(prefix="/auth", tags=["auth"])


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class Me(BaseModel):
    username: str
    role: str
    permissions: list[str]


@router.post("/token", response_model=Token)
def login_for_token(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    context: AppContext = Depends(app_context),
) -> Token:
    """Exchange a username and password for a bearer token (OAuth2 password flow)."""
    account = authenticate(context.store, form.username, form.password,
                           ip=client_origin(request))
    lifetime = context.settings.token_lifetime
    token = issue_token(context.store, account, lifetime=lifetime)
    return Token(access_token=token, expires_in=int(lifetime.total_seconds()))


@router.post("/logout", status_code=204)
def logout(
    request: Request,
    response: Response,
    caller: Caller = Depends(current_caller),
    bearer: str | None = Depends(oauth2_scheme),
    context: AppContext = Depends(app_context),
) -> None:
    """Revoke what authenticated this request: the bearer token, or the browser session of
    the cookie (which needs the CSRF header, like every cookie write); its cookies are cleared."""
    settings = context.settings
    token = request.cookies.get(settings.session_cookie) if caller.via_cookie else bearer
    if token:
        revoke_token(context.store, token)
        record_logout(context, caller.account.username, caller.origin)
    if caller.via_cookie:
        clear_session_cookies(response, settings)


@router.get("/me", response_model=Me)
def who_am_i(
    caller: Caller = Depends(current_caller), context: AppContext = Depends(app_context)
) -> Me:
    """The caller's username, role and the actions that role may perform."""
    allowed = permissions(context.store).get(caller.account.role, set())
    return Me(username=caller.account.username, role=caller.account.role,
              permissions=[a for a in ACTIONS if a in allowed])

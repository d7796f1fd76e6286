"""What every route needs: the app's store, evidence and settings, the caller, permission checks.

Routes declare ``caller: Caller = Depends(current_caller)`` and call ``permit`` or ``audited``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request
from sqlalchemy import select

from dentrace import audit
from dentrace.auth import require
from dentrace.store.sql import Store
from dentrace.store.sql.models import CaseParty
from dentrace.web.evidence import Evidence
from dentrace.web.security import Caller, authenticate_request, oauth2_scheme
from dentrace.web.settings import WebSettings


@dataclass(frozen=True)
class AppContext:
    """The long-lived objects of one app: cases store, workspace evidence and settings."""

    store: Store
    evidence: Evidence
    settings: WebSettings
    indicators: dict[str, str]  # indicator code -> plain-language description


def app_context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


def current_caller(
    request: Request,
    bearer: str | None = Depends(oauth2_scheme),
    context: AppContext = Depends(app_context),
) -> Caller:
    """The authenticated caller (401 without a valid token or session; 403 on a CSRF failure)."""
    return authenticate_request(request, context.store, context.settings, bearer)


def permit(context: AppContext, caller: Caller, action: str) -> None:
    """Raise ``PermissionDenied`` (403) unless the caller's role may perform ``action``."""
    with context.store.session() as session:
        require(session, caller.account, action)


def audited(context: AppContext, caller: Caller, action: str, permission: str, *,
            target_type: str, target_id: str | int, detail: dict[str, Any] | None = None) -> None:
    """Check ``permission`` and record ``action`` in the audit log in one transaction."""
    with context.store.session() as session:
        require(session, caller.account, permission)
        audit.record(session, actor=caller.account.username, action=action,
                     target_type=target_type, target_id=target_id, origin=caller.origin,
                     detail=detail)


def parties_in_cases(context: AppContext) -> set[str]:
    """Every party held in some case, to mark them in network views."""
    with context.store.session() as session:
        return set(session.execute(select(CaseParty.party_id).distinct()).scalars())


def record_logout(context: AppContext, username: str, origin: str) -> None:
    """Audit the end of a session or the revocation of a token."""
    with context.store.session() as session:
        audit.record(session, actor=username, action="logout", target_type="user",
                     target_id=username, origin=origin)

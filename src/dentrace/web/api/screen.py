"""Real-time screening API: ``POST /screen`` takes one payment (contract JSON or a pacs.008
message) and answers allow, review or hold with scores and reasons for payer and beneficiary.

The screener (party state from the workspace's last scan) is built on the first call and kept
in ``app.state.screener``; every decision is appended to the workspace's screening log.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request

from dentrace.errors import DentraceError, InputError
from dentrace.screen import (
    Screener,
    ScreeningLog,
    contract_payment,
    pacs008_payments,
    screener_from_workspace,
)
from dentrace.screen.log import LOG_FILE
from dentrace.web.deps import AppContext, app_context, permit
from dentrace.web.security import Caller, authenticate_request, client_origin, oauth2_scheme

router = APIRouter(tags=["screening"])
# Screening feeds payments into the detection state, like importing a scan: supervisor+ only
# (docs/screening.md, "Who may screen").
PERMISSION = "import_alerts"
_BUILD_LOCK = threading.Lock()
# A bearer token that passed authentication and the permission check is trusted for this long
# without asking the cases database again (two queries per payment otherwise): revoking a
# token, disabling an account or changing a role reaches screening within this delay.
CALLER_CACHE_SECONDS = 5.0

PAYMENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["txn_id", "ts", "sender_id", "beneficiary_id", "amount", "currency"],
    "properties": {
        "txn_id": {"type": "string"}, "ts": {"type": "string", "format": "date-time"},
        "sender_id": {"type": "string"}, "beneficiary_id": {"type": "string"},
        "amount": {"type": "number", "exclusiveMinimum": 0},
        "currency": {"type": "string", "example": "AUD"},
        **{name: {"type": "string"} for name in (
            "sender_name", "sender_country", "beneficiary_name", "beneficiary_country",
            "channel", "memo")},
    },
}
OPENAPI_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": PAYMENT_SCHEMA},
    "application/xml": {"schema": {"type": "string", "description": "a pacs.008 message"}},
}}}


def screener_of(request: Request) -> tuple[Screener, ScreeningLog]:
    """The app's screener and log, built from the workspace on first use."""
    state = request.app.state
    if getattr(state, "screener", None) is None:
        with _BUILD_LOCK:
            if getattr(state, "screener", None) is None:
                context: AppContext = state.context
                workspace = context.evidence.workspace
                state.screening_log = ScreeningLog(workspace / LOG_FILE)
                ratio = float(os.environ.get("DENTRACE_SCREEN_REVIEW_RATIO", "0.5"))
                state.screener = screener_from_workspace(workspace, review_ratio=ratio)
    if getattr(state, "screening_log", None) is None:
        state.screening_log = ScreeningLog(state.context.evidence.workspace / LOG_FILE)
    return state.screener, state.screening_log


async def screening_caller(
    request: Request, bearer: str | None = Depends(oauth2_scheme),
    context: AppContext = Depends(app_context),
) -> Caller:
    """The caller, authenticated and allowed to screen (401/403), cached briefly per token."""
    if getattr(request.app.state, "screening_callers", None) is None:
        request.app.state.screening_callers = {}
    cache: dict[str, tuple[Caller, float]] = request.app.state.screening_callers
    key = hashlib.sha256(bearer.encode()).hexdigest() if bearer else None
    now = time.monotonic()
    if key is not None and key in cache and cache[key][1] > now:
        cached = cache[key][0]
        return Caller(cached.account, client_origin(request), via_cookie=False)
    caller = authenticate_request(request, context.store, context.settings, bearer)
    permit(context, caller, PERMISSION)
    if key is not None:
        if len(cache) > 10_000:
            cache.clear()
        cache[key] = (caller, now + CALLER_CACHE_SECONDS)
    return caller


def _payment(body: bytes, content_type: str) -> dict[str, Any]:
    kind = content_type.split(";")[0].strip().lower()
    if kind in ("application/xml", "text/xml"):
        payments = pacs008_payments(body)
        if len(payments) != 1:
            raise InputError(f"the message holds {len(payments)} credit transfers; "
                             "screen one payment per request", file="request")
        return payments[0]
    if kind not in ("application/json", ""):
        raise HTTPException(415, f"send application/json or application/xml, not {kind}")
    try:
        values = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"the body is not JSON: {error}", file="request") from error
    return contract_payment(values)


@router.post("/screen", openapi_extra=OPENAPI_BODY)
async def screen_payment(
    request: Request, caller: Caller = Depends(screening_caller),
) -> dict[str, Any]:
    """Screen one payment: decision (allow | review | hold), score, and per party the score,
    the hold threshold and the reasons (indicator codes with plain-language text)."""
    body = await request.body()
    try:
        payment = _payment(body, request.headers.get("content-type", ""))
        screener, log = screener_of(request)
        decision = screener.screen(payment)
    except InputError as error:
        raise HTTPException(422, str(error)) from error
    except DentraceError as error:
        raise HTTPException(503, f"screening is not available: {error}") from error
    log.record(decision, caller.account.username, caller.origin)
    return decision

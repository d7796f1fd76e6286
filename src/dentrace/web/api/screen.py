"""Real-time screening API: ``POST /api/v1/screen`` takes one payment (contract JSON or a pacs.008
message) and answers allow, review or hold with scores and reasons for payer and beneficiary.

At 1,000 payments/s FastAPI's per-request machinery (dependencies, response encoding) costs as
much as the screening itself, so ``ScreeningFastPath``, a pure ASGI middleware ahead of the
router, answers this one path; the FastAPI route below documents it in OpenAPI and runs the
same code. The screener (party state from the workspace's last scan) is built on first use:
in a screening process of its own when ``WebSettings.screening_process`` asks for one
(``dentrace.screen.worker``; ``dentrace serve`` does), else in ``app.state.screener``, screened
in the event loop. Payments are screened in micro-batches (``dentrace.screen.batching``) and
every decision is appended to the workspace's screening log.
"""

from __future__ import annotations

import gc
import hashlib
import os
import threading
import time
from typing import Any

import orjson
from fastapi import APIRouter, Depends, Request, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from dentrace.auth import AuthenticationFailed, PermissionDenied
from dentrace.errors import DentraceError, InputError
from dentrace.screen import (
    ScreeningLog,
    contract_payment,
    pacs008_payments,
    screener_from_workspace,
)
from dentrace.screen.batching import (
    LINGER,
    MEMO_LIMIT,
    ScreeningBatcher,
    ScreeningOverloaded,
)
from dentrace.screen.log import LOG_FILE
from dentrace.screen.worker import ProcessBatcher, ScreeningProcess, ScreeningStarting
from dentrace.web.deps import AppContext, permit
from dentrace.web.security import Caller, CsrfRejected, authenticate_request, oauth2_scheme

router = APIRouter(tags=["screening"])
PATH = "/api/v1/screen"
# Screening feeds payments into the detection state: the screener service role, supervisors
# and admins; analysts may not (docs/screening.md, "Who may screen").
PERMISSION = "screen"
# A bearer token that passed authentication and the permission check is trusted for this long
# without asking the cases database again (two queries per payment otherwise): revoking a
# token, disabling an account or changing a role reaches screening within this delay.
CALLER_CACHE_SECONDS = 5.0
STARTING_RETRY = 5  # seconds a payment system waits before asking again while screening starts
MAX_BODY = 1 << 20  # one payment; a pacs.008 message with one transfer is a few kB
_BUILD_LOCK = threading.Lock()

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


class Refused(Exception):
    """An answer other than 200: status, message and extra headers."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.headers = status, detail, headers or {}


def _review_ratio() -> float:
    return float(os.environ.get("DENTRACE_SCREEN_REVIEW_RATIO", "0.5"))


def _build_screener(state: Any) -> None:
    if getattr(state, "screener", None) is None:
        state.screener = screener_from_workspace(state.context.evidence.workspace,
                                                 review_ratio=_review_ratio())


def _in_process(state: Any) -> bool:
    """Screen in the server's event loop: a screener was given (tests, tools), or the
    settings do not ask for a screening process."""
    return (getattr(state, "screener", None) is not None
            or not state.context.settings.screening_process)


def warm_screener(app: Any) -> dict[str, int]:
    """Build the screener (party state from the last scan) now, before serving, rather than
    on the first payment, which would otherwise wait seconds per 100k scanned payments; in
    the screening process when the settings ask for one. Its size: payments, payers and
    beneficiaries in the state."""
    state = app.state
    if _in_process(state):
        with _BUILD_LOCK:
            _build_screener(state)
        return state.screener.size()  # type: ignore[no-any-return]
    batcher = batcher_of(app)
    assert isinstance(batcher, ProcessBatcher)
    return batcher.process.wait().summary


def _current(batcher: ScreeningBatcher | ProcessBatcher, state: Any) -> bool:
    """True when ``batcher`` still serves: its process runs, or it screens with the app's
    screener."""
    if isinstance(batcher, ProcessBatcher):
        return batcher.serving and not _in_process(state)
    return batcher.screener is getattr(state, "screener", None)


def batcher_of(app: Any) -> ScreeningBatcher | ProcessBatcher:
    """The app's screening batcher: in the event loop, or feeding the screening process
    (started on first use, and again when it stopped)."""
    state = app.state
    batcher: ScreeningBatcher | ProcessBatcher | None = getattr(state, "screening_batcher", None)
    if batcher is not None and _current(batcher, state):
        return batcher
    with _BUILD_LOCK:
        batcher = getattr(state, "screening_batcher", None)
        if batcher is not None and _current(batcher, state):
            return batcher
        if isinstance(batcher, ProcessBatcher):
            batcher.close()
        workspace = state.context.evidence.workspace
        if getattr(state, "screening_log", None) is None:
            state.screening_log = ScreeningLog(workspace / LOG_FILE)
        if not _in_process(state):
            # started, not awaited: while it builds, payments are answered 503 (Retry-After)
            # and the rest of the app keeps serving
            process = ScreeningProcess(workspace, _review_ratio()).launch()
            state.screening_batcher = batcher = ProcessBatcher(process, state.screening_log)
            return batcher
        _build_screener(state)
        linger = float(os.environ.get("DENTRACE_SCREEN_LINGER_MS", LINGER * 1000)) / 1000
        state.screening_batcher = batcher = ScreeningBatcher(state.screener, state.screening_log,
                                                             linger=linger)
        # the party state is hundreds of thousands of long-lived objects: keep them out of
        # the garbage collector's full passes, which would otherwise pause answers for tens of ms
        gc.collect()
        gc.freeze()
        return batcher


def stop_screening(app: Any) -> None:
    """Stop the screening process, if any, and close the screening log (server shutdown)."""
    state = app.state
    with _BUILD_LOCK:
        batcher = getattr(state, "screening_batcher", None)
        if isinstance(batcher, ProcessBatcher):
            batcher.close()
        state.screening_batcher = None
        log = getattr(state, "screening_log", None)
        if log is not None:
            log.close()
            state.screening_log = None


def _origin(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def screening_caller(app: Any, scope: Scope, bearer: str | None) -> Caller:
    """The caller, authenticated and allowed to screen, cached briefly per bearer token."""
    state = app.state
    cache: dict[str, tuple[Caller, float]] | None = getattr(state, "screening_callers", None)
    if cache is None:
        cache = state.screening_callers = {}
    key = hashlib.sha256(bearer.encode()).hexdigest() if bearer else None
    now = time.monotonic()
    if key is not None and key in cache and cache[key][1] > now:
        return Caller(cache[key][0].account, _origin(scope), via_cookie=False)
    context: AppContext = state.context
    try:
        caller = authenticate_request(Request(scope), context.store, context.settings, bearer)
        permit(context, caller, PERMISSION)
    except (CsrfRejected, PermissionDenied) as error:
        raise Refused(403, str(error)) from error
    except AuthenticationFailed as error:
        raise Refused(401, str(error), {"WWW-Authenticate": "Bearer"}) from error
    if key is not None:
        if len(cache) > 10_000:
            cache.clear()
        cache[key] = (caller, now + CALLER_CACHE_SECONDS)
    return caller


def parse_payment(body: bytes, content_type: str) -> dict[str, Any]:
    """The contract payment of a request body (JSON, or a pacs.008 with one transfer)."""
    kind = content_type.split(";")[0].strip().lower()
    if kind in ("application/xml", "text/xml"):
        payments = pacs008_payments(body)
        if len(payments) != 1:
            raise InputError(f"the message holds {len(payments)} credit transfers; "
                             "screen one payment per request", file="request")
        return payments[0]
    if kind not in ("application/json", ""):
        raise Refused(415, f"send application/json or application/xml, not {kind}")
    try:
        values = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise InputError(f"the body is not JSON: {error}", file="request") from error
    return contract_payment(values)


def cut_memo(payment: dict[str, Any]) -> int | None:
    """Keep the first ``MEMO_LIMIT`` characters of the memo, the part screening searches for
    keywords (remittance fields of payment schemes hold 140 to a few hundred characters);
    the memo's length when it was longer."""
    memo = payment.get("memo")
    if not isinstance(memo, str) or len(memo) <= MEMO_LIMIT:
        return None
    payment["memo"] = memo[:MEMO_LIMIT]
    return len(memo)


async def screen_body(app: Any, scope: Scope, body: bytes, content_type: str,
                      bearer: str | None) -> dict[str, Any]:
    """Authenticate, parse, screen (in a batch) and log one request: the decision, or
    ``Refused`` with the status (401, 403, 415, 422 bad payment or a field over its length
    limit, 503 no usable scan, too many payments waiting, or the screening process still
    building its state). A memo over ``MEMO_LIMIT`` characters is screened on its start and
    the answer says so (``memo_truncated_from``: its length)."""
    caller = screening_caller(app, scope, bearer)
    try:
        payment = parse_payment(body, content_type)
        memo_length = cut_memo(payment)
        decision = await batcher_of(app).screen(payment, caller.account.username,
                                                caller.origin)
        return decision if memo_length is None else {**decision,
                                                     "memo_truncated_from": memo_length}
    except InputError as error:
        raise Refused(422, str(error)) from error
    except ScreeningOverloaded as error:
        raise Refused(503, f"screening is overloaded: {error}; retry",
                      {"Retry-After": "1"}) from error
    except ScreeningStarting as error:
        raise Refused(503, f"screening is starting: {error}; retry",
                      {"Retry-After": str(STARTING_RETRY)}) from error
    except DentraceError as error:
        raise Refused(503, f"screening is not available: {error}") from error


def _bearer(authorization: str | None) -> str | None:
    if authorization and authorization[:7].lower() == "bearer ":
        return authorization[7:].strip() or None
    return None


class ScreeningFastPath:
    """Pure ASGI middleware answering ``POST /api/v1/screen`` before FastAPI's routing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["path"] != PATH
                or scope["method"] != "POST"):
            await self.app(scope, receive, send)
            return
        headers = {k: v for k, v in scope["headers"] if k in (b"authorization",
                                                             b"content-type")}
        try:
            body = await _read_body(receive)
            decision = await screen_body(
                scope["app"], scope, body, headers.get(b"content-type", b"").decode("latin-1"),
                _bearer(headers.get(b"authorization", b"").decode("latin-1")))
            await _answer(send, 200, orjson.dumps(decision))
        except Refused as refused:
            await _answer(send, refused.status, orjson.dumps({"detail": refused.detail}),
                          refused.headers)


async def _read_body(receive: Receive) -> bytes:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise Refused(400, "the client went away")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            raise Refused(413, f"one payment per request, at most {MAX_BODY} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _answer(send: Send, status: int, body: bytes,
                  headers: dict[str, str] | None = None) -> None:
    raw = [(b"content-type", b"application/json"),
           (b"content-length", str(len(body)).encode())]
    raw.extend((k.lower().encode("latin-1"), v.encode("latin-1"))
               for k, v in (headers or {}).items())
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


@router.post("/screen", openapi_extra=OPENAPI_BODY)
async def screen_payment(request: Request,
                         bearer: str | None = Depends(oauth2_scheme)) -> Response:
    """Screen one payment: decision (allow | review | hold), score, and per party the score,
    the hold threshold and the reasons (indicator codes with plain-language text)."""
    try:
        decision = await screen_body(request.app, request.scope, await request.body(),
                                     request.headers.get("content-type", ""), bearer)
    except Refused as refused:
        return Response(orjson.dumps({"detail": refused.detail}), refused.status,
                        refused.headers, media_type="application/json")
    return Response(orjson.dumps(decision), media_type="application/json")

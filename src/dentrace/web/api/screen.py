"""Real-time screening API: ``POST /api/v1/screen`` takes one payment (contract JSON or a pacs.008
message) and answers allow, review or hold with scores and reasons for payer and beneficiary;
``GET /api/v1/screen/health`` says whether screening runs.

Routes only: the screening service (``dentrace.screen.supervisor.ScreeningService``,
``app.state.screening``) starts, restarts and stops the screener and batches the payments;
this module authenticates, reads the body and turns the service's errors into HTTP answers.
At 1,000 payments/s FastAPI's per-request machinery (dependencies, response encoding) costs as
much as the screening itself, so ``ScreeningFastPath``, a pure ASGI middleware ahead of the
router, answers the screening path; the FastAPI route below documents it in OpenAPI and runs
the same code.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

import orjson
from fastapi import APIRouter, Depends, Request, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from dentrace.auth import AuthenticationFailed, PermissionDenied
from dentrace.errors import DentraceError, InputError
from dentrace.screen.batching import ScreeningOverloaded, ScreeningStarting, cut_memo
from dentrace.screen.payment import UnsupportedContent, request_payment
from dentrace.screen.supervisor import ScreeningService
from dentrace.web.deps import AppContext, app_context, current_caller, permit
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


def service_of(app: Any) -> ScreeningService:
    """The app's screening service (``create_app`` makes it)."""
    return app.state.screening  # type: ignore[no-any-return]


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


async def screen_body(app: Any, scope: Scope, body: bytes, content_type: str,
                      bearer: str | None) -> dict[str, Any]:
    """Authenticate, parse, screen (in a batch) and log one request: the decision, or
    ``Refused`` with the status (401, 403, 415, 422 bad payment or a field over its length
    limit, 503 no usable scan, too many payments waiting, or the screening process still
    building its state). A memo over ``MEMO_LIMIT`` characters is screened on its start and
    the answer says so (``memo_truncated_from``: its length)."""
    caller = screening_caller(app, scope, bearer)
    try:
        payment = request_payment(body, content_type)
        memo_length = cut_memo(payment)
        # the batcher itself, not the service's coroutine around it: one frame less per payment
        decision = await service_of(app).batcher().screen(payment, caller.account.username,
                                                          caller.origin)
        return decision if memo_length is None else {**decision,
                                                     "memo_truncated_from": memo_length}
    except UnsupportedContent as error:
        raise Refused(415, str(error)) from error
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


@router.get("/screen/health")
async def screening_health(request: Request, caller: Caller = Depends(current_caller),
                           context: AppContext = Depends(app_context)) -> dict[str, Any]:
    """Whether screening runs: ``mode`` (event loop or process), ``state`` (stopped, starting,
    ready, failed), ``restarts``, payments ``waiting``, ``screened`` and ``batches``, and the
    party state's size once built. Starts nothing. In the event loop, as the screening is:
    asking a starting process whether it is ready reads its pipe, which two threads must not."""
    permit(context, caller, PERMISSION)
    return service_of(request.app).health()

"""Micro-batches of screenings on an asyncio event loop: payments that arrive while the loop is
busy are screened together, so the fixed cost of scoring is shared when the load is high.

The first payment of a batch schedules the drain with ``call_soon``, which runs as soon as the
loop has read what is already on its sockets: at low load a batch holds one payment, under load
those that queued up during the last drain. Optionally (``linger`` > 0, off by default), when
the last drain ended moments ago (the server is busy), the first payment waits up to ``linger``
seconds for ``MIN_BATCH`` payments: less scoring work per payment (0.85 -> 0.69 of a core at
1,000/s) for up to a timer tick of latency; it did not lower the p99 in the runs of
docs/screening.md. Each payment still sees the state with every payment before it
(``Screener.screen_many``).

``Batcher`` is the interface every batcher implements: ``ScreeningBatcher`` here (in the event
loop) and ``worker.ProcessBatcher`` (feeding the screening process); the screening service
(``screen.supervisor``) holds one and never asks which.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Any, Protocol

from dentrace.errors import DentraceError, InputError
from dentrace.screen.log import ScreeningLog
from dentrace.screen.service import Screener

MAX_BATCH = 64  # bounds the time one drain holds the loop (~0.3 ms per payment)
MAX_WAITING = 2048  # about a second of work: beyond it, answer at once that it is overloaded
# ... or when the payment first in line has waited this long (seconds): the screener is behind,
# however few wait (a starved core, a batch reading cold parties), and a payment system is
# better told at once than answered later than it can wait
MAX_WAIT = 1.0
# Longest text screened per field, in characters, so a payment, a batch and a message to the
# screening process are bounded whoever calls. Identifiers stay in the party state as long as
# the screener runs (an unbounded id is unbounded memory); ISO 20022 allows 35 (ids) and 140
# (names) characters: kept with a wide margin. The memo is searched for keyword families
# (0.1 s per 500 kB memo for the three families, so a few long memos would fill the screening
# process's core); the API screens its first MEMO_LIMIT characters (docs/screening.md).
ID_LIMIT = 256
MEMO_LIMIT = 4096
FIELD_LIMITS = {"txn_id": ID_LIMIT, "sender_id": ID_LIMIT, "beneficiary_id": ID_LIMIT,
                "currency": 16, "sender_country": 64, "beneficiary_country": 64, "channel": 64,
                "sender_name": 1024, "beneficiary_name": 1024, "memo": MEMO_LIMIT}
LINGER = 0.0  # seconds a busy server waits for more payments (ScreeningSettings.linger)
MIN_BATCH = 4  # a lingering drain starts at once when this many payments wait
BUSY_GAP = 0.002  # the server counts as busy when the last drain ended less than this ago


class ScreeningOverloaded(DentraceError):
    """More payments wait than the screener can decide on in time: retry shortly (HTTP 503)."""


class ScreeningUnavailable(DentraceError):
    """Screening could not start or has stopped (HTTP 503)."""


class ScreeningStarting(ScreeningUnavailable):
    """Screening is still building its party state (HTTP 503 with Retry-After)."""


class Batcher(Protocol):
    """Payments waiting to be screened, decided in micro-batches and logged before the answers.

    ``screened`` and ``batches`` count what was decided so far."""

    screened: int
    batches: int

    async def screen(self, payment: dict[str, Any], actor: str, origin: str) -> dict[str, Any]:
        """The decision on ``payment``; raises ``InputError`` (it cannot be screened),
        ``ScreeningOverloaded`` (too many wait) or ``ScreeningUnavailable`` (not running)."""
        ...

    @property
    def serving(self) -> bool:
        """False once this batcher can no longer screen and a new one must be started."""
        ...

    def wait_ready(self) -> dict[str, int]:
        """Wait until payments can be screened; the size of the party state (payments,
        payers, beneficiaries). Raises ``ScreeningUnavailable`` when it cannot start."""
        ...

    def health(self) -> dict[str, Any]:
        """Plain facts for monitoring, without waiting: ``state`` (starting, ready, failed,
        stopped), payments ``waiting``, ``screened``, ``batches`` and what else it knows."""
        ...

    def close(self) -> None:
        """Stop screening: payments still waiting get ``ScreeningUnavailable``."""
        ...


@dataclass
class Waiting:
    payment: dict[str, Any]
    actor: str
    origin: str
    answer: asyncio.Future[dict[str, Any]]
    since: float = 0.0  # the loop's time when it joined the queue


class ScreeningBatcher:
    """Queue of payments waiting for ``screener``; decisions are logged before the answers."""

    def __init__(self, screener: Screener, log: ScreeningLog, max_batch: int = MAX_BATCH,
                 max_waiting: int = MAX_WAITING, linger: float = LINGER,
                 max_wait: float = MAX_WAIT) -> None:
        self.screener = screener
        self.log = log
        self.max_batch = max_batch
        self.max_waiting = max_waiting
        self.max_wait = max_wait
        self.linger = linger
        self._waiting: list[Waiting] = []
        self._scheduled = False
        self._timer: asyncio.TimerHandle | None = None
        self._last_drain = -1.0
        self._closed = False
        self.batches = 0
        self.screened = 0

    @property
    def serving(self) -> bool:
        return not self._closed

    def wait_ready(self) -> dict[str, int]:
        return self.screener.size()

    def health(self) -> dict[str, Any]:
        return {"state": "stopped" if self._closed else "ready", "waiting": len(self._waiting),
                "screened": self.screened, "batches": self.batches}

    def close(self) -> None:
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        waiting, self._waiting = self._waiting, []
        with contextlib.suppress(RuntimeError):  # their event loop is closed already
            fail(waiting, ScreeningUnavailable("screening has stopped"))

    async def screen(self, payment: dict[str, Any], actor: str, origin: str) -> dict[str, Any]:
        """The decision on ``payment`` (raises ``InputError`` when it cannot be screened,
        ``ScreeningOverloaded`` when too many payments wait already)."""
        if self._closed:
            raise ScreeningUnavailable("screening has stopped")
        loop = asyncio.get_running_loop()
        answer = enqueue(self._waiting, self.max_waiting, Waiting(payment, actor, origin,
                                                                  loop.create_future()),
                         self.max_wait)
        if not self._scheduled:
            self._scheduled = True
            if self.linger > 0 and loop.time() - self._last_drain < BUSY_GAP:
                self._timer = loop.call_later(self.linger, self._drain)
            else:
                loop.call_soon(self._drain)
        elif self._timer is not None and len(self._waiting) >= MIN_BATCH:
            self._timer.cancel()
            self._timer = None
            loop.call_soon(self._drain)
        return await answer

    def _drain(self) -> None:
        self._timer = None
        try:
            self._screen_batch()
        finally:
            self._last_drain = asyncio.get_running_loop().time()

    def _screen_batch(self) -> None:
        if not self._waiting:  # closed since the drain was scheduled
            self._scheduled = False
            return
        batch = self._waiting[:self.max_batch]
        del self._waiting[:self.max_batch]
        if self._waiting:
            asyncio.get_running_loop().call_soon(self._drain)
        else:
            self._scheduled = False
        try:
            outcomes = self.screener.screen_many([w.payment for w in batch])
        except Exception as error:  # every waiting request gets the failure
            fail(batch, error)
            return
        settle(batch, outcomes, self.log)
        self.batches += 1
        self.screened += len(batch)


def cut_memo(payment: dict[str, Any]) -> int | None:
    """Keep the first ``MEMO_LIMIT`` characters of the memo, the part screening searches for
    keywords (remittance fields of payment schemes hold 140 to a few hundred characters);
    the memo's length when it was longer."""
    memo = payment.get("memo")
    if not isinstance(memo, str) or len(memo) <= MEMO_LIMIT:
        return None
    payment["memo"] = memo[:MEMO_LIMIT]
    return len(memo)


def check_lengths(payment: dict[str, Any], source: str = "request") -> None:
    """Raise ``InputError`` naming the first text field of ``payment`` over its limit."""
    for name, limit in FIELD_LIMITS.items():
        value = payment.get(name)
        if isinstance(value, str) and len(value) > limit:
            raise InputError(f"'{name}' is {len(value):,} characters long; screening takes at "
                             f"most {limit:,}", file=source, field=name)


def enqueue(waiting: list[Waiting], max_waiting: int, entry: Waiting,
            max_wait: float = MAX_WAIT) -> asyncio.Future[dict[str, Any]]:
    """Add ``entry`` to the queue ``waiting`` and give its answer to await; raises
    ``InputError`` when a field is over its length limit (``FIELD_LIMITS``) and
    ``ScreeningOverloaded`` when ``max_waiting`` payments wait already or the first has
    waited ``max_wait`` seconds."""
    check_lengths(entry.payment)
    if len(waiting) >= max_waiting:
        raise ScreeningOverloaded(f"{len(waiting)} payments are waiting to be screened")
    entry.since = entry.answer.get_loop().time()
    if waiting and entry.since - waiting[0].since >= max_wait:
        raise ScreeningOverloaded(f"the first of {len(waiting)} payments waiting to be screened "
                                  f"has waited {entry.since - waiting[0].since:.1f} s")
    waiting.append(entry)
    return entry.answer


def settle(batch: list[Waiting], outcomes: list[dict[str, Any] | InputError],
           log: ScreeningLog) -> None:
    """Log the decisions of ``batch`` (one write), then answer each waiting request: its
    decision, or the ``InputError`` that kept its payment from being screened."""
    decided = [(o, w.actor, w.origin) for o, w in zip(outcomes, batch, strict=True)
               if not isinstance(o, InputError)]
    try:
        log.record_many(decided)  # type: ignore[arg-type]
    except Exception as error:  # not logged, not answered: every request gets the failure
        fail(batch, error)
        return
    for w, outcome in zip(batch, outcomes, strict=True):
        if w.answer.done():  # the request was cancelled (client gone)
            continue
        if isinstance(outcome, InputError):
            w.answer.set_exception(outcome)
        else:
            w.answer.set_result(outcome)


def fail(batch: list[Waiting], error: BaseException) -> None:
    """Answer every request of ``batch`` still waiting with ``error``."""
    for w in batch:
        if not w.answer.done():
            w.answer.set_exception(error)

"""The screening process under a large payment and a burst, on uvloop as ``dentrace serve`` runs
it: every answer a decision, a 422 naming the field, or an overload with Retry-After, and the
same screening process afterwards (issue 16, point 1)."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import select
import threading
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvloop

from dentrace.errors import InputError
from dentrace.screen import ScreeningLog, contract_payment, empty_screener
from dentrace.screen.batching import (
    FIELD_LIMITS,
    ID_LIMIT,
    MAX_WAITING,
    MEMO_LIMIT,
    ScreeningBatcher,
    ScreeningOverloaded,
    Waiting,
    enqueue,
)
from dentrace.screen.settings import ScreeningSettings
from dentrace.screen.worker import PipeEnd, ProcessBatcher, ScreeningProcess
from dentrace.store.sql import open_store
from dentrace.web import WebSettings, create_app
from tests.unit.screen.hand_made import collector_traffic, offender
from tests.unit.web.conftest import sample_template, workspace  # noqa: F401  (fixtures)
from tests.unit.web.web_sample import bearer

BIG_MEMO = 400_000  # characters: under the 1 MiB body cap, over a pipe's buffer


def _on_uvloop(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """uvicorn runs on uvloop, whose readers make the pipe's file descriptor non-blocking."""
    return uvloop.run(coroutine)


def _rows(count: int) -> list[dict[str, Any]]:
    base = collector_traffic() + offender()
    return [{**base[i % len(base)], "txn_id": f"burst-{i}"} for i in range(count)]


@pytest.fixture()
def served(workspace: Path) -> Iterator[Any]:  # noqa: F811
    """The app with its screening process started, as ``dentrace serve --warm-screening``."""
    store = open_store(workspace)
    app = create_app(workspace, settings=WebSettings(
        secure_cookies=False, screening=ScreeningSettings(process=True)), store=store)
    app.state.screening.warm()
    try:
        yield app
    finally:
        app.state.screening.stop()
        store.close()


def batcher_of(app: Any) -> Any:
    """The app's running batcher (started again when it stopped)."""
    return app.state.screening.batcher()


async def _post_all(app: Any, rows: list[dict[str, Any]]) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        posts = [client.post("/api/v1/screen", json=row, headers=bearer("sam")) for row in rows]
        return list(await asyncio.wait_for(asyncio.gather(*posts), timeout=120))


def _overloaded(answer: httpx.Response) -> bool:
    return answer.status_code in (429, 503) and int(answer.headers.get("Retry-After", 0)) > 0


def test_a_large_memo_is_screened_by_the_same_process(served: Any) -> None:
    batcher = batcher_of(served)
    pid = batcher.process.pid
    # among others arriving at once: on the old code a batch of megabytes over the pipe
    rows = _rows(60)
    big = range(0, 60, 15)
    for k in big:
        rows[k] = {**rows[k], "memo": "for school " + "x" * BIG_MEMO}
    answers = _on_uvloop(_post_all(served, rows))
    assert [a.status_code for a in answers] == [200] * len(rows), [a.text[:200] for a in answers
                                                                   if a.status_code != 200]
    for k, (answer, row) in enumerate(zip(answers, rows, strict=True)):
        assert answer.json()["txn_id"] == row["txn_id"]
        # the answer says the memo was screened on its start
        assert answer.json().get("memo_truncated_from") == (len(row["memo"]) if k in big
                                                            else None)
    assert batcher_of(served) is batcher and batcher.process.pid == pid and batcher.alive


def test_an_oversized_identifier_is_refused_naming_it(served: Any) -> None:
    batcher = batcher_of(served)
    pid = batcher.process.pid
    row = {**offender()[0], "sender_id": "A" * 100_000}
    refused, after = _on_uvloop(_post_all(served, [row, offender()[1]]))
    assert refused.status_code == 422
    assert "field 'sender_id'" in refused.json()["detail"]
    assert after.status_code == 200, after.text
    assert batcher.process.pid == pid and batcher.alive


def test_a_burst_is_answered_or_told_to_retry(served: Any) -> None:
    batcher = batcher_of(served)
    assert isinstance(batcher, ProcessBatcher)
    pid = batcher.process.pid
    batcher.max_waiting = 150  # some of the burst finds the queue full
    answers = _on_uvloop(_post_all(served, _rows(400)))
    statuses = [a.status_code for a in answers]
    wrong = [(a.status_code, a.text[:200]) for a in answers
             if a.status_code != 200 and not _overloaded(a)]
    assert not wrong, wrong
    assert statuses.count(200) >= 150 and batcher.screened >= 150
    assert batcher_of(served) is batcher and batcher.process.pid == pid and batcher.alive
    # and it goes on screening
    again = _on_uvloop(_post_all(served, [{**offender()[2], "txn_id": "after-burst"}]))
    assert again[0].status_code == 200, again[0].text


def test_the_batcher_refuses_unbounded_fields_and_a_full_queue(sample_template: Path,  # noqa: F811
                                                              tmp_path: Path) -> None:
    """Through the process directly: oversized text is a 4xx error naming the field, the
    excess of a burst is ``ScreeningOverloaded``, the rest decided; one process throughout."""
    process = ScreeningProcess(sample_template).start()
    log = ScreeningLog(tmp_path / "screening.jsonl")
    batcher = ProcessBatcher(process, log, max_waiting=100)
    pid = process.pid
    payments = [contract_payment(r) for r in _rows(300)]
    big = (10, 20, 30)  # in the first batch: on the old code over a megabyte at once
    for k in big:
        payments[k] = {**payments[k], "memo": "m" * BIG_MEMO}

    async def burst() -> list[Any]:
        answers = [batcher.screen(p, "svc", "127.0.0.1") for p in payments]
        return list(await asyncio.wait_for(asyncio.gather(*answers, return_exceptions=True),
                                           timeout=120))

    try:
        got = _on_uvloop(burst())
        assert all("field 'memo'" in str(got[k]) and "at most 4,096" in str(got[k])
                   for k in big)
        rest = [o for k, o in enumerate(got) if k not in big]
        assert all(isinstance(o, dict | ScreeningOverloaded) for o in rest), {
            type(o).__name__ for o in rest}
        decided = [o for o in rest if isinstance(o, dict)]
        assert len(decided) >= 90 and batcher.screened == len(decided)
        assert process.pid == pid and process.alive and os.getpid() != pid
    finally:
        batcher.close()
        log.close()


def test_the_pipe_end_never_blocks_nor_fails_on_a_full_pipe() -> None:
    """A message larger than the pipe's buffer is written in parts as the other end reads;
    an answer read while it is still arriving is kept until whole."""
    ours, theirs = multiprocessing.Pipe(duplex=True)
    pipe = PipeEnd(ours.fileno())
    message = os.urandom(3 << 20)
    assert pipe.write(message) is False and pipe.pending  # the rest waits, no EAGAIN
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(theirs.recv_bytes()))
    reader.start()
    while not pipe.flush():
        select.select([], [pipe.fd], [], 5)
    reader.join(10)
    assert received == [message] and not pipe.pending

    answer = os.urandom(1 << 20)
    assert pipe.read() is None  # nothing yet
    os.write(theirs.fileno(), len(answer).to_bytes(4, "big") + answer[:1000])
    assert pipe.read() is None  # a part: kept
    writer = threading.Thread(target=lambda: os.write(theirs.fileno(), answer[1000:]))
    writer.start()
    got = None
    while got is None:
        select.select([pipe.fd], [], [], 5)
        got = pipe.read()
    writer.join(10)
    assert got == answer
    theirs.close()
    select.select([pipe.fd], [], [], 5)
    with pytest.raises(EOFError):
        pipe.read()
    ours.close()


def test_field_limits_hold_in_the_event_loop_too(tmp_path: Path) -> None:
    """The same bounds when screening runs in the server's loop: the limit itself passes."""
    log = ScreeningLog(tmp_path / "screening.jsonl")
    batcher = ScreeningBatcher(empty_screener(scorer="rules"), log)
    row = contract_payment(offender()[0])
    cases = {"at the limit": {**row, "memo": "m" * MEMO_LIMIT},
             "memo": {**row, "memo": "m" * (MEMO_LIMIT + 1)},
             "beneficiary_id": {**row, "beneficiary_id": "B" * (ID_LIMIT + 1)},
             "sender_name": {**row, "sender_name": "N" * (FIELD_LIMITS["sender_name"] + 1)}}

    async def each() -> list[Any]:
        return [await asyncio.gather(batcher.screen(p, "svc", "127.0.0.1"),
                                     return_exceptions=True) for p in cases.values()]

    try:
        got = [outcome for (outcome,) in asyncio.run(each())]
        assert isinstance(got[0], dict) and got[0]["txn_id"] == "o-0"
        for name, outcome in zip(list(cases)[1:], got[1:], strict=True):
            assert isinstance(outcome, InputError) and outcome.field == name, outcome
    finally:
        log.close()


def test_a_queue_that_stopped_moving_refuses_new_payments() -> None:
    """However few wait: when the first has waited ``max_wait`` seconds, the screener is
    behind and a new payment is told at once to retry; a moving queue accepts it."""
    row = contract_payment(offender()[0])

    async def join_after(age: float) -> Any:
        loop = asyncio.get_running_loop()
        waiting = [Waiting(row, "svc", "127.0.0.1", loop.create_future(),
                           since=loop.time() - age)]  # first in line for ``age`` seconds
        try:
            return enqueue(waiting, MAX_WAITING, Waiting(row, "svc", "127.0.0.1",
                                                         loop.create_future()), max_wait=1.0)
        except ScreeningOverloaded as error:
            return error

    assert isinstance(asyncio.run(join_after(0.2)), asyncio.Future)
    refused = asyncio.run(join_after(1.5))
    assert isinstance(refused, ScreeningOverloaded) and "waited 1.5 s" in str(refused)

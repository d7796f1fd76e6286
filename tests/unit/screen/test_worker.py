"""The screening process: decisions equal to screening in the server's own process, bad
payments answered 422, a stopped process answered 503 and started again."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvloop
from fastapi.testclient import TestClient

from dentrace.errors import InputError
from dentrace.screen import ScreeningLog, contract_payment, read_log, screener_from_workspace
from dentrace.screen.settings import ScreeningSettings
from dentrace.screen.worker import (
    ProcessBatcher,
    ScreeningProcess,
    ScreeningStarting,
    ScreeningUnavailable,
)
from dentrace.store.sql import open_store
from dentrace.web import WebSettings, create_app
from tests.unit.screen.hand_made import collector_traffic, family_remitter, offender
from tests.unit.web.conftest import sample_template, workspace  # noqa: F401  (fixtures)
from tests.unit.web.web_sample import bearer


def _payments() -> list[dict[str, Any]]:
    rows = collector_traffic()[:30] + offender()[:8] + family_remitter()[:3]
    rows.insert(7, {**rows[7], "currency": "XXX"})  # no exchange rate: not screened
    return [contract_payment(row) for row in rows]


def _comparable(outcome: Any) -> Any:
    if isinstance(outcome, InputError):
        return ("input", str(outcome))
    return {k: v for k, v in outcome.items() if k != "elapsed_ms"}


def _in_one_process(folder: Path, payments: list[dict[str, Any]]) -> list[Any]:
    screener = screener_from_workspace(folder)
    out: list[Any] = []
    for payment in payments:
        try:
            out.append(screener.screen(payment))
        except InputError as error:
            out.append(error)
    return out


def _wait_until_stopped(process: ScreeningProcess) -> None:
    deadline = time.monotonic() + 10
    while process.alive and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not process.alive


# uvicorn runs on uvloop, which makes the pipe non-blocking: both loops give the same answers
@pytest.mark.parametrize("run", [asyncio.run, uvloop.run], ids=["asyncio", "uvloop"])
def test_process_batcher_decides_as_one_process(sample_template: Path,  # noqa: F811
                                                tmp_path: Path, run: Any) -> None:
    payments = _payments()
    expected = [_comparable(o) for o in _in_one_process(sample_template, payments)]
    process = ScreeningProcess(sample_template).start()
    assert process.pid != os.getpid() and process.summary["payers"] > 0
    log = ScreeningLog(tmp_path / "screening.jsonl")
    batcher = ProcessBatcher(process, log, max_batch=4)  # several batches, one at a time

    async def all_at_once() -> list[Any]:  # concurrent requests: they share batches
        answers = asyncio.gather(*(batcher.screen(p, "svc", "127.0.0.1") for p in payments),
                                 return_exceptions=True)
        return await asyncio.wait_for(answers, timeout=60)

    try:
        got = run(all_at_once())
        assert [_comparable(o) for o in got] == expected
        assert batcher.screened == len(payments)
        assert batcher.batches == -(-len(payments) // 4)
        logged = read_log(tmp_path / "screening.jsonl")
        assert [e["txn_id"] for e in logged] == [o["txn_id"] for o in expected
                                                if isinstance(o, dict)]

        os.kill(process.pid or 0, signal.SIGINT)  # Ctrl-C: the server decides when it stops
        time.sleep(0.3)
        again = run(batcher.screen(payments[-1], "svc", "127.0.0.1"))
        assert process.alive and again["txn_id"] == payments[-1]["txn_id"]

        os.kill(process.pid or 0, signal.SIGKILL)
        _wait_until_stopped(process)
        with pytest.raises(ScreeningUnavailable, match="stopped"):
            run(batcher.screen(payments[0], "svc", "127.0.0.1"))
    finally:
        batcher.close()
        log.close()


def test_a_process_that_cannot_start_says_why(tmp_path: Path) -> None:
    with pytest.raises(ScreeningUnavailable, match=r"no warehouse\.duckdb here"):
        ScreeningProcess(tmp_path / "none").start()
    # launched without waiting: the batcher says why, and keeps saying it for a while
    log = ScreeningLog(tmp_path / "screening.jsonl")
    batcher = ProcessBatcher(ScreeningProcess(tmp_path / "none").launch(), log)
    deadline = time.monotonic() + 60
    while batcher.process.failure is None and time.monotonic() < deadline:
        with contextlib.suppress(ScreeningUnavailable):
            batcher.process.ready(wait=0.2)
    with pytest.raises(ScreeningUnavailable, match=r"no warehouse\.duckdb here") as raised:
        asyncio.run(batcher.screen(_payments()[0], "svc", "127.0.0.1"))
    assert not isinstance(raised.value, ScreeningStarting)
    assert batcher.serving and not batcher.alive  # no new process for every request
    log.close()


def test_payments_while_the_process_starts_are_told_to_retry(sample_template: Path,  # noqa: F811
                                                             tmp_path: Path) -> None:
    payment = _payments()[0]
    process = ScreeningProcess(sample_template).launch()  # returns before the state is built
    log = ScreeningLog(tmp_path / "screening.jsonl")
    batcher = ProcessBatcher(process, log)
    try:
        with pytest.raises(ScreeningStarting, match="building the party state"):
            asyncio.run(batcher.screen(payment, "svc", "127.0.0.1"))
        deadline = time.monotonic() + 120
        while not process.ready(wait=0.5) and time.monotonic() < deadline:
            pass
        decided = asyncio.run(batcher.screen(payment, "svc", "127.0.0.1"))
        assert decided["txn_id"] == payment["txn_id"]
    finally:
        batcher.close()
        log.close()


@pytest.fixture()
def process_client(workspace: Path) -> Iterator[TestClient]:  # noqa: F811
    store = open_store(workspace)
    app = create_app(workspace, settings=WebSettings(
        secure_cookies=False, screening=ScreeningSettings(process=True)), store=store)
    with TestClient(app) as client:
        yield client
    assert app.state.screening.current is None  # the server's shutdown stopped the process
    store.close()


def _screened(client: TestClient, row: dict[str, Any]) -> tuple[Any, list[Any]]:
    """POST ``row`` until the screening process has started: the answer, and the 503s before."""
    starting = []
    deadline = time.monotonic() + 120
    while True:
        answer = client.post("/api/v1/screen", json=row, headers=bearer("sam"))
        if answer.status_code != 503 or time.monotonic() > deadline:
            return answer, starting
        starting.append(answer)
        time.sleep(0.2)


def test_the_server_screens_in_its_screening_process(process_client: TestClient,
                                                     workspace: Path) -> None:  # noqa: F811
    rows = offender()[:3]
    first, starting = _screened(process_client, rows[0])
    assert first.status_code == 200, first.text
    # the process was building its state: told to retry, the rest of the app still answers
    assert starting and all(a.headers["Retry-After"] == "5" for a in starting)
    assert "screening is starting" in starting[0].json()["detail"]
    batcher = process_client.app.state.screening.current  # type: ignore[attr-defined]
    assert isinstance(batcher, ProcessBatcher)
    assert process_client.app.state.screening.screener is None  # type: ignore[attr-defined]
    bad = process_client.post("/api/v1/screen", json={**rows[1], "currency": "XXX"},
                              headers=bearer("sam"))
    assert bad.status_code == 422 and "currency" in bad.json()["detail"]

    pid = batcher.process.pid
    os.kill(pid, signal.SIGKILL)
    _wait_until_stopped(batcher.process)
    again, _ = _screened(process_client, rows[2])
    assert again.status_code == 200, again.text  # a new screening process
    restarted = process_client.app.state.screening.current  # type: ignore[attr-defined]
    assert restarted.process.pid not in (None, pid)
    assert [e["txn_id"] for e in read_log(workspace / "screening.jsonl")] == ["o-0", "o-2"]
    health = process_client.get("/api/v1/screen/health", headers=bearer("sam")).json()
    assert (health["mode"], health["state"], health["restarts"]) == ("process", "ready", 1)
    assert health["pid"] == restarted.process.pid and health["payers"] > 0

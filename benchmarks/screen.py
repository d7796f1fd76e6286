"""Benchmark real-time screening: POST /api/v1/screen served by uvicorn on 127.0.0.1, driven by
an open-loop async load generator (httpx) at a fixed rate, bounded in count and in time.

Usage: python benchmarks/screen.py [--scale 0.05] [--rate 1000] [--count 10000] [--seconds 20]
Builds a world, ingests and scans its first part (the state the server starts from), then
screens the rest: first in-process (the scoring path alone), then over HTTP. Prints p50, p99,
max and throughput. The load generator runs on the same 2 cores as the server and competes
with it (and with anything else running): the figures include that contention.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd

WORKERS = 32  # concurrent senders (and connections)
SERVER = """
import sys, uvicorn
from pathlib import Path
from dentrace.screen import screener_from_workspace
from dentrace.web import WebSettings, create_app
ws = Path(sys.argv[1])
app = create_app(ws, settings=WebSettings())
app.state.screener = screener_from_workspace(ws)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning",
            access_log=False)
"""


def _prepare(folder: Path, scale: float, seed: int, init_share: float) -> tuple[Path, list]:
    from dentrace.detect import scan
    from dentrace.ingest import ingest
    from dentrace.synth import generate_world

    world = folder / "world"
    generate_world(world, seed=seed, scale=scale, fmt="csv")
    frames = [pd.read_csv(f, dtype=str, keep_default_na=False)
              for f in sorted((world / "transactions").glob("*.csv"))]
    payments = pd.concat(frames).sort_values(
        "ts", key=lambda ts: pd.to_datetime(ts, utc=True), kind="stable")
    cut = int(len(payments) * init_share)
    payments.iloc[:cut].to_csv(folder / "first.csv", index=False)
    known = world / "known.csv"
    ingest(folder / "ws", transactions=folder / "first.csv", customers=world / "customers.csv",
           known=known if known.exists() else None, quiet=True)
    scan(folder / "ws")
    rest = payments.iloc[cut:].replace({"": None}).to_dict("records")
    return folder / "ws", [{k: v for k, v in r.items() if v is not None} for r in rest]


def _token(workspace: Path) -> str:
    from dentrace.auth import add_user_with_random_password, issue_token
    from dentrace.store.sql import open_store

    with open_store(workspace) as store:
        account, _ = add_user_with_random_password(store, "screening-bench", "supervisor")
        return issue_token(store, account)


def _in_process(workspace: Path, payments: list[dict[str, Any]]) -> None:
    from dentrace.screen import contract_payment, screener_from_workspace

    started = time.perf_counter()
    screener = screener_from_workspace(workspace)
    print(f"state built from the scan in {time.perf_counter() - started:.1f} s: "
          f"{screener.state.payments:,} payments, {len(screener.state.payers):,} payers, "
          f"{len(screener.state.beneficiaries):,} beneficiaries")
    times = []
    for row in payments:
        start = time.perf_counter()
        screener.screen(contract_payment(row))
        times.append(time.perf_counter() - start)
    _report("in-process scoring path (parse, state, features, 2 scores, reasons)",
            np.array(times), len(times), sum(times))


def _report(label: str, seconds: np.ndarray, done: int, elapsed: float) -> None:
    if seconds.size == 0:
        print(f"{label}: no answers")
        return
    ms = seconds * 1000
    print(f"{label}: n={done} p50 {np.median(ms):.2f} ms, p99 {np.quantile(ms, 0.99):.2f} ms, "
          f"max {ms.max():.1f} ms, throughput {done / elapsed:,.0f}/s")


async def _drive(port: int, token: str, payments: list[dict[str, Any]], rate: float,
                 seconds: float) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=WORKERS, max_keepalive_connections=WORKERS)
    latency: list[float] = []
    behind: list[float] = []
    errors: dict[int | str, int] = {}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits,
                                 timeout=5.0) as client:
        start = time.perf_counter()
        n = min(len(payments), int(rate * seconds))
        queue = iter(range(n))

        async def worker() -> None:
            # a fixed pool of senders, each taking the next payment when it falls due: the
            # offered rate is fixed, concurrency is bounded, a slow server shows as lag
            for i in queue:
                due = start + i / rate
                if time.perf_counter() > start + seconds + 5:
                    return  # bounded in time: stop sending, let answers in flight arrive
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                sent = time.perf_counter()
                try:
                    answer = await client.post("/api/v1/screen", json=payments[i],
                                               headers=headers)
                    status: int | str = answer.status_code
                except httpx.HTTPError as error:
                    status = type(error).__name__
                done = time.perf_counter()
                if status == 200:
                    latency.append(done - sent)
                    behind.append(done - due)
                else:
                    errors[status] = errors.get(status, 0) + 1

        tasks = [asyncio.create_task(worker()) for _ in range(WORKERS)]
        _, pending = await asyncio.wait(tasks, timeout=seconds + 15)
        for task in pending:  # bounded in time: payments not sent by then are not counted
            task.cancel()
        elapsed = time.perf_counter() - start
        sent_count = len(latency) + sum(errors.values())
        if sent_count < n:
            errors["not sent in time"] = n - sent_count
    _report(f"HTTP at {rate:g}/s offered, from send", np.array(latency), len(latency), elapsed)
    _report("HTTP, from the scheduled send time (includes generator lag)", np.array(behind),
            len(behind), elapsed)
    print(f"errors: {errors or 'none'}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(workspace: Path, port: int, token: str) -> subprocess.Popen[bytes]:
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(workspace), str(port)])
    probe = {"Authorization": f"Bearer {token}"}
    for _ in range(600):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/auth/me", headers=probe).is_success:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    server.kill()
    raise SystemExit("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--init-share", type=float, default=0.8)
    parser.add_argument("--in-process", type=int, default=3000)
    args = parser.parse_args()
    print(f"cores {os.cpu_count()}, load average before {os.getloadavg()}")
    with tempfile.TemporaryDirectory(prefix="dentrace-screen-bench-") as tmp:
        workspace, payments = _prepare(Path(tmp), args.scale, args.seed, args.init_share)
        print(f"world scale {args.scale}: {len(payments):,} payments left to screen")
        token = _token(workspace)
        _in_process(workspace, payments[:args.in_process])
        port = _free_port()
        server = _serve(workspace, port, token)
        try:
            asyncio.run(_drive(port, token, payments[:args.count], args.rate, args.seconds))
        finally:
            server.terminate()
            server.wait(timeout=30)
        lines = (workspace / "screening.jsonl").read_text(encoding="utf-8").splitlines()
        print(f"screening log: {len(lines):,} records, last {json.loads(lines[-1])['decision']}")
    print(f"load average after {os.getloadavg()}")


if __name__ == "__main__":
    main()

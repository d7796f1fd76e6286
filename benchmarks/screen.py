"""Benchmark real-time screening: POST /api/v1/screen served by uvicorn on 127.0.0.1, driven by an
open-loop load generator at a fixed rate, in its own process, measuring from the send time due.

Usage: python benchmarks/screen.py [--scale 0.05] [--rate 1000] [--seconds 10] [--connections 16]
       [--history WORKSPACE --next-day DAY.parquet] [--screening process|loop]
Builds a world, ingests and scans its first 80% (the state the server starts from), then screens
the rest: in-process first (the scoring path alone, one payment at a time and in batches), then
over HTTP: uvicorn (uvloop and httptools when installed) in one process, screening in a child
process of it as `dentrace serve` does (--screening loop: in the server's event loop), the
generator (raw asyncio streams, pre-built HTTP/1.1 keep-alive requests over a few connections)
in another. Prints p50, p99, max and throughput, the CPU seconds of server, screening process
and generator, and the load average: the processes share the machine's cores with each other
and anything else running.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

SERVER = """
import contextlib, signal, sys, uvicorn
from pathlib import Path
from dentrace.screen.settings import ScreeningSettings
from dentrace.web import WebSettings, create_app
ws, port = Path(sys.argv[1]), int(sys.argv[2])
loop, http, mode = sys.argv[3:6]
screening = ScreeningSettings.from_environment(process=mode == "process")
app = create_app(ws, settings=WebSettings(screening=screening))
app.state.screening.warm()
batcher = app.state.screening.current
server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                       access_log=False, loop=loop, http=http))
# stop on SIGTERM and return here (uvicorn's own handler re-raises the signal at the end)
server.capture_signals = contextlib.nullcontext
signal.signal(signal.SIGTERM, lambda *_: setattr(server, "should_exit", True))
server.run()
print(f"server: {batcher.screened:,} payments screened in {batcher.batches:,} micro-batches "
      f"(mean {batcher.screened / max(batcher.batches, 1):.2f})", flush=True)
"""
WARM_UP = 500  # payments sent at a low rate before measuring (first calls are slow)


def _prepare(folder: Path, scale: float, seed: int, init_share: float) -> tuple[Path, list]:
    from dentrace.detect import scan
    from dentrace.ingest import ingest
    from dentrace.synth import generate_world
    from dentrace.writing.csvsafe import write_csv

    world = folder / "world"
    generate_world(world, seed=seed, scale=scale, fmt="csv")
    frames = [pd.read_csv(f, dtype=str, keep_default_na=False)
              for f in sorted((world / "transactions").glob("*.csv"))]
    payments = pd.concat(frames).sort_values(
        "ts", key=lambda ts: pd.to_datetime(ts, utc=True), kind="stable")
    cut = int(len(payments) * init_share)
    write_csv(folder / "first.csv", list(payments.columns),  # the project's one CSV writer
              payments.iloc[:cut].itertuples(index=False))
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
        name = f"screening-bench-{os.getpid()}-{int(time.time())}"  # a kept workspace: new user
        account, _ = add_user_with_random_password(store, name, "supervisor")
        return issue_token(store, account)


def _quantiles(ms: np.ndarray) -> str:
    if ms.size == 0:
        return "no answers"
    return (f"p50 {np.median(ms):.2f} ms, p99 {np.quantile(ms, 0.99):.2f} ms, "
            f"max {ms.max():.1f} ms")


def _in_process(workspace: Path, payments: list[dict[str, Any]], batch: int) -> None:
    """The scoring path alone: one payment at a time, then in batches of ``batch``."""
    from dentrace.screen import contract_payment, screener_from_workspace

    parsed = [contract_payment(row) for row in payments]
    for size in (1, batch):
        started = time.perf_counter()
        screener = screener_from_workspace(workspace)
        if size == 1:
            print(f"state built from the scan in {time.perf_counter() - started:.1f} s: "
                  f"{screener.state.payments:,} payments, {len(screener.state.payers):,} "
                  f"payers, {len(screener.state.beneficiaries):,} beneficiaries")
        gc.collect()
        gc.freeze()  # as the server does once the state is built
        times, cpu = [], time.process_time()
        for i in range(0, len(parsed), size):
            start = time.perf_counter()
            screener.screen_many(parsed[i:i + size])
            times.append(time.perf_counter() - start)
        cpu = time.process_time() - cpu
        print(f"in-process, batches of {size}: {len(parsed)} payments, per batch "
              f"{_quantiles(np.array(times) * 1000)}; CPU {cpu * 1000 / len(parsed):.3f} ms "
              f"per payment ({len(parsed) / cpu:,.0f}/s on one core)")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _screening_children(pid: int) -> list[int]:
    """The screening process of server ``pid``, if it has one (not the resource tracker)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.append(int(child))
    return found


# --- load generator (runs in its own process: `screen.py --generate CONFIG`) -----------------

async def _open(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.transport.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP,
                                                          socket.TCP_NODELAY, 1)
    return reader, writer


async def _exchange(connection: tuple[asyncio.StreamReader, asyncio.StreamWriter],
                    request: bytes) -> int:
    """Send one pre-built request, read the whole answer; its status."""
    reader, writer = connection
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    await reader.readexactly(length)
    return int(head[9:12])


async def _generate(config: dict[str, Any]) -> dict[str, Any]:
    """Open-loop: request i is due at start + i / rate whatever the answers do; latency is
    measured from that due time (lateness of the generator or of a free connection counts)."""
    port, rate = config["port"], float(config["rate"])
    requests = [r.encode() for r in json.loads(Path(config["requests"]).read_text())]
    idle: asyncio.Queue = asyncio.Queue()
    for _ in range(config["connections"]):
        idle.put_nowait(await _open(port))
    from_due: list[float] = []
    due_at: list[float] = []  # seconds into the run each answered request was due
    from_send: list[float] = []
    errors: dict[str, int] = {}

    async def one(request: bytes, due: float) -> None:
        connection = await idle.get()
        sent = time.perf_counter()
        try:
            status = await _exchange(connection, request)
        except (OSError, asyncio.IncompleteReadError, ValueError) as error:
            errors[type(error).__name__] = errors.get(type(error).__name__, 0) + 1
            idle.put_nowait(await _open(port))
            return
        done = time.perf_counter()
        idle.put_nowait(connection)
        if status == 200:
            from_due.append(done - due)
            due_at.append(due - start)
            from_send.append(done - sent)
        else:
            errors[str(status)] = errors.get(str(status), 0) + 1

    cpu = resource.getrusage(resource.RUSAGE_SELF)
    tasks = set()
    start = time.perf_counter() + 0.05
    for i, request in enumerate(requests):
        due = start + i / rate
        wait = due - time.perf_counter()
        if wait > 0:
            await asyncio.sleep(wait)
        task = asyncio.create_task(one(request, due))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.wait(tasks, timeout=30)
    elapsed = time.perf_counter() - start
    used = resource.getrusage(resource.RUSAGE_SELF)
    return {"from_due": from_due, "due_at": due_at, "from_send": from_send, "errors": errors,
            "elapsed": elapsed, "unanswered": len(tasks), "cpu": used.ru_utime + used.ru_stime
            - cpu.ru_utime - cpu.ru_stime}


def _generator_main(config_file: str) -> None:
    config = json.loads(Path(config_file).read_text())
    try:
        import uvloop

        run = uvloop.run
    except ImportError:
        run = asyncio.run
    result = run(_generate(config))
    # a file, not stdout: the event loop may leave stdout non-blocking, cutting long writes
    Path(config["out"]).write_text(json.dumps(result))


# --- the HTTP run ----------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _child_env() -> dict[str, str]:
    """The environment of the child processes: the same dentrace as this process."""
    import dentrace

    source = str(Path(dentrace.__file__).resolve().parents[1])
    return {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (source, os.environ.get("PYTHONPATH")) if p)}


def _server_stack() -> tuple[str, str]:
    found = []
    for name, fallback in (("uvloop", "asyncio"), ("httptools", "h11")):
        try:
            __import__(name)
            found.append(name)
        except ImportError:
            found.append(fallback)
    return found[0], found[1]


def _serve(workspace: Path, port: int, token: str, mode: str) -> subprocess.Popen[bytes]:
    loop, http = _server_stack()
    where = ("the screener in a child process" if mode == "process"
             else "screening in the server's event loop")
    print(f"server: uvicorn, loop {loop}, http {http}; {where}")
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(workspace), str(port), loop,
                               http, mode], env=_child_env())
    return _until_ready(server, port, token)


def _until_ready(server: subprocess.Popen[bytes], port: int, token: str) -> subprocess.Popen[bytes]:
    """``server`` once it answers an authenticated request on ``port`` (killed if it never does)."""
    request = (f"GET /api/v1/auth/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}"
               "\r\nConnection: close\r\n\r\n").encode()
    for _ in range(1200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(request)
                if sock.recv(64).startswith(b"HTTP/1.1 200"):
                    return server
        except OSError:
            pass
        if server.poll() is not None:
            break
        time.sleep(0.5)
    server.kill()
    raise SystemExit("the server did not start")

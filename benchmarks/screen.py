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

import argparse
import asyncio
import gc
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
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


def _requests_file(folder: Path, name: str, token: str, payments: list[dict[str, Any]]) -> Path:
    """The pre-built HTTP/1.1 requests, as a JSON list of strings."""
    lines = []
    for payment in payments:
        body = json.dumps(payment, separators=(",", ":"))
        head = (f"POST /api/v1/screen HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body.encode())}\r\n\r\n")
        lines.append(head + body)
    path = folder / name
    path.write_text(json.dumps(lines))
    return path


def _drive(folder: Path, port: int, requests: Path, rate: float, connections: int) -> dict:
    config = folder / f"{requests.stem}.json"
    out = folder / f"{requests.stem}-result.json"
    config.write_text(json.dumps({"port": port, "rate": rate, "requests": str(requests),
                                  "connections": connections, "out": str(out)}))
    subprocess.run([sys.executable, __file__, "--generate", str(config)], env=_child_env(),
                   check=True)
    return dict(json.loads(out.read_text()))


def _http(folder: Path, workspace: Path, token: str, payments: list[dict[str, Any]],
          args: argparse.Namespace) -> None:
    count = min(len(payments) - WARM_UP, int(args.rate * args.seconds))
    warm = _requests_file(folder, "warm.txt", token, payments[:WARM_UP])
    measured = _requests_file(folder, "measured.txt", token,
                              payments[WARM_UP:WARM_UP + count])
    port = _free_port()
    server = _serve(workspace, port, token, args.screening)
    try:
        _drive(folder, port, warm, 200.0, args.connections)
        print(f"load average before {_load()}")
        pids = [server.pid, *_screening_children(server.pid)]
        cpu = [_cpu_seconds(pid) for pid in pids]
        result = _drive(folder, port, measured, args.rate, args.connections)
        cpu = [_cpu_seconds(pid) - before for pid, before in zip(pids, cpu, strict=True)]
        print(f"load average after {_load()}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    answered = len(result["from_due"])
    print(f"HTTP, {args.rate:g}/s offered for {count / args.rate:.1f} s ({count:,} payments, "
          f"{args.connections} keep-alive connections): {answered:,} answered 200 in "
          f"{result['elapsed']:.1f} s = {answered / result['elapsed']:,.0f}/s")
    print(f"  latency from the send time due: {_quantiles(np.array(result['from_due']) * 1e3)}")
    print(f"  p99 by second of the run (ms): {_by_second(result)}")
    print(f"  latency from the actual send:   {_quantiles(np.array(result['from_send']) * 1e3)}")
    print(f"  errors: {result['errors'] or 'none'}; unanswered: {result['unanswered']}")
    names = ["server", *["its screening process"] * (len(cpu) - 1)]
    used = "; ".join(f"{name} {c:.2f} ({c * 1000 / max(answered, 1):.3f} ms per payment, "
                     f"{c / result['elapsed']:.2f} of a core)"
                     for name, c in zip(names, cpu, strict=True))
    print(f"  CPU seconds: {used}; generator {result['cpu']:.2f}, over "
          f"{result['elapsed']:.1f} s")


def _by_second(result: dict[str, Any]) -> str:
    """The p99 of each second's requests (by due time): a burst shows as one bad second."""
    due, latency = np.array(result["due_at"]), np.array(result["from_due"]) * 1e3
    if due.size == 0:
        return "no answers"
    second = due.astype(int)
    return " ".join(f"{np.quantile(latency[second == s], 0.99):.1f}"
                    for s in range(int(second.max()) + 1) if (second == s).any())


def _load() -> str:
    return ", ".join(f"{v:.2f}" for v in os.getloadavg())


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--generate":
        _generator_main(sys.argv[2])
        return
    parser = argparse.ArgumentParser(description=" ".join((__doc__ or "").splitlines()[:2]))
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--init-share", type=float, default=0.8)
    parser.add_argument("--in-process", type=int, default=2000,
                        help="payments screened in-process (0: skip)")
    parser.add_argument("--batch", type=int, default=8, help="in-process batch size")
    parser.add_argument("--screening", choices=("process", "loop"), default="process",
                        help="the server screens in a child process (as `dentrace serve`) "
                             "or in its own event loop")
    parser.add_argument("--workspace", type=Path,
                        help="reuse a prepared folder (made by an earlier run with --keep)")
    parser.add_argument("--keep", type=Path, help="prepare into this folder and keep it")
    parser.add_argument("--history", type=Path,
                        help="screen on this scanned workspace (e.g. a benchmarks/scale.py "
                             "history with its party state store) instead of a new world")
    parser.add_argument("--next-day", type=Path,
                        help="with --history: payments (Parquet or CSV, contract columns) "
                             "screened one day later, with new ids")
    args = parser.parse_args()
    print(f"cores {os.cpu_count()}, load average at start {_load()}")
    with tempfile.TemporaryDirectory(prefix="dentrace-screen-bench-") as tmp:
        folder = Path(tmp)
        workspace, payments = _prepared(folder, args)
        where = args.history or f"world scale {args.scale}"
        print(f"{where}: {len(payments):,} payments left to screen")
        token = _token(workspace)
        if args.in_process:
            _in_process(workspace, payments[:args.in_process], args.batch)
        _http(folder, workspace, token, payments[args.in_process:], args)
        lines = (workspace / "screening.jsonl").read_text(encoding="utf-8").splitlines()
        print(f"screening log: {len(lines):,} records, last {json.loads(lines[-1])['decision']}")


def _next_day(day_file: Path, count: int) -> list[dict[str, Any]]:
    """The first ``count`` payments of ``day_file`` (contract columns, Parquet or CSV), one day
    later and with new ids: the next day of the parties of a scanned history."""
    from dentrace.screen.payment import OPTIONAL, REQUIRED

    day = (pd.read_parquet(day_file) if day_file.suffix == ".parquet"
           else pd.read_csv(day_file, dtype=str, keep_default_na=False))
    ts = pd.to_datetime(day["ts"], utc=True, format="ISO8601")
    day = day.assign(_ts=ts).sort_values("_ts", kind="stable").head(count)
    day["ts"] = (day["_ts"] + pd.Timedelta(days=1)).dt.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    day["txn_id"] = "next-" + day["txn_id"].astype(str)
    columns = [c for c in (*REQUIRED, *OPTIONAL) if c in day.columns]
    return [{k: None if v is None or v != v or v == "" else str(v) for k, v in row.items()}
            for row in day[columns].to_dict("records")]


def _prepared(folder: Path, args: argparse.Namespace) -> tuple[Path, list[dict[str, Any]]]:
    """A fresh world and scan, a kept one (--workspace: its screening log is reset), or a
    scanned history with the next day's payments (--history, --next-day)."""
    if args.history is not None:
        if args.next_day is None:
            raise SystemExit("--history needs --next-day")
        (args.history / "screening.jsonl").unlink(missing_ok=True)
        needed = args.in_process + WARM_UP + int(args.rate * args.seconds)
        return args.history, _next_day(args.next_day, needed)
    if args.workspace is not None:
        kept = Path(args.workspace)
        (kept / "ws" / "screening.jsonl").unlink(missing_ok=True)
        return kept / "ws", json.loads((kept / "payments.json").read_text())
    target = args.keep or folder
    if (target / "ws").exists():  # ingesting again would add a second world to the first
        raise SystemExit(f"{target / 'ws'} exists: reuse it with --workspace {target}, "
                         "or remove it")
    workspace, payments = _prepare(target, args.scale, args.seed, args.init_share)
    (target / "payments.json").write_text(json.dumps(payments))
    return workspace, payments


if __name__ == "__main__":
    main()

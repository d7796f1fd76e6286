"""Soak real-time screening: `dentrace serve` (screening process on) at a steady open-loop rate
with a share of large memos and bursts of concurrent requests, on 127.0.0.1 only.

Usage: python benchmarks/soak.py [--rate 2000] [--seconds 60] [--big-share 0.01]
       [--big-memo 500000] [--burst 500] [--burst-every 10] [--workspace DIR | --keep DIR]
Prepares a world as benchmarks/screen.py does (or reuses one it kept), starts
`dentrace serve --warm-screening --no-access-log`, warms it up, then offers `--rate` payments/s
for `--seconds` s over keep-alive connections (every 1/`--big-share`-th with a memo of
`--big-memo` characters) and every `--burst-every` s `--burst` requests at once on as many new
connections. Passes when the screening process keeps its pid and every answer is 200 or an
overload (429/503) with Retry-After; prints the answers by status, the p50/p99 of the 200s
and the load average. Bounded: at most rate x seconds + bursts requests, each given
`REQUEST_TIMEOUT` s, the run cut `GRACE` s after its last due time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

_spec = importlib.util.spec_from_file_location("screen_bench",
                                               Path(__file__).with_name("screen.py"))
assert _spec is not None and _spec.loader is not None
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)  # world, token, ports, CPU and load helpers of screen.py

HOST = "127.0.0.1"  # the soak never leaves this machine
REQUEST_TIMEOUT = 30.0  # seconds one request may take before it counts as unanswered
# a connection idle this long is not used again: uvicorn closes idle ones after 5 s, and a
# request written as it does so would count as the server's failure
IDLE_REUSE = 4.0
GRACE = 60.0  # seconds after the last due time before the run is cut
LIMITS = {"rate": 5000.0, "seconds": 600.0, "burst": 1000, "big_memo": 1 << 20,
          "connections": 2000}
OVERLOAD = (429, 503)
Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


# --- requests --------------------------------------------------------------------------------

class Payments:
    """Request *i*: the world's payments to screen, cycled with new ids, each cycle moved later
    by the span of the payments so the parties see time go forward; every ``big_every``-th
    with a large memo."""

    def __init__(self, rows: list[dict[str, Any]], token: str, big_every: int,
                 big_memo: int) -> None:
        self.rows, self.token, self.big_every = rows, token, big_every
        times = [datetime.fromisoformat(r["ts"]) for r in rows]
        self.times = times
        self.span = max(times) - min(times) + timedelta(days=1)
        self.memo = ("for school " * (big_memo // 11 + 1))[:big_memo]

    def big(self, i: int) -> bool:
        return self.big_every > 0 and i % self.big_every == self.big_every - 1

    def request(self, i: int, prefix: str) -> bytes:
        cycle, k = divmod(i, len(self.rows))
        row = {**self.rows[k], "txn_id": f"{prefix}{i}",
               "ts": (self.times[k] + cycle * self.span).isoformat()}
        if self.big(i):
            row["memo"] = self.memo
        body = json.dumps(row, separators=(",", ":")).encode()
        head = (f"POST /api/v1/screen HTTP/1.1\r\nHost: {HOST}\r\n"
                f"Authorization: Bearer {self.token}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        return head + body


async def _exchange(connection: tuple[asyncio.StreamReader, asyncio.StreamWriter],
                    request: bytes) -> tuple[int, str | None, bytes]:
    """Send one request, read the whole answer: its status, Retry-After and body."""
    reader, writer = connection
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    length, retry = 0, None
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
        elif name.strip().lower() == b"retry-after":
            retry = value.strip().decode("latin-1")
    return int(head[9:12]), retry, await reader.readexactly(length)


# --- load generator (its own process: `soak.py --generate CONFIG`) ----------------------------

class Soak:
    """The open-loop stream and the bursts; one record per request: (kind, big memo, status
    or error name, Retry-After, seconds from due, body when neither 200 nor overload, seconds
    from the send)."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        rows = json.loads(Path(config["payments"]).read_text())
        big_every = round(1 / config["big_share"]) if config["big_share"] > 0 else 0
        self.payments = Payments(rows, config["token"], big_every, config["big_memo"])
        self.records: list[tuple[str, bool, str, str | None, float, str, float]] = []
        self.late: list[float] = []  # seconds each stream request waited for a connection
        self.opened = 0  # stream connections open
        self.retried = 0  # requests sent again: the server had closed the idle connection
        # (connection, when it became idle)
        self.idle: asyncio.Queue[tuple[tuple[asyncio.StreamReader, asyncio.StreamWriter],
                                       float]] = asyncio.Queue()

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        reader, writer = await bench._open(self.config["port"])
        return reader, writer

    async def _one(self, kind: str, request: bytes, big: bool, due: float,
                   connection: tuple[asyncio.StreamReader, asyncio.StreamWriter],
                   reused: bool = False) -> Connection | None:
        """One request on ``connection``; the connection to use again (None: none). On a
        kept-alive connection the server closed before reading the request (no byte of an
        answer), sent again once on a new one, as HTTP clients do."""
        sent = time.perf_counter()
        try:
            status, retry, body = await asyncio.wait_for(_exchange(connection, request),
                                                         REQUEST_TIMEOUT)
        except (ConnectionResetError, asyncio.IncompleteReadError) as error:
            connection[1].close()
            stale = not isinstance(error, asyncio.IncompleteReadError) or not error.partial
            if reused and stale:
                self.retried += 1
                with contextlib.suppress(OSError):  # else counted below
                    return await self._one(kind, request, big, due, await self._open())
            now = time.perf_counter()
            self.records.append((kind, big, type(error).__name__, None, now - due, "",
                                 now - sent))
            return None
        except (TimeoutError, OSError, asyncio.LimitOverrunError, ValueError,
                RuntimeError) as error:
            now = time.perf_counter()
            self.records.append((kind, big, type(error).__name__, None, now - due, "",
                                 now - sent))
            connection[1].close()
            return None
        shown = "" if status == 200 or (status in OVERLOAD and retry) else body[:300].decode(
            "utf-8", "replace")
        now = time.perf_counter()
        self.records.append((kind, big, str(status), retry, now - due, shown, now - sent))
        return connection

    async def stream(self, i: int, due: float) -> None:
        """Request *i* on an idle connection, or a new one while fewer than ``connections``
        are open: the server, not the generator, holds what it cannot answer yet."""
        try:
            connection = await self._connection()
        except OSError as error:
            self.records.append(("stream", self.payments.big(i), type(error).__name__, None,
                                 time.perf_counter() - due, str(error), 0.0))
            return
        self.late.append(time.perf_counter() - due)
        request = self.payments.request(i, "soak-")
        kept = await self._one("stream", request, self.payments.big(i), due, connection,
                               reused=True)
        if kept is not None:
            self.idle.put_nowait((kept, time.perf_counter()))
        else:
            self.opened -= 1

    async def _connection(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.idle.empty() and self.opened < self.config["connections"]:
            self.opened += 1
        else:
            connection, since = await self.idle.get()
            if time.perf_counter() - since <= IDLE_REUSE:
                return connection
            connection[1].close()
        try:
            return await self._open()
        except OSError:
            self.opened -= 1
            raise

    async def burst(self, number: int) -> None:
        """``burst`` requests at once, each on a new connection (due when they are open)."""
        size = self.config["burst"]
        opened = await asyncio.gather(*(self._open() for _ in range(size)),
                                      return_exceptions=True)
        connections = [c for c in opened if not isinstance(c, BaseException)]
        for error in (c for c in opened if isinstance(c, BaseException)):
            self.records.append(("burst", False, type(error).__name__, None, 0.0, str(error),
                                 0.0))
        due = time.perf_counter()
        first = number * size
        await asyncio.gather(*(
            self._one("burst", self.payments.request(first + k, f"burst{number}-"),
                      self.payments.big(first + k), due, c)
            for k, c in enumerate(connections)))
        for _, writer in connections:
            writer.close()

    async def run(self) -> dict[str, Any]:
        rate, count = float(self.config["rate"]), int(self.config["count"])
        every = self.config["burst_every"]
        for _ in range(16):  # more are opened as the load needs them
            self.idle.put_nowait((await self._open(), time.perf_counter()))
        self.opened = 16
        tasks: set[asyncio.Task[None]] = set()
        cpu = time.process_time()
        start = time.perf_counter() + 0.05
        bursts = 0
        for i in range(count):
            due = start + i / rate
            wait = due - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            coroutines = [self.stream(i, due)]
            if self.config["burst"] and every > 0 and due - start >= (bursts + 1) * every:
                coroutines.append(self.burst(bursts))
                bursts += 1
            for coroutine in coroutines:
                task = asyncio.create_task(coroutine)
                tasks.add(task)
                task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.wait(tasks, timeout=GRACE)
        return {"records": self.records, "elapsed": time.perf_counter() - start,
                "unfinished": len(tasks), "bursts": bursts, "late": self.late,
                "cpu": time.process_time() - cpu, "connections": self.opened,
                "retried": self.retried}


def _generator_main(config_file: str) -> None:
    config = json.loads(Path(config_file).read_text())
    run: Any
    try:
        import uvloop

        run = uvloop.run
    except ImportError:
        run = asyncio.run
    result = run(Soak(config).run())
    Path(config["out"]).write_text(json.dumps(result))


# --- the run ---------------------------------------------------------------------------------

def _serve(workspace: Path, port: int, token: str) -> subprocess.Popen[bytes]:
    """`dentrace serve` as deployed (screening process, state built before the port opens)."""
    server = subprocess.Popen(
        [sys.executable, "-m", "dentrace", "serve", "--workspace", str(workspace), "--host",
         HOST, "--port", str(port), "--warm-screening", "--no-access-log"],
        env=bench._child_env())
    return bench._until_ready(server, port, token)


def _screening_pid(server: subprocess.Popen[bytes]) -> int | None:
    found = bench._screening_children(server.pid) if server.poll() is None else []
    return found[0] if len(found) == 1 else None


def _rss_mib(pid: int | None) -> str:
    if pid is None or not Path(f"/proc/{pid}/status").exists():
        return "-"
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return f"{int(line.split()[1]) / 1024:,.0f} MiB"
    return "-"


def _soak(folder: Path, port: int, config: dict[str, Any]) -> dict[str, Any]:
    path, out = folder / "soak.json", folder / "soak-result.json"
    path.write_text(json.dumps({**config, "port": port, "out": str(out)}))
    subprocess.run([sys.executable, __file__, "--generate", str(path)], env=bench._child_env(),
                   check=True, timeout=config["count"] / config["rate"] + 3 * GRACE)
    return dict(json.loads(out.read_text()))


def _report(result: dict[str, Any], config: dict[str, Any]) -> bool:
    """Print the figures; True when every answer was 200 or an overload with Retry-After."""
    records = result["records"]
    bursts = [r for r in records if r[0] == "burst"]
    print(f"offered: {config['count']:,} at {config['rate']:g}/s "
          f"({sum(1 for r in records if r[0] == 'stream' and r[1]):,} with a "
          f"{config['big_memo']:,}-character memo) + {result['bursts']} bursts of "
          f"{config['burst']} = {len(bursts):,}; answered over {result['elapsed']:.1f} s, "
          f"{result['unfinished']} still running at the cut")
    by_status: dict[str, int] = {}
    wrong = []
    for kind, _, status, retry, _, shown, _ in records:
        overload = status in {str(s) for s in OVERLOAD} and retry is not None
        key = f"{status} with Retry-After {retry}" if overload else status
        by_status[key] = by_status.get(key, 0) + 1
        if status != "200" and not overload:
            wrong.append((kind, status, shown))
    print("answered by status: " + ", ".join(f"{k}: {v:,}" for k, v in sorted(by_status.items())))
    print(f"neither 200 nor 429/503 with Retry-After: {len(wrong)}; not answered by the cut: "
          f"{result['unfinished']}"
          + "".join(f"\n  {kind} {status} {shown}" for kind, status, shown in wrong[:5]))
    for name, chosen in (("stream, from due", [r for r in records if r[0] == "stream"]),
                         ("bursts, from their start", bursts),
                         ("large memos, from due", [r for r in records if r[1]])):
        ok = np.array([r[4] for r in chosen if r[2] == "200"]) * 1000
        print(f"200s, {name}: {ok.size:,} of {len(chosen):,}; {bench._quantiles(ok)}")
        if name.startswith("stream"):
            sent = np.array([r[6] for r in chosen if r[2] == "200"]) * 1000
            print(f"200s, stream, from the send: {bench._quantiles(sent)}")
    late = bench._quantiles(np.array(result["late"]) * 1000)
    print(f"generator: {result['connections']} stream connections at the end; waited for a "
          f"free one {late}; {result['retried']} sent again on a new connection (the server "
          f"had closed the idle one); CPU {result['cpu']:.1f} s")
    return not wrong and result["unfinished"] == 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=" ".join((__doc__ or "").splitlines()[:2]))
    parser.add_argument("--rate", type=float, default=2000.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--big-share", type=float, default=0.01)
    parser.add_argument("--big-memo", type=int, default=500_000, help="characters")
    parser.add_argument("--burst", type=int, default=500)
    parser.add_argument("--burst-every", type=float, default=10.0, help="seconds")
    parser.add_argument("--connections", type=int, default=1000,
                        help="at most this many stream connections (opened as needed)")
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workspace", type=Path,
                        help="reuse a folder prepared by benchmarks/screen.py or this (--keep)")
    parser.add_argument("--keep", type=Path, help="prepare into this folder and keep it")
    args = parser.parse_args()
    for name, limit in LIMITS.items():
        if getattr(args, name) > limit:
            parser.error(f"--{name.replace('_', '-')} is at most {limit:g}")
    # what screen.py's preparation reads
    args.history = args.next_day = None
    args.init_share, args.in_process = 0.8, 0
    return args


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--generate":
        _generator_main(sys.argv[2])
        return
    args = _arguments()
    print(f"cores {os.cpu_count()}, load average at start {bench._load()}")
    with tempfile.TemporaryDirectory(prefix="dentrace-soak-") as tmp:
        folder = Path(tmp)
        workspace, payments = bench._prepared(folder, args)
        token = bench._token(workspace)
        warm, rest = payments[:bench.WARM_UP], payments[bench.WARM_UP:]
        (folder / "payments.json").write_text(json.dumps(rest))
        config = {"rate": args.rate, "count": int(args.rate * args.seconds),
                  "big_share": args.big_share, "big_memo": args.big_memo, "burst": args.burst,
                  "burst_every": args.burst_every, "connections": args.connections,
                  "token": token, "payments": str(folder / "payments.json")}
        port = bench._free_port()
        server = _serve(workspace, port, token)
        try:
            bench._drive(folder, port, bench._requests_file(folder, "warm.txt", token, warm),
                         200.0, 16)
            pid = _screening_pid(server)
            print(f"dentrace serve pid {server.pid}, screening process pid {pid}; "
                  f"load average before {bench._load()}")
            cpu = {p: bench._cpu_seconds(p) for p in (server.pid, pid) if p is not None}
            result = _soak(folder, port, config)
            used = {p: bench._cpu_seconds(p) - c for p, c in cpu.items()
                    if Path(f"/proc/{p}").exists()}
            after = _screening_pid(server)
            print(f"load average after {bench._load()}; CPU seconds: server "
                  f"{used.get(server.pid, float('nan')):.1f}, screening process "
                  f"{used.get(pid or -1, float('nan')):.1f}; RSS server "
                  f"{_rss_mib(server.pid)}, screening process {_rss_mib(after)}")
        finally:
            server.terminate()
            server.wait(timeout=30)
    passed = _report(result, config)
    same = pid is not None and after == pid
    print(f"screening process: pid {pid} before, {after} after: "
          f"{'the same process' if same else 'NOT the same process'}")
    print("PASS" if passed and same else "FAIL")
    if not (passed and same):
        raise SystemExit(1)


if __name__ == "__main__":
    main()

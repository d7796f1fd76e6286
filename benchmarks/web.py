"""Benchmark the investigator app as a browser meets it: a served app, a login, many parties.

Builds a workspace with the documented commands (``dentrace generate``, ``ingest``, ``scan``)
or reuses one (``--workspace``), starts ``dentrace serve`` on a free port, logs in through the
login form like a browser, then times the party page (its HTML, which carries the timeline and
network, and the party API calls), the network API and the alert queue (API and page) over many
parties: the top of the queue, the busiest beneficiaries and a random draw. Prints p50, p95 and
worst per call, the targets (party and network p95 <= 500 ms, queue p95 <= 200 ms) and the load
average, which says how much of the time other work on the machine took.

Usage: python benchmarks/web.py [--workspace DIR] [--scale 1] [--seed 7] [--parties 60]
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import duckdb
import httpx

TARGETS_MS = {"party page": 500.0, "party API": 500.0, "payments API": 500.0,
              "network API": 500.0, "queue API": 200.0, "queue page": 200.0}


def _dentrace(*args: str, stdin: str | None = None) -> str:
    """Run one ``dentrace`` command with this interpreter (the same dentrace); its output."""
    done = subprocess.run([sys.executable, "-m", "dentrace", *args], input=stdin, text=True,
                          capture_output=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"dentrace {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def build_workspace(folder: Path, scale: float, seed: int) -> Path:
    """A generated, ingested and scanned workspace in ``folder`` (the README's commands)."""
    world, workspace = folder / "world", folder / "ws"
    started = time.perf_counter()
    _dentrace("generate", "--out", str(world), "--seed", str(seed), "--scale", str(scale))
    _dentrace("ingest", "--workspace", str(workspace), "--transactions",
              str(world / "transactions"), "--customers", str(world / "customers.parquet"),
              "--known", str(world / "known.parquet"), "--quiet")
    _dentrace("scan", "--workspace", str(workspace))
    print(f"workspace: generated, ingested and scanned at scale {scale} in "
          f"{time.perf_counter() - started:.0f} s ({workspace})")
    return workspace


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_cpu_s(pid: int) -> float:
    """CPU seconds the server process has used (user + system, every thread), from /proc;
    0 where there is no /proc (the figures then say nothing about CPU)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def served(workspace: Path) -> Iterator[tuple[str, int]]:
    """``dentrace serve`` on a free loopback port; yields its base URL and process id, then
    stops it."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "dentrace", "serve", "--workspace", str(workspace), "--port",
         str(port), "--no-access-log", "--screening-in-loop"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/login", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                said = server.stderr.read().decode() if server.stderr else ""
                raise SystemExit(f"the server did not start: {said}")
            time.sleep(0.3)
        yield base, server.pid
    finally:
        server.terminate()
        server.wait(timeout=30)


def log_in(base: str, workspace: Path) -> httpx.Client:
    """A client holding a browser session of a new supervisor (login form, CSRF, cookies)."""
    username, password = f"bench-{secrets.token_hex(3)}", secrets.token_urlsafe(18)
    _dentrace("users", "add", username, "--role", "supervisor", "--workspace", str(workspace),
              stdin=password + "\n")
    client = httpx.Client(base_url=base, timeout=60)
    form = client.get("/login")
    csrf = client.cookies.get("dentrace_csrf") or _hidden_csrf(form.text)
    answer = client.post("/login", data={"username": username, "password": password,
                                         "csrf_token": csrf, "next": "/alerts"})
    if answer.status_code != 303 or "/login" in answer.headers.get("location", "/login"):
        raise SystemExit(f"login failed: {answer.status_code}")
    return client


def _hidden_csrf(html: str) -> str:
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start:html.index('"', start)]


def pick_parties(workspace: Path, client: httpx.Client, count: int, seed: int) -> list[str]:
    """Parties an analyst opens: the queue's top, the busiest beneficiaries, a random draw."""
    queue = client.get("/api/v1/alerts", params={"limit": 500}).json()["items"]
    alerted = [a["party_id"] for a in queue]
    con = duckdb.connect(str(workspace / "warehouse.duckdb"), read_only=True)
    try:
        busiest = [r[0] for r in con.execute(
            "SELECT beneficiary_id FROM transactions GROUP BY 1 ORDER BY count(*) DESC, 1 "
            f"LIMIT {max(count // 4, 1)}").fetchall()]
        everyone = [r[0] for r in con.execute(
            "SELECT DISTINCT sender_id FROM transactions ORDER BY 1").fetchall()]
    finally:
        con.close()
    drawn = random.Random(seed).sample(everyone, min(len(everyone), count // 4))
    chosen = list(dict.fromkeys(alerted[: count // 2] + busiest + drawn))
    return chosen[:count]


class Timer:
    """Wall-clock milliseconds of each call, and the server's CPU seconds they used."""

    def __init__(self, client: httpx.Client, pid: int) -> None:
        self.client, self.pid = client, pid
        self.times: dict[str, list[float]] = {name: [] for name in TARGETS_MS}
        self.cpu: dict[str, float] = dict.fromkeys(TARGETS_MS, 0.0)

    def get(self, name: str, path: str, params: dict[str, str] | None = None) -> None:
        cpu = server_cpu_s(self.pid)
        start = time.perf_counter()
        answer = self.client.get(path, params=params)
        self.times[name].append((time.perf_counter() - start) * 1000)
        self.cpu[name] += server_cpu_s(self.pid) - cpu
        if answer.status_code != 200:
            raise SystemExit(f"GET {path} answered {answer.status_code}: {answer.text[:300]}")


def measure(timer: Timer, parties: list[str], repeat: int) -> None:
    """Every party ``repeat`` times (the first visit included): its page, its API calls, the
    network API, and the queue (API and page) in turn."""
    sorts = ["-score", "party_id", "-created_at", "country"]
    for round_ in range(repeat):
        for n, party in enumerate(parties):
            at = f"/parties/{quote(party, safe='')}"
            timer.get("party page", at)
            timer.get("party API", f"/api/v1{at}")
            timer.get("payments API", f"/api/v1{at}/payments")
            timer.get("network API", f"/api/v1{at}/network")
            sort = sorts[(n + round_) % len(sorts)]
            timer.get("queue API", "/api/v1/alerts", {"limit": "50", "sort": sort,
                                                      "status": "new"})
            timer.get("queue page", "/alerts", {"sort": sort, "page": str(n % 3 + 1)})


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def report(timer: Timer) -> bool:
    """Print p50 / p95 / worst per call against its target, and the server's mean CPU per
    call (what the call costs whatever else the machine runs); True when every p95 is met."""
    met = True
    print(f"{'call':14s} {'n':>5s} {'p50 ms':>9s} {'p95 ms':>9s} {'worst ms':>9s} "
          f"{'CPU ms':>8s}  target p95")
    for name, values in timer.times.items():
        p95 = _percentile(values, 0.95)
        ok = p95 <= TARGETS_MS[name]
        met &= ok
        cpu = timer.cpu[name] * 1000 / len(values)
        print(f"{name:14s} {len(values):5d} {statistics.median(values):9.1f} {p95:9.1f} "
              f"{max(values):9.1f} {cpu:8.1f}  <= {TARGETS_MS[name]:.0f} "
              f"{'met' if ok else 'MISSED'}")
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workspace", type=Path, help="reuse this scanned workspace")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--parties", type=int, default=60, help="how many parties to open")
    parser.add_argument("--repeat", type=int, default=2, help="visits of each party")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        workspace = args.workspace or build_workspace(Path(scratch), args.scale, args.seed)
        with served(workspace) as (base, pid):
            client = log_in(base, workspace)
            parties = pick_parties(workspace, client, args.parties, args.seed)
            print(f"{len(parties)} parties, {args.repeat} visits each; "
                  f"load average before {os.getloadavg()[0]:.2f}")
            timer = Timer(client, pid)
            measure(timer, parties, args.repeat)
            load = os.getloadavg()
            met = report(timer)
            print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
                  f"({os.cpu_count()} cores); CPU ms: the server's mean CPU time per call")
            print("all targets met" if met else "some targets missed")
            client.close()


if __name__ == "__main__":
    main()

"""Benchmark: Parquet ingest speed. Builds its own Parquet file of N rows (default 2M),
ingests it into a fresh workspace and prints rows/s and peak memory (RSS).

    python benchmarks/ingest.py [N] [--csv] [--runs R] [--stages]

Prints wall rows/s, CPU seconds (user + system over all threads) and rows per CPU-second, the
load average (the machine is shared) and peak RSS. With --stages, one more ingest prints the
wall and CPU seconds of each SQL statement that took over 0.05 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb

from dentrace.ingest import IngestReport, ingest
from dentrace.store.workspace import Workspace

CURRENCIES = "['USD','EUR','GBP','PHP','AUD','CAD','THB','INR']"


def build(path: Path, rows: int) -> None:
    """Write ``rows`` contract transactions (a few % bad) to ``path`` (Parquet or CSV)."""
    fmt = "(FORMAT parquet)" if path.suffix == ".parquet" else "(FORMAT csv, HEADER)"
    con = duckdb.connect()
    con.execute(f"""COPY (SELECT
        'T' || i AS txn_id,
        strftime(TIMESTAMP '2025-01-01' + to_seconds(i * 7 % 31536000), '%Y-%m-%dT%H:%M:%S')
            || CASE i % 3 WHEN 0 THEN '+08:00' WHEN 1 THEN 'Z' ELSE '-05:00' END AS ts,
        'S' || (i % 50000) AS sender_id, 'B' || (i * 31 % 80000) AS beneficiary_id,
        CASE WHEN i % 97 = 0 THEN -1.0 ELSE round(1 + (i * 13 % 100000) / 100.0, 2) END
            AS amount,
        {CURRENCIES}[1 + i % 8] AS currency,
        'Sender ' || (i % 50000) AS sender_name, 'PH' AS beneficiary_country,
        'wallet' AS channel, 'ref ' || i AS memo
        FROM range({rows}) t(i)) TO '{path}' {fmt}""")
    con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("rows", nargs="?", type=int, default=2_000_000)
    parser.add_argument("--csv", action="store_true", help="benchmark a CSV file instead")
    parser.add_argument("--runs", type=int, default=1, help="ingest N times, report the fastest")
    parser.add_argument("--stages", action="store_true",
                        help="time each SQL statement of one more ingest")
    parser.add_argument("--build-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_only:
        build(args.build_only, args.rows)
        return
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / ("tx.csv" if args.csv else "tx.parquet")
        # Build in a child process so this process's peak RSS is the ingest's own.
        subprocess.run([sys.executable, __file__, str(args.rows), "--build-only", str(data)],
                       check=True)
        runs = [_timed_ingest(Path(tmp) / f"ws{n}", data) for n in range(args.runs)]
        report, seconds, user, system = min(runs, key=lambda run: run[1])
        again = time.perf_counter()
        ingest(Path(tmp) / "ws0", transactions=data, quiet=True)
        repeat = time.perf_counter() - again
        stages = _stages(Path(tmp) / "ws-stages", data) if args.stages else []
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cpu = user + system
    print(f"format            {'csv' if args.csv else 'parquet'}")
    print(f"rows_read         {report.rows_read:,}")
    print(f"rows_accepted     {report.rows_accepted:,}")
    print(f"rows_quarantined  {report.rows_quarantined:,}")
    print(f"rows_duplicate    {report.rows_duplicate:,}")
    print(f"seconds           {seconds:.2f}  (best of {args.runs})")
    print(f"rows_per_second   {report.rows_read / seconds:,.0f}  (wall)")
    print(f"cpu_seconds       {cpu:.2f}  (user {user:.2f} + system {system:.2f}, all threads; "
          f"rows per CPU-second {report.rows_read / cpu:,.0f})")
    threads = duckdb.connect().execute("SELECT current_setting('threads')").fetchall()[0][0]
    print(f"threads           {threads}  (DuckDB; {os.cpu_count()} cores)")
    print(f"load_average      {load_before:.1f} before, {os.getloadavg()[0]:.1f} after  "
          "(other work on the machine slows the wall clock)")
    print(f"repeat_seconds    {repeat:.2f}  (same file again: counted as duplicates)")
    print(f"peak_rss_mib      {peak_mib:,.0f}")
    for line in stages:
        print(line)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class _TimedConnection:
    """A warehouse connection that times each statement (wall, CPU of this process)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, log: list[tuple[float, float, str]]):
        self._con, self._log = con, log

    def execute(self, sql: str, *args: Any) -> Any:
        started, cpu = time.perf_counter(), _cpu()
        result = self._con.execute(sql, *args)
        self._log.append((time.perf_counter() - started, _cpu() - cpu, " ".join(sql.split())))
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def _stages(workspace: Path, data: Path) -> list[str]:
    """Ingest once more with every statement timed: lines for those over 0.05 s."""
    log: list[tuple[float, float, str]] = []
    opened = Workspace.open_warehouse  # ingest opens the warehouse through the Workspace

    def timed(space: Workspace, **options: Any) -> Any:
        return _TimedConnection(opened(space, **options), log)

    Workspace.open_warehouse = timed  # type: ignore[method-assign]
    try:
        ingest(workspace, transactions=data, quiet=True)
    finally:
        Workspace.open_warehouse = opened  # type: ignore[method-assign]
    return [f"stage  {wall:6.2f} s wall {cpu:6.2f} s CPU  {sql[:90]}"
            for wall, cpu, sql in log if wall > 0.05]


def _timed_ingest(workspace: Path, data: Path) -> tuple[IngestReport, float, float, float]:
    """One ingest into a fresh workspace: the report, wall seconds, user and system CPU."""
    before, started = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    report = ingest(workspace, transactions=data, quiet=True)
    seconds, after = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF)
    return (report, seconds, after.ru_utime - before.ru_utime,
            after.ru_stime - before.ru_stime)

if __name__ == "__main__":
    main()

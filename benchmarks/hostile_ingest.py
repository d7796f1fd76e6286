"""Benchmark: `dentrace ingest` on a hostile CSV, a header and 10 valid rows around one line of
NUL bytes (2 GiB by default, dentrace issue 16); prints wall time, peak RSS and the counts.

The ingest runs in a child process, whose peak RSS the parent reads from os.wait4, so the
figure is the ingest's alone. The file and workspace are deleted afterwards unless --keep.
Usage: python benchmarks/hostile_ingest.py [--mib 2048] [--workdir /tmp/ingest/hostile]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HEADER = b"txn_id,ts,sender_id,beneficiary_id,amount,currency,channel,memo\n"
BLOCK = 1 << 20


def _row(n: int) -> bytes:
    return f"t{n},2025-03-04T21:15:00+10:00,s1,b1,10.00,USD,wallet,gift\n".encode()


def write_hostile(path: Path, mib: int) -> None:
    """Header, 5 valid rows, ``mib`` MiB of NUL bytes ending in a line break, 5 valid rows."""
    zeros = b"\0" * BLOCK
    with open(path, "wb") as out:
        out.write(HEADER + b"".join(_row(n) for n in range(5)))
        for _ in range(mib):
            out.write(zeros)
        out.write(b"\n" + b"".join(_row(n) for n in range(5, 10)))


def run_ingest(path: Path, workspace: Path) -> tuple[float, int, int]:
    """Wall seconds, peak RSS in bytes and exit code of `dentrace ingest` on ``path``."""
    command = [sys.executable, "-m", "dentrace", "ingest", "--workspace", str(workspace),
               "--transactions", str(path), "--quiet"]
    started = time.perf_counter()
    child = subprocess.Popen(command)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - started, usage.ru_maxrss * 1024, child.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mib", type=int, default=2048, help="MiB of NUL bytes")
    parser.add_argument("--workdir", default="/tmp/ingest/hostile")
    parser.add_argument("--keep", action="store_true", help="keep the file and workspace")
    args = parser.parse_args()
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    path, workspace = workdir / "nul.csv", workdir / "ws"
    shutil.rmtree(workspace, ignore_errors=True)
    try:
        write_hostile(path, args.mib)
        seconds, peak, code = run_ingest(path, workspace)
        print(f"file {path.stat().st_size / 2**20:,.0f} MiB: ingest exit {code}, "
              f"{seconds:.1f} s, peak RSS {peak / 2**20:,.0f} MiB")
        summary = workspace / "summary.json"
        if summary.is_file():
            counts = json.loads(summary.read_text(encoding="utf-8"))
            print("rows read {rows_read}, accepted {rows_accepted}, quarantined "
                  "{rows_quarantined}, duplicate {rows_duplicate}".format(**counts))
    finally:
        if not args.keep:
            path.unlink(missing_ok=True)
            shutil.rmtree(workspace, ignore_errors=True)


if __name__ == "__main__":
    main()

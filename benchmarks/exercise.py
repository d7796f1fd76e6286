"""Benchmark building training exercises (issue 25): the seconds `dentrace exercise new` takes
per level at the level's default scale, against the 2-minute target.

Usage: python benchmarks/exercise.py [--levels 1,2,3] [--seed 0] [--scale S]

Prints, per level, the build time, the bundle's payments and size, and whether it is within
the target. The machine's load is printed too: the builds are mostly single-threaded.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from dentrace.exercise import new_exercise

TARGET_S = 120.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="1,2,3")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scale", type=float, default=None)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for level in (int(n) for n in args.levels.split(",")):
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            made = new_exercise(level, args.seed, Path(folder) / "bundle",
                                Path(folder) / "key.parquet", scale=args.scale)
            seconds = time.perf_counter() - started
            size = sum(p.stat().st_size for p in made.bundle.rglob("*") if p.is_file())
            payments = sum(int(i.get("transactions", 0))
                           for i in made.manifest["institutions"])
            verdict = "ok" if seconds <= TARGET_S else "OVER TARGET"
            print(f"level {level} ({made.manifest['title']}), scale {made.manifest['scale']}: "
                  f"{seconds:.1f} s, {payments:,} payments, {size / 1e6:.1f} MB "
                  f"[{verdict}: <= {TARGET_S:.0f} s]")


if __name__ == "__main__":
    main()

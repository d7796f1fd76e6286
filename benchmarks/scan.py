"""Benchmark: ingest a generated world into a fresh workspace and scan it end to end.

Prints wall time of each stage, rows per second and peak memory (RSS) of the process.
Usage: python benchmarks/scan.py [--world DIR | --scale 1.0 --seed 3001] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import tempfile
import time
from pathlib import Path


def _world(args: argparse.Namespace, workdir: Path) -> Path:
    if args.world:
        return Path(args.world)
    from dentrace.synth import generate_world

    world = workdir / f"world-{args.seed}-{args.scale:g}"
    if not (world / "world.json").is_file():
        started = time.perf_counter()
        generate_world(world, seed=args.seed, scale=args.scale, fmt="parquet")
        print(f"generated {world} in {time.perf_counter() - started:.1f} s (not timed below)")
    return world


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--world", help="an existing world folder (from dentrace generate)")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=3001)
    parser.add_argument("--workdir", default=None, help="where worlds and workspaces go")
    parser.add_argument("--known", action="store_true", help="ingest the world's known file")
    parser.add_argument("--scorer", default="auto", help="auto | rules | model")
    args = parser.parse_args()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="dentrace-bench-"))
    world = _world(args, workdir)
    workspace = workdir / "workspace"
    shutil.rmtree(workspace, ignore_errors=True)

    from dentrace.detect import scan
    from dentrace.ingest import ingest

    known = next(iter(sorted(world.glob("known.*"))), None) if args.known else None
    customers = next(iter(sorted(world.glob("customers.*"))), None)
    started = time.perf_counter()
    report = ingest(workspace, transactions=world / "transactions", customers=customers,
                    known=known, quiet=True)
    ingested = time.perf_counter()
    result = scan(workspace, scorer=args.scorer)
    finished = time.perf_counter()
    rows = report.total("rows_accepted")
    total = finished - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"world {world}: {rows:,} rows accepted")
    print(f"ingest {ingested - started:.1f} s, scan {finished - ingested:.1f} s, "
          f"end to end {total:.1f} s ({rows / total:,.0f} rows/s; target <= 60 s at scale 1)")
    print("scan stages (s):", json.dumps({k: round(v, 2) for k, v in result.timings.items()}))
    print(f"alerts: {json.dumps(result.summary()['alerts'])}; scorers {result.scorers}")
    print(f"peak memory (RSS): {peak_mib:,.0f} MiB")


if __name__ == "__main__":
    main()

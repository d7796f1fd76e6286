"""Benchmark `generate_world`: rows per second and peak memory for a given scale.

Usage: python benchmarks/generate.py [--scale 1] [--format parquet] [--seed 0]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from dentrace.synth import generate_world


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--format", default="parquet", choices=("csv", "parquet"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        wall, cpu = time.perf_counter(), time.process_time()
        summary = generate_world(Path(folder), seed=args.seed, scale=args.scale,
                                 fmt=args.format)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        size = sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"scale {args.scale} ({args.format}): {summary.customers:,} customers, "
          f"{summary.transactions:,} payments, {size / 2**20:,.0f} MiB written")
    print(f"wall {wall:.1f} s, cpu {cpu:.1f} s, {summary.transactions / wall:,.0f} rows/s "
          f"(wall), {summary.transactions / cpu:,.0f} rows/s (cpu)")
    print(f"peak memory {peak_mib:,.0f} MiB")


if __name__ == "__main__":
    main()

"""Benchmark: detection on perturbed copies of one generated world (docs/robustness.md).

Generates (or reuses) a world, measures it as is, then each perturbation of
dentrace.evaluate.perturb, and prints payer/facilitator AP, alert precision and recall. Usage:
python benchmarks/robustness.py [--seed 1001] [--scale 0.3] [--only a,b] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import traceback
from pathlib import Path

HEADER = (f"{'world':22} {'payer AP':>8} {'P':>6} {'R':>6} {'alerts':>6}  "
          f"{'facil AP':>8} {'P':>6} {'R':>6} {'alerts':>6}  {'secs':>4}")


def _row(name: str, metrics: dict[str, object], seconds: float) -> str:
    cells = [f"{name:22}"]
    for role in ("payer", "facilitator"):
        m = metrics[role]
        cells.append(f"{m.average_precision:8.3f} {m.alert_precision:6.3f} "  # type: ignore[attr-defined]
                     f"{m.alert_recall:6.3f} {m.alerts:6d} ")  # type: ignore[attr-defined]
    cells.append(f"{seconds:4.0f}")
    return " ".join(cells)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=1001)
    parser.add_argument("--scale", type=float, default=0.3)
    parser.add_argument("--only", default="", help="comma-separated perturbation names")
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--scorer", default="auto", help="auto, model or rules")
    args = parser.parse_args()
    from dentrace.evaluate.perturb import PERTURBATIONS, measure_world, perturb_world
    from dentrace.synth import generate_world

    if args.seed < 1000:
        raise SystemExit(f"seed {args.seed}: evaluation seeds are 1000 and above")
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="dentrace-robust-"))
    base = workdir / f"world-{args.seed}-{args.scale:g}"
    if not (base / "world.json").is_file():
        generate_world(base, seed=args.seed, scale=args.scale, fmt="parquet")
    names = [n for n in args.only.split(",") if n] or list(PERTURBATIONS)
    options = {"scorer": args.scorer}
    print(f"world seed {args.seed} scale {args.scale:g}, scorer {args.scorer}, in {workdir}")
    print(HEADER, flush=True)
    started = time.perf_counter()
    print(_row("(as generated)", measure_world(base, workdir / "ws-base", scan_options=options),
               time.perf_counter() - started), flush=True)
    for name in names:
        started = time.perf_counter()
        try:
            world = perturb_world(base, workdir / f"world-{name}", name, seed=args.seed)
            metrics = measure_world(world, workdir / f"ws-{name}", scan_options=options)
        except Exception:  # a crash is a finding: report it and go on to the next one
            print(f"{name:22} CRASHED\n{traceback.format_exc(limit=3)}", flush=True)
            continue
        print(_row(name, metrics, time.perf_counter() - started), flush=True)


if __name__ == "__main__":
    main()

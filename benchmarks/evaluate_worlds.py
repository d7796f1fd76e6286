"""Benchmark: the learned score's figures on unseen worlds, with and without a known file.

Generates (or reuses) one world per evaluation seed, runs `evaluate_world` in both settings and
prints one line per world and setting. Usage:
python benchmarks/evaluate_worlds.py [--seeds 1001,1002,1003] [--scale 1] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path


def _line(seed: int, setting: str, evaluation: object) -> str:
    cells = [f"{seed} {setting:8}"]
    for role, m in evaluation.metrics.items():  # type: ignore[attr-defined]
        worst = max(m.false_positive_rates, key=lambda r: r.false_positive_rate)
        cells.append(f"{role}: AP {m.average_precision:.3f} P {m.alert_precision:.3f} "
                     f"R {m.alert_recall:.3f} /10k {m.alerts_per_10k_customers:.1f} "
                     f"worst FPR {100 * worst.false_positive_rate:.2f}% ({worst.population})")
    return " | ".join(cells)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", default="1001,1002,1003")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--scorer", default="auto", help="auto, model or rules")
    args = parser.parse_args()
    from dentrace.evaluate.run import evaluate_world
    from dentrace.synth import generate_world

    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="dentrace-eval-"))
    for seed in (int(s) for s in args.seeds.split(",")):
        if seed < 1000:
            raise SystemExit(f"seed {seed}: evaluation seeds are 1000 and above")
        world = workdir / f"world-{seed}-{args.scale:g}"
        if not (world / "world.json").is_file():
            generate_world(world, seed=seed, scale=args.scale, fmt="parquet")
        for setting, use_known in (("known", True), ("no-known", False)):
            started = time.perf_counter()
            evaluation = evaluate_world(world, workdir / f"eval-{seed}-{setting}",
                                        use_known=use_known,
                                        scan_options={"scorer": args.scorer})
            print(_line(seed, setting, evaluation),
                  f"| {time.perf_counter() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()

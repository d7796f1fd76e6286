"""Report: DuckDB against Spark on a generated world perturbed to look unlike the defaults.

Generates (or reuses) a world, applies perturbations and the engine edges of
``dentrace.evaluate.engines.edge_world`` (names spelled per payment, ties, night-edge stamps,
blank values, non-ASCII ids), ingests it, scans it with both engines and prints max |Δscore|
per role and max |Δfeature| per feature column (columns that differ at all), as text and JSON.
Usage:
python benchmarks/engines_agree.py [--scale 0.3] [--seed 1201] [--workdir DIR]
    [--perturb currency_mixed,channel_vocabulary] [--edges 0.15] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np


def _world(workdir: Path, seed: int, scale: float, perturb: list[str], edges: float) -> Path:
    from dentrace.evaluate.engines import edge_world
    from dentrace.evaluate.perturb import PERTURBATIONS, read_world, write_world
    from dentrace.synth import generate_world

    base = workdir / f"base-{seed}-{scale:g}"
    if not (base / "world.json").is_file():
        generate_world(base, seed=seed, scale=scale, fmt="parquet")
    rng = np.random.default_rng(seed)
    world = read_world(base)
    for name in perturb:
        world = PERTURBATIONS[name].apply(world, rng)
    return write_world(edge_world(world, rng, edges) if edges else world, workdir / "world")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=1201)
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--perturb", default="currency_mixed,channel_vocabulary")
    parser.add_argument("--edges", type=float, default=0.15)
    parser.add_argument("--json", default=None, help="also write the figures to this file")
    args = parser.parse_args()
    from dentrace.engine import SparkSettings, spark_session
    from dentrace.evaluate.engines import compare_engines
    from dentrace.ingest import ingest

    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="dentrace-engines-"))
    perturb = [p for p in args.perturb.split(",") if p]
    world = _world(workdir, args.seed, args.scale, perturb, args.edges)
    meta = json.loads((world / "world.json").read_text("utf-8"))
    workspace = workdir / "ws"
    ingest(workspace, transactions=world / "transactions",
           customers=world / "customers.parquet", known=world / "known.parquet",
           reporting_currency=meta.get("reporting_currency"), quiet=True)
    session = spark_session(SparkSettings())
    started = time.perf_counter()
    try:
        compared = compare_engines(workspace, session)
    finally:
        session.stop()
    print(f"world seed {args.seed} scale {args.scale:g} perturbations {perturb} "
          f"edges {args.edges:g}: compared in {time.perf_counter() - started:.0f} s")
    print(f"same parties: {compared.same_parties}; same alerts: {compared.same_alerts}")
    print(compared.scores.to_string(index=False))
    differing = compared.features.loc[compared.features["unequal"] > 0]
    print(f"feature columns compared: {len(compared.features)}; differing at all: "
          f"{len(differing)}; max relative difference: {compared.worst_feature():.3g}")
    if len(differing):
        print(differing.sort_values("max_rel", ascending=False).to_string(index=False))
    if args.json:
        Path(args.json).write_text(json.dumps({
            "seed": args.seed, "scale": args.scale, "perturbations": perturb,
            "edges": args.edges, "same_parties": compared.same_parties,
            "same_alerts": compared.same_alerts,
            "scores": compared.scores.to_dict("records"),
            "features": differing.to_dict("records")}, indent=2, default=str))


if __name__ == "__main__":
    main()

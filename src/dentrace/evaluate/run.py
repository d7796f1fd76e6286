"""Evaluate dentrace on a generated world: ingest it into a fresh workspace, scan, measure.

Parties of the known file are scanned as known cases but left out of every figure.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from dentrace.errors import InputError, WorkspaceError
from dentrace.evaluate.metrics import RoleMetrics, measure
from dentrace.evaluate.report import TargetCheck, check_targets, write_outputs
from dentrace.evaluate.world_files import (
    count_customers,
    find_world_file,
    read_known_ids,
    read_truth,
)
from dentrace.store.workspace import Workspace


@dataclass
class Evaluation:
    """The figures of one evaluation and the files it wrote."""

    metrics: dict[str, RoleMetrics]
    checks: list[TargetCheck]
    outputs: dict[str, Path]
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def world_seed(world: Path) -> int | None:
    """The seed recorded in the world's world.json, if any."""
    path = world / "world.json"
    if not path.is_file():
        return None
    seed = json.loads(path.read_text(encoding="utf-8")).get("seed")
    return int(seed) if seed is not None else None


def fresh_workspace(path: Path) -> Path:
    """An empty workspace folder; an earlier evaluation's workspace there is replaced."""
    if path.exists():
        if not Workspace(path).has_warehouse and any(path.iterdir()):
            raise WorkspaceError(f"{path}: exists and is not a dentrace workspace; "
                                 "choose another --out")
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def _model_notes(seed: int | None, scan_options: dict[str, Any]) -> list[str]:
    """Say which model scored the world and whether the world's seed was used in training."""
    from dentrace.model.seeds import seen_in_training
    from dentrace.model.shipped import load_shipped_scorer

    scorer = load_shipped_scorer("payer", scan_options.get("model_dir"))
    if scorer is None or scan_options.get("scorer") == "rules":
        return ["no shipped learned model: scored by the rule scorer"]
    trained = list(scorer.metadata_.get("training_seeds", []))
    note = f"learned model trained on seeds {trained}"
    if seen_in_training(seed, trained):
        return [note, f"WARNING: world seed {seed} is a training seed; figures are not honest"]
    return [note]


def evaluate_world(world: Path, out: Path, known_file: Path | None = None,
                   use_known: bool = True, scan_options: dict[str, Any] | None = None,
                   budgets: tuple[float, ...] = (25.0, 50.0, 100.0)) -> Evaluation:
    """Ingest ``world`` into ``out/workspace``, scan it and write the report into ``out``."""
    from dentrace.detect import scan
    from dentrace.ingest import ingest

    truth_file = find_world_file(world, "truth")
    customers_file = find_world_file(world, "customers")
    if truth_file is None or customers_file is None:
        missing = "truth" if truth_file is None else "customers"
        raise InputError(f"no {missing}.csv or {missing}.parquet in the world", file=world)
    known = (known_file or find_world_file(world, "known")) if use_known else None
    workspace = fresh_workspace(out / "workspace")
    timings: dict[str, float] = {}
    started = time.perf_counter()
    ingest(workspace, transactions=world / "transactions", customers=customers_file,
           known=known, quiet=True)
    timings["ingest_s"] = time.perf_counter() - started
    started = time.perf_counter()
    scan(workspace, **(scan_options or {}))
    timings["scan_s"] = time.perf_counter() - started
    parties = pd.read_parquet(Workspace(workspace).parties)
    known_ids = read_known_ids(known) if known else set()
    customers = count_customers(customers_file)
    metrics = measure(parties, read_truth(truth_file), customers, known_ids, budgets)
    checks = check_targets(metrics, with_known=known is not None)
    seed = world_seed(world)
    notes = [
        f"world {world} (seed {seed}), {customers} customers",
        f"known file: {known} ({len(known_ids)} parties, left out of the figures)"
        if known else "no known file: the institution has no earlier cases",
        *_model_notes(seed, scan_options or {}),
        f"ingest {timings['ingest_s']:.1f} s, scan {timings['scan_s']:.1f} s",
    ]
    outputs = write_outputs(out, metrics, checks, f"dentrace evaluation: {world.name}", notes,
                            extra={"world": str(world), "seed": seed, "customers": customers,
                                   "known_file": str(known) if known else None,
                                   "timings": timings})
    return Evaluation(metrics, checks, outputs, notes, timings)

"""Train the shipped model: generate training worlds, ingest them, build features, fit, calibrate.

Each training world is used twice, with and without its known file, so the model works for an
institution with earlier cases and for one without. The last seed is held out for calibration.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score

from dentrace.detect.scorer import ROLES
from dentrace.evaluate.world_files import find_world_file, read_known_ids, read_truth
from dentrace.model.calibration import thresholds_for_precision
from dentrace.model.scorer import LearnedScorer
from dentrace.model.seeds import check_training_seeds
from dentrace.model.shipped import save_scorer

Progress = Callable[[str], None]


@dataclass
class RoleTable:
    """One role's feature rows of one world, with truth labels and known-file membership."""

    features: pd.DataFrame
    labels: np.ndarray
    known: np.ndarray


@dataclass
class TrainingReport:
    """What training did: seeds, rows, held-out figures per role and where it saved."""

    training_seeds: list[int]
    calibration_seed: int
    scale: float
    rows: dict[str, int] = field(default_factory=dict)
    positives: dict[str, int] = field(default_factory=dict)
    held_out: dict[str, dict[str, float]] = field(default_factory=dict)
    seconds: float = 0.0
    saved: list[Path] = field(default_factory=list)


def world_features(world: Path, workspace: Path, with_known: bool,
                   config: Any = None) -> dict[str, RoleTable]:
    """Ingest ``world`` into ``workspace`` (known file or not) and build its feature tables."""
    from dentrace.features import build_party_features
    from dentrace.ingest import ingest
    from dentrace.store.warehouse import open_warehouse

    known_file = find_world_file(world, "known")
    ingest(workspace, transactions=world / "transactions",
           customers=find_world_file(world, "customers"),
           known=known_file if with_known else None, quiet=True)
    con = open_warehouse(workspace)
    try:
        tables = build_party_features(con, config)
    finally:
        con.close()
    truth_file = find_world_file(world, "truth")
    if truth_file is None:
        raise FileNotFoundError(f"{world}: no truth file")
    truth = read_truth(truth_file)
    known_ids = read_known_ids(known_file) if with_known and known_file else set()
    result = {}
    for role in ROLES:
        features = tables[role]
        positive = truth.loc[(truth["role"] == role) & truth["is_positive"], "party_id"]
        ids = features.index.astype(str)
        result[role] = RoleTable(features, ids.isin(set(positive)).astype(int),
                                 ids.isin(known_ids))
    return result


def prepare_seed(seed: int, scale: float, workdir: Path,
                 progress: Progress = print) -> list[dict[str, RoleTable]]:
    """Generate the world of ``seed`` and return its feature tables with and without known."""
    from dentrace.synth import generate_world

    world = workdir / f"world-{seed}"
    started = time.perf_counter()
    generate_world(world, seed=seed, scale=scale, fmt="parquet")
    variants = [world_features(world, workdir / f"ws-{seed}-{name}", with_known)
                for name, with_known in (("known", True), ("no-known", False))]
    progress(f"world {seed}: generated, ingested twice and featurised in "
             f"{time.perf_counter() - started:.1f} s")
    return variants


def stack(tables: list[RoleTable], drop_known: bool = True) -> RoleTable:
    """Concatenate role tables, leaving out parties of the known file."""
    keep = [~t.known if drop_known else np.ones(len(t.labels), bool) for t in tables]
    return RoleTable(
        pd.concat([t.features[k] for t, k in zip(tables, keep, strict=True)]),
        np.concatenate([t.labels[k] for t, k in zip(tables, keep, strict=True)]),
        np.zeros(sum(int(k.sum()) for k in keep), bool),
    )


def fit_role(role: str, train: RoleTable, held: RoleTable, rounds: int) -> LearnedScorer:
    """Fit on the training worlds, calibrate and set thresholds on the held-out world."""
    scorer = LearnedScorer(role=role, rounds=rounds).fit(train.features, train.labels)
    scorer.calibrate(held.features, held.labels)
    scorer.thresholds_ = thresholds_for_precision(scorer.score(held.features), held.labels)
    return scorer


def train(seeds: list[int], scale: float, workdir: Path, out_dir: Path, rounds: int = 300,
          progress: Progress = print) -> TrainingReport:
    """Train both roles on ``seeds`` (last one held out) and save them into ``out_dir``."""
    seeds = check_training_seeds(seeds)
    started = time.perf_counter()
    worlds = {seed: prepare_seed(seed, scale, workdir, progress) for seed in seeds}
    report = TrainingReport(seeds[:-1], seeds[-1], scale)
    for role in ROLES:
        train_set = stack([v[role] for s in seeds[:-1] for v in worlds[s]])
        held_variants = [v[role] for v in worlds[seeds[-1]]]
        held = stack(held_variants)
        scorer = fit_role(role, train_set, held, rounds)
        report.rows[role] = len(train_set.labels)
        report.positives[role] = int(train_set.labels.sum())
        report.held_out[role] = held_out_figures(scorer, held_variants)
        metadata = {"training_seeds": seeds[:-1], "calibration_seed": seeds[-1],
                    "scale": scale, "held_out": report.held_out[role],
                    "trained_rows": report.rows[role], "trained_positives": report.positives[role]}
        report.saved.append(save_scorer(scorer, out_dir, metadata))
        progress(f"{role}: {report.rows[role]} rows, {report.positives[role]} positives; "
                 f"held-out AP {report.held_out[role]}")
    report.seconds = time.perf_counter() - started
    return report


def held_out_figures(scorer: LearnedScorer, variants: list[RoleTable]) -> dict[str, float]:
    """Average precision on the held-out world, with and without its known file."""
    figures = {}
    for name, table in zip(("with_known", "no_known"), variants, strict=True):
        keep = ~table.known
        labels, scores = table.labels[keep], scorer.score(table.features[keep])
        figures[f"average_precision_{name}"] = (
            float(average_precision_score(labels, scores)) if 0 < labels.sum() < len(labels)
            else 0.0)
    return figures

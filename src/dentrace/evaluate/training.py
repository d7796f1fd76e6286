"""Train the shipped model: generate training worlds, ingest them, build features, fit, calibrate.

Each training world is used twice, with and without its known file, so the model works for an
institution with earlier cases and for one without; calibration is leave-one-world-out. Training
rows are augmented: every table again with the KYC features blanked (NaN), and the first world
again without its beneficiary_country column, so the model also ranks parties without them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score

from dentrace.detect.payer_suspicion import with_co_payer_suspicion, with_payer_suspicion
from dentrace.evaluate.world_files import find_world_file, read_known_ids, read_truth
from dentrace.model.base import ROLES
from dentrace.model.calibration import PlattCalibration, thresholds_for_precision
from dentrace.model.scorer import SETTINGS, LearnedScorer
from dentrace.model.seeds import check_training_seeds
from dentrace.model.shipped import STAGE2, save_scorer

Progress = Callable[[str], None]
MAX_NEGATIVES = 60_000
# negatives kept whole when sampling (feature, minimum): the parties a model can confuse
HARD_NEGATIVES = {"payer": ("n_corridor", 2.0), "facilitator": ("unrelated_small_payers", 2.0)}
# features read from the customers file (directly or through the payers' profile), per role
KYC_COLUMNS = {"payer": ("kyc_age", "kyc_male", "co_payers_age"),
               "facilitator": ("payers_age_mean",)}
# the world variant an institution without a beneficiary country column gives
NO_COUNTRY = "no_beneficiary_country"


@dataclass
class RoleTable:
    """One role's feature rows of one world, with truth labels and known-file membership."""

    features: pd.DataFrame
    labels: np.ndarray
    known: np.ndarray
    # the world's corridor (beneficiary_id, sender_id) pairs, for second-stage features
    pairs: pd.DataFrame | None = None
    # parties the scan scores 1 without asking the model (known offenders, payer role)
    forced: np.ndarray | None = None


@dataclass
class TrainingReport:
    """What training did: seeds, held-out figures per role and where it saved."""

    training_seeds: list[int]
    scale: float
    held_out: dict[str, dict[str, float]] = field(default_factory=dict)
    seconds: float = 0.0
    saved: list[Path] = field(default_factory=list)


def world_features(world: Path, workspace: Path, with_known: bool,
                   config: Any = None) -> dict[str, RoleTable]:
    """Ingest ``world`` into ``workspace`` (known file or not) and build its feature tables."""
    from dentrace.detect.payer_suspicion import corridor_pairs
    from dentrace.features import build_party_features
    from dentrace.features.build import PAIRS_TABLE
    from dentrace.ingest import ingest
    from dentrace.store.workspace import Workspace

    known_file = find_world_file(world, "known")
    ingest(workspace, transactions=world / "transactions",
           customers=find_world_file(world, "customers"),
           known=known_file if with_known else None, quiet=True)
    con = Workspace(workspace).open_warehouse()
    try:
        tables = build_party_features(con, config)
        pairs = corridor_pairs(con, PAIRS_TABLE)
    finally:
        con.close()
    truth_file = find_world_file(world, "truth")
    if truth_file is None:
        raise FileNotFoundError(f"{world}: no truth file")
    truth = read_truth(truth_file)
    known_ids = read_known_ids(known_file) if with_known and known_file else set()
    offenders = (read_known_ids(known_file, "offender") if with_known and known_file
                 else set())
    result = {}
    for role in ROLES:
        features = tables[role]
        positive = truth.loc[(truth["role"] == role) & truth["is_positive"], "party_id"]
        ids = features.index.astype(str)
        result[role] = RoleTable(features, ids.isin(set(positive)).astype(int),
                                 ids.isin(known_ids), pairs=pairs,
                                 forced=ids.isin(offenders) if role == "payer" else None)
    return result


def _already_generated(world: Path, seed: int, scale: float) -> bool:
    """True when ``world`` holds a finished world of this seed and scale (kept from a run)."""
    path = world / "world.json"
    if not path.is_file() or find_world_file(world, "truth") is None:
        return False
    recorded = json.loads(path.read_text(encoding="utf-8"))
    return recorded.get("seed") == seed and float(recorded.get("scale", -1)) == scale


def prepare_seed(seed: int, scale: float, workdir: Path, progress: Progress = print,
                 without_country: bool = False) -> list[dict[str, RoleTable]]:
    """Generate the world of ``seed`` and return its feature tables with and without known.

    With ``without_country``, two more tables follow (with and without known) of the same
    world with its beneficiary_country column dropped: training rows only, never held out.
    """
    from dentrace.evaluate.perturb import perturb_world
    from dentrace.synth import generate_world

    world = workdir / f"world-{seed}"
    started = time.perf_counter()
    if not _already_generated(world, seed, scale):
        generate_world(world, seed=seed, scale=scale, fmt="parquet")
    sources = [(world, "")]
    if without_country:
        sources.append((perturb_world(world, workdir / f"world-{seed}-{NO_COUNTRY}", NO_COUNTRY,
                                      seed=seed), f"-{NO_COUNTRY}"))
    variants = [world_features(source, workdir / f"ws-{seed}{suffix}-{name}", with_known)
                for source, suffix in sources
                for name, with_known in (("known", True), ("no-known", False))]
    progress(f"world {seed}: generated, ingested {len(variants)} times and featurised in "
             f"{time.perf_counter() - started:.1f} s")
    return variants


def without_kyc(table: RoleTable, role: str) -> RoleTable:
    """A copy of ``table`` whose KYC features are missing (NaN), as with no customers file."""
    features = table.features.copy()
    for column in KYC_COLUMNS.get(role, ()):
        if column in features.columns:
            features[column] = np.nan
    return RoleTable(features, table.labels, table.known)


def augmented(tables: list[RoleTable], role: str) -> list[RoleTable]:
    """``tables`` followed by each of them with the KYC features blanked."""
    return tables + [without_kyc(t, role) for t in tables]


def stack(tables: list[RoleTable], drop_known: bool = True) -> RoleTable:
    """Concatenate role tables, leaving out parties of the known file."""
    keep = [~t.known if drop_known else np.ones(len(t.labels), bool) for t in tables]
    return RoleTable(
        pd.concat([t.features[k] for t, k in zip(tables, keep, strict=True)]),
        np.concatenate([t.labels[k] for t, k in zip(tables, keep, strict=True)]),
        np.zeros(sum(int(k.sum()) for k in keep), bool),
    )


def training_rows(tables: list[RoleTable], role: str, max_negatives: int = MAX_NEGATIVES,
                  seed: int = 0) -> RoleTable:
    """Stacked tables with every positive, every hard negative and at most ``max_negatives``
    random other negatives.

    Most parties are plainly ordinary; sampling them keeps training fast on two cores. Hard
    negatives (``HARD_NEGATIVES``: repeated corridor payments, or several unrelated small
    payers — the look-alikes such as adult performers and webcam customers) are all kept, so
    the model sees every one of them rather than one in ten. Calibration is fitted on scores
    of models trained the same way, so it absorbs the sampling.
    """
    table = stack(tables)
    column, minimum = HARD_NEGATIVES[role]
    values = table.features[column] if column in table.features else pd.Series(0.0)
    hard = (values.fillna(0.0).to_numpy() >= minimum) & (table.labels == 0)
    negatives = np.nonzero((table.labels == 0) & ~hard)[0]
    if len(negatives) <= max_negatives:
        return table
    chosen = np.random.default_rng(seed).choice(negatives, max_negatives, replace=False)
    keep = np.concatenate([np.nonzero((table.labels == 1) | hard)[0], chosen])
    rows = np.sort(keep)
    return RoleTable(table.features.iloc[rows], table.labels[rows], table.known[rows])


def out_of_world_models(role: str, worlds: dict[int, list[RoleTable]], rounds: int
                        ) -> dict[int, LearnedScorer]:
    """Per world, a model trained on the *other* worlds (augmented): it never saw that world."""
    models = {}
    for seed in worlds:
        others = training_rows(augmented(
            [v for s, vs in worlds.items() if s != seed for v in vs], role), role)
        models[seed] = LearnedScorer(role=role, rounds=rounds).fit(others.features, others.labels)
    return models


def out_of_world_scores(worlds: dict[int, list[RoleTable]], models: dict[int, LearnedScorer]
                        ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Raw scores of every world's parties by its out-of-world model, pooled per setting.

    A world's first two tables are its settings; further ones (variants) only train.
    Known parties are left out.
    """
    pooled: dict[str, tuple[list[np.ndarray], list[np.ndarray]]] = {
        setting: ([], []) for setting in SETTINGS}
    for seed, variants in worlds.items():
        for setting, table in zip(SETTINGS, variants[:len(SETTINGS)], strict=True):
            held = stack([table])
            pooled[setting][0].append(models[seed].raw_score(held.features))
            pooled[setting][1].append(held.labels)
    return {setting: (np.concatenate(scores), np.concatenate(labels))
            for setting, (scores, labels) in pooled.items()}


def fit_role(role: str, worlds: dict[int, list[RoleTable]], rounds: int
             ) -> tuple[LearnedScorer, dict[str, float], dict[int, LearnedScorer]]:
    """Fit on all worlds; calibrate and set thresholds on out-of-world scores per setting.

    Also returns the out-of-world models, which score each world for second-stage features.
    """
    models = out_of_world_models(role, worlds, rounds)
    held_out = out_of_world_scores(worlds, models)
    everything = training_rows(augmented([v for vs in worlds.values() for v in vs], role), role)
    scorer = LearnedScorer(role=role, rounds=rounds).fit(everything.features, everything.labels)
    figures: dict[str, float] = {}
    for setting, (raw, labels) in held_out.items():
        calibration = PlattCalibration.fit(raw, labels)
        scorer.calibrations_[setting] = calibration
        calibrated = calibration.apply(raw)
        scorer.thresholds_[setting] = thresholds_for_precision(calibrated, labels)
        figures[f"average_precision_{setting}"] = float(average_precision_score(labels, raw))
    figures["rows"] = float(len(everything.labels))
    figures["positives"] = float(everything.labels.sum())
    return scorer, figures, models


def stage1_scores(payer: RoleTable, setting_index: int, model: LearnedScorer,
                  scorer: LearnedScorer) -> pd.Series:
    """A world table's payer scores as a scan of an unseen world gives them: by ``model`` (one
    that never saw the world), calibrated for the table's setting, known offenders at 1."""
    calibration = scorer.calibrations_[SETTINGS[setting_index % len(SETTINGS)]]
    scores = calibration.apply(model.raw_score(payer.features))
    if payer.forced is not None:
        scores = np.where(payer.forced, 1.0, scores)
    return pd.Series(scores, index=payer.features.index)


def _pairs(table: RoleTable) -> pd.DataFrame:
    return table.pairs if table.pairs is not None else pd.DataFrame(
        columns=["beneficiary_id", "sender_id"])


def with_payer_scores(payers: dict[int, list[RoleTable]], facilitators: dict[int, list[RoleTable]],
                      models: dict[int, LearnedScorer], scorer: LearnedScorer
                      ) -> dict[int, list[RoleTable]]:
    """Facilitator tables with the payer-suspicion columns, from out-of-world first-stage
    payer scores (``stage1_scores``)."""
    out: dict[int, list[RoleTable]] = {}
    for seed, tables in facilitators.items():
        out[seed] = []
        for i, (payer, table) in enumerate(zip(payers[seed], tables, strict=True)):
            scores = stage1_scores(payer, i, models[seed], scorer)
            features = with_payer_suspicion(table.features, _pairs(table), scores)
            out[seed].append(RoleTable(features, table.labels, table.known, table.pairs))
    return out


def with_co_payer_scores(payers: dict[int, list[RoleTable]], models: dict[int, LearnedScorer],
                         scorer: LearnedScorer) -> dict[int, list[RoleTable]]:
    """Payer tables with the co-payer columns (the second payer stage's input), from
    out-of-world first-stage payer scores, as ``with_payer_scores`` does for facilitators."""
    out: dict[int, list[RoleTable]] = {}
    for seed, tables in payers.items():
        out[seed] = []
        for i, table in enumerate(tables):
            scores = stage1_scores(table, i, models[seed], scorer)
            features = with_co_payer_suspicion(table.features, _pairs(table), scores)
            out[seed].append(RoleTable(features, table.labels, table.known, table.pairs,
                                       table.forced))
    return out


def _metadata(role: str, seeds: list[int], scale: float, figures: dict[str, float],
              scorer: LearnedScorer, stage: str) -> dict[str, Any]:
    return {"training_seeds": seeds, "scale": scale, "stage": stage,
            "calibration": "Platt scaling on leave-one-world-out scores, per setting",
            "augmentation": {"kyc_blanked_copy": list(KYC_COLUMNS[role]),
                             NO_COUNTRY: [seeds[0]]},
            "held_out": figures,
            "top_features": dict(list(scorer.feature_importance().items())[:15])}


def _progress_line(name: str, figures: dict[str, float]) -> str:
    return (f"{name}: {int(figures['rows'])} rows, {int(figures['positives'])} positives; "
            f"out-of-world AP with known {figures['average_precision_with_known']:.3f}, "
            f"without {figures['average_precision_no_known']:.3f}")


def train(seeds: list[int], scale: float, workdir: Path, out_dir: Path, rounds: int = 300,
          progress: Progress = print) -> TrainingReport:
    """Train both roles on the worlds of ``seeds`` and save them into ``out_dir``.

    Calibration and thresholds come from leave-one-world-out scores: each world is scored by
    a model that never saw it; the saved model is then fitted on every world.
    """
    seeds = check_training_seeds(seeds)
    started = time.perf_counter()
    prepared = {seed: prepare_seed(seed, scale, workdir, progress,
                                   without_country=seed == seeds[0]) for seed in seeds}
    report = TrainingReport(seeds, scale)
    payer_worlds = {seed: [variants["payer"] for variants in prepared[seed]] for seed in seeds}
    payer_models: dict[int, LearnedScorer] = {}
    payer_scorer: LearnedScorer | None = None
    for role in ROLES:  # payers first: their scores feed the facilitator features
        worlds = {seed: [variants[role] for variants in prepared[seed]] for seed in seeds}
        if role == "facilitator" and payer_scorer is not None:
            worlds = with_payer_scores(payer_worlds, worlds, payer_models, payer_scorer)
        scorer, figures, models = fit_role(role, worlds, rounds)
        report.held_out[role] = figures
        report.saved.append(save_scorer(scorer, out_dir, _metadata(
            role, seeds, scale, figures, scorer, "first")))
        progress(_progress_line(role, figures))
        if role == "payer":
            payer_models, payer_scorer = models, scorer
            # the second payer stage: the first stage's out-of-world scores of co-payers
            second = with_co_payer_scores(payer_worlds, models, scorer)
            scorer2, figures2, _ = fit_role(role, second, rounds)
            report.held_out[STAGE2[role]] = figures2
            report.saved.append(save_scorer(scorer2, out_dir, _metadata(
                role, seeds, scale, figures2, scorer2, "second: co-payers"), STAGE2[role]))
            progress(_progress_line(STAGE2[role], figures2))
    report.seconds = time.perf_counter() - started
    return report

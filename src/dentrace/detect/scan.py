"""Scan a workspace: build features, score payers and facilitators, set alert thresholds,
explain alerts and write parties.parquet, alerts.parquet and the scan part of summary.json."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dentrace.contract.alert import KNOWN_REASON
from dentrace.detect.config import DetectConfig, load_config
from dentrace.detect.explain import (
    corridor_countries,
    explain_alerts,
    holding,
    reason_lists,
    role_label,
)
from dentrace.detect.indicators import Context
from dentrace.detect.payer_suspicion import (
    corridor_pairs,
    with_co_payer_suspicion,
    with_payer_suspicion,
)
from dentrace.detect.rules import IndicatorScorer
from dentrace.detect.scoring import load_scorer, load_second_stage
from dentrace.detect.shared_signal import corroborate, shared_context, with_shared
from dentrace.detect.thresholds import Threshold, choose
from dentrace.engine.base import Engine
from dentrace.features.build import FLAGS_TABLE, PAIRS_TABLE, build_party_features, read_known
from dentrace.features.settings import reporting_currency
from dentrace.graph.network import den_ids
from dentrace.model.base import ROLES, Scorer, check_scores, labels_for
from dentrace.model.shipped import model_fingerprint
from dentrace.store.scan_outputs import (
    ALERTS_FILE,
    PARTIES_FILE,
    STAGE1_FILE,
    ScanSet,
    current_scan,
    mirror_scan,
    publish_scan,
)
from dentrace.store.workspace import Workspace

PARTY_COLUMNS = ["party_id", "role", "score", "alert", "reasons"]
# the columns of ``AlertRecord.columns`` (dentrace.contract.alert): reason_details holds the
# structured reasons, explanation and txn_ids are their text and ids for people and older readers
ALERT_COLUMNS = [*PARTY_COLUMNS, "explanation", "txn_ids", "reason_details"]
# STAGE1_FILE: every payer's first-stage score (what the facilitator stage and the co-payer
# columns read), kept beside parties.parquet so that an incremental scan can go on from it


@dataclass
class ScanResult:
    """What a scan produced: the two tables, thresholds, scorers used, timings, file paths."""

    workspace: Path
    parties: pd.DataFrame
    alerts: pd.DataFrame
    thresholds: dict[str, Threshold]
    scorers: dict[str, str]
    customers: int
    timings: dict[str, float] = field(default_factory=dict)
    ingest_id_through: int = 0  # the last ingest run this scan saw (incremental scans go on)
    # payer id -> first-stage score (equal to the payer's score without a second stage)
    payer_stage1: pd.Series | None = None
    # the models scored with (``model_fingerprint``): an incremental scan must use the same
    model: str = ""

    def summary(self) -> dict[str, Any]:
        """The ``scan`` entry of summary.json."""
        counts = self.alerts.groupby("role").size().to_dict() if len(self.alerts) else {}
        first = self.alerts["reasons"].str.split(";").str[0] if len(self.alerts) else []
        known = int((pd.Series(first) == KNOWN_REASON).sum())
        return {
            "parties": {r: int((self.parties["role"] == r).sum()) for r in ROLES},
            "alerts": {r: int(counts.get(r, 0)) for r in ROLES},
            "alerts_known": int(known),
            "customers": self.customers,
            "alerts_per_10k_customers": round(len(self.alerts) * 10_000 / max(self.customers, 1),
                                              2),
            "thresholds": {r: t.as_dict() for r, t in self.thresholds.items()},
            "scorers": self.scorers,
            "timings_s": {k: round(v, 3) for k, v in self.timings.items()},
            "ingest_id_through": self.ingest_id_through,
            "model": self.model,
        }


def _customers(con: Any) -> int:
    rows = con.execute("SELECT count(DISTINCT customer_id) FROM customers").fetchall()
    count = int(rows[0][0]) if rows else 0
    if count == 0:  # no customer file: the institution's customers are its senders
        count = int(con.execute(
            "SELECT count(DISTINCT sender_id) FROM transactions").fetchall()[0][0])
    return count


def ingested_through(con: Any) -> int:
    """The id of the last ingest run of the warehouse (0 when none)."""
    return int(con.execute("SELECT coalesce(max(ingest_id), 0) FROM ingest_runs").fetchall()[0][0])


def _cleared_without_news(con: Any, role: str, known: pd.DataFrame) -> set[str]:
    """Cleared parties with no corridor payment after their clearance date (as_of)."""
    cleared = known.loc[known["label"] == "cleared", ["party_id", "as_of"]]
    if cleared.empty:
        return set()
    key = "sender_id" if role == "payer" else "beneficiary_id"
    con.register("_dentrace_cleared", cleared)
    try:
        news = con.execute(
            f"""SELECT DISTINCT c.party_id FROM _dentrace_cleared c JOIN {FLAGS_TABLE} f
                ON f.{key} = c.party_id
                WHERE f.is_corridor AND c.as_of IS NOT NULL AND f.ts_utc > c.as_of"""
        ).fetchall()
    finally:
        con.unregister("_dentrace_cleared")
    return set(cleared["party_id"].astype(str)) - {str(r[0]) for r in news}


def _default_threshold(scorer: Any, config: DetectConfig) -> float:
    if isinstance(scorer, IndicatorScorer):
        return float(config.scoring.get("threshold", 0.75))
    precision = float(config.scoring.get("model_default_precision", 0.8))
    found = getattr(scorer, "threshold_for_precision", lambda _p: None)(precision)
    return float(found) if found is not None else 0.5


@dataclass(frozen=True)
class ReasonLists:
    """Per party, the reasons given (``held``: indicators whose strength reaches the reason
    threshold and whose evidence holds, ``Indicator.holds``; strongest first) and whether any
    indicator reaches the threshold at all (``fired``: what the score's corroboration reads,
    as before evidence was checked, so that no score changes with it)."""

    held: list[list[str]]
    fired: np.ndarray


def indicator_reasons(role: str, features: pd.DataFrame, config: DetectConfig) -> ReasonLists:
    """The reason lists of every row of ``features``."""
    rules = IndicatorScorer(role, config).fit(features)
    strengths = rules.strengths(features)
    weights, least = config.weights[role], float(config.scoring.get("reason_min_strength", 0.2))
    fired = (strengths.to_numpy() >= least).any(axis=1) if strengths.shape[1] else \
        np.zeros(len(strengths), dtype=bool)
    return ReasonLists(reason_lists(strengths, weights, least,
                                    holding(features, role, config, list(strengths.columns))),
                       fired)


def score_role(con: Any, role: str, features: pd.DataFrame, known: pd.DataFrame,
               config: DetectConfig, options: dict[str, Any],
               customers: int, threshold: Threshold | None = None,
               scorer: Scorer | None = None,
               reasons: ReasonLists | None = None) -> tuple[pd.DataFrame, Threshold, str]:
    """parties rows of one role, its threshold and the scorer's name.

    ``threshold``, when given (an incremental scan keeps the last full scan's), is used as is;
    ``scorer``, when given (a second stage), replaces the role's scorer; ``reasons`` (of
    ``indicator_reasons``), when given, saves computing them again.
    """
    if scorer is None:
        scorer = load_scorer(role, config, options.get("scorer", "auto"),
                             options.get("model_dir"))
    scorer.fit(features, labels_for(features, known, role))
    scores = check_scores(scorer.score(features), len(features), scorer)
    if reasons is None:
        reasons = indicator_reasons(role, features, config)
    ids = features.index.astype(str)
    given = scores  # the scorer's, before other institutions' signals and known labels
    # issue 21: other institutions' signals raise a score only where a local reason fires
    # (corroboration reads only whether a list is empty: the fired ones, as before)
    scores, _ = corroborate(ids, scores, [[KNOWN_REASON] if f else [] for f in reasons.fired],
                            options.get("shared"))
    _, held = corroborate(ids, given, reasons.held, options.get("shared"))
    positive = ids.isin(set(known.loc[known["label"] == role_label(role), "party_id"]))
    if threshold is None:
        threshold = choose(scores[~positive], scorer, _default_threshold(scorer, config),
                           customers, options.get("alert_budget"), options.get("target_precision"))
    alert = (scores >= threshold.value) & (scores > 0)
    # an alert must be explainable: a score without any indicator behind it (a model far from
    # its training data, e.g. a world without beneficiary countries) is not sent to an analyst
    alert &= np.array([bool(r) for r in held], dtype=bool)
    alert &= ~ids.isin(_cleared_without_news(con, role, known))
    alert |= positive
    corroborated = scores
    scores = np.where(positive, 1.0, scores)
    listed = [[KNOWN_REASON, *r] if p else r for r, p in zip(held, positive, strict=True)]
    # the scores before each lift, for the reasons' contributions (``explain_alerts``)
    frame = pd.DataFrame({"party_id": ids, "role": role, "score": scores, "alert": alert,
                          "reasons": [";".join(r) for r in listed], "given_score": given,
                          "corroborated_score": corroborated})
    return frame, threshold, type(scorer).__name__


@dataclass
class PayerScores:
    """What scoring payers gives: parties rows, threshold, scorer name, the feature rows read
    (with the co-payer columns when a second stage ran) and every first-stage score."""

    frame: pd.DataFrame
    threshold: Threshold
    scorer: str
    features: pd.DataFrame
    stage1: pd.Series


def score_payers(con: Any, features: pd.DataFrame, known: pd.DataFrame, config: DetectConfig,
                 options: dict[str, Any], customers: int, pairs: pd.DataFrame,
                 threshold: Threshold | None = None,
                 earlier: pd.Series | None = None) -> PayerScores:
    """Score payers in one or two stages (``detect.payer_suspicion``).

    Stage 1 is the payer scorer; with a second-stage model (``load_second_stage``) the rows
    get the co-payer columns from the first-stage scores of the payers in ``pairs`` (corridor
    (beneficiary_id, sender_id)) — this scan's, else ``earlier`` ones (an incremental scan's
    stored scores) — and the second stage gives the scores, alerts and threshold.
    """
    reasons = indicator_reasons("payer", features, config)  # the two stages' indicators
    frame, chosen, name = score_role(con, "payer", features, known, config, options,
                                     customers, threshold, reasons=reasons)
    stage1 = pd.Series(frame["score"].to_numpy(), index=frame["party_id"].astype(str))
    second = load_second_stage("payer", options.get("scorer", "auto"), options.get("model_dir"))
    if second is None:
        return PayerScores(frame, chosen, name, features, stage1)
    everyone = stage1
    if earlier is not None:
        everyone = pd.concat([earlier.loc[~earlier.index.isin(stage1.index)], stage1])
    features = with_co_payer_suspicion(features, pairs, everyone)
    frame, chosen, name = score_role(con, "payer", features, known, config, options,
                                     customers, threshold, scorer=second, reasons=reasons)
    return PayerScores(frame, chosen, f"{name} (second stage: co-payers)", features, stage1)


def _context(con: Any, role: str, alerted: list[str], known: pd.DataFrame,
             config: DetectConfig) -> Context:
    currency = reporting_currency(con)
    dens: dict[str, str] = {}
    if role == "facilitator" and alerted:
        # dens use corridor pairs only: filter in DuckDB rather than in pandas
        pairs = con.execute(f"SELECT * FROM {PAIRS_TABLE} WHERE pair_corridor").df()
        dens = {str(k): str(v) for k, v in den_ids(pairs, config.graph).items()}
    return Context(
        currency=currency,
        small_band=config.features.small_band(currency),
        night_hours=(config.features.night_start_hour, config.features.night_end_hour),
        countries=corridor_countries(con, role, alerted),
        dens=dens,
        known_offenders=tuple(known.loc[known["label"] == "offender", "party_id"].astype(str)),
        known_facilitators=tuple(
            known.loc[known["label"] == "facilitator", "party_id"].astype(str)),
    )


def stage1_table(scores: pd.Series | None) -> pd.DataFrame | None:
    """The ``STAGE1_FILE`` table of every payer's first-stage score (nothing to keep: None)."""
    if scores is None:
        return None
    return pd.DataFrame({"party_id": scores.index.astype(str),
                         "score": scores.to_numpy(dtype="float64")})


def read_stage1(outputs: ScanSet | Path) -> pd.Series | None:
    """The payers' first-stage scores of a scan set (of a workspace: the set in force), or
    None (a workspace scanned by an older version)."""
    path = (outputs if isinstance(outputs, ScanSet) else current_scan(Path(outputs))).stage1
    if not path.is_file():
        return None
    frame = pd.read_parquet(path)
    return pd.Series(frame["score"].to_numpy(), index=frame["party_id"].astype(str))


def publish_result(workspace: Path, result: ScanResult, entry: dict[str, Any]) -> None:
    """Put a scan's parties, alerts, first-stage scores and summary ``entry`` in force as one
    set (``store.scan_outputs``): a reader sees this scan's or the last one's, never a mix,
    and a scan killed before the switch leaves the last one in force."""
    publish_scan(workspace, {PARTIES_FILE: result.parties[PARTY_COLUMNS],
                             ALERTS_FILE: result.alerts[ALERT_COLUMNS],
                             STAGE1_FILE: stage1_table(result.payer_stage1)}, entry)


def _write(workspace: Path, result: ScanResult) -> None:
    publish_result(workspace, result, result.summary())


def scan(workspace: Path, *, config: DetectConfig | Path | str | None = None,
         alert_budget: float | None = None, target_precision: float | None = None,
         scorer: str = "auto", model_dir: Path | None = None, write: bool = True,
         engine: Engine | None = None) -> ScanResult:
    """Score every party of ``workspace`` and publish parties.parquet, alerts.parquet and the
    summary as one set (``publish_result``).

    ``alert_budget`` (alerts per 10k customers, per role) wins over ``target_precision``,
    which wins over the config's default threshold. ``scorer``: 'auto' (the shipped model
    if present, else rules), 'rules' or 'model'. Known offenders/facilitators are always
    alerted (reason KNOWN, score 1); cleared parties are alerted again only when they made
    corridor payments after their clearance date and score above the threshold. ``engine``
    runs the feature expressions (default DuckDB on the warehouse; docs/spark.md); the scan
    closes its per-scan state at the end. Scans of one workspace take turns
    (``Workspace.scan_turn``).
    """
    with Workspace(workspace).scan_turn():
        return _scan(Path(workspace), config=config, alert_budget=alert_budget,
                     target_precision=target_precision, scorer=scorer, model_dir=model_dir,
                     write=write, engine=engine)


def _scan(workspace: Path, *, config: DetectConfig | Path | str | None,
          alert_budget: float | None, target_precision: float | None, scorer: str,
          model_dir: Path | None, write: bool, engine: Engine | None) -> ScanResult:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    cfg = config if isinstance(config, DetectConfig) else load_config(config)
    workspace = Path(workspace)
    if write:
        mirror_scan(workspace)  # finish the mirror of a scan killed after its switch
    # read-only: the scan writes only temporary tables, so the app and other readers keep
    # reading beside it (an older warehouse is migrated first, for a moment read-write)
    con = Workspace(workspace).open_warehouse(read_only=True)
    try:
        through = ingested_through(con)
        features = build_party_features(con, cfg, engine=engine)
        timings["features"] = time.perf_counter() - started
        known = read_known(con)
        known["party_id"] = known["party_id"].astype(str)
        customers = _customers(con)
        options = with_shared(workspace, {
            "alert_budget": alert_budget, "target_precision": target_precision,
            "scorer": scorer, "model_dir": model_dir})
        frames: list[pd.DataFrame] = []
        alerts, thresholds, scorers = [], {}, {}
        pairs = corridor_pairs(con, PAIRS_TABLE)
        stage1 = pd.Series(dtype="float64")
        for role in ROLES:
            mark = time.perf_counter()
            if role == "payer":
                payers = score_payers(con, features[role], known, cfg, options, customers, pairs)
                frame, thresholds[role], scorers[role] = (payers.frame, payers.threshold,
                                                          payers.scorer)
                features[role], stage1 = payers.features, payers.stage1
            else:  # the facilitator stage reads the payers' first-stage scores
                features[role] = with_payer_suspicion(features[role], pairs, stage1)
                frame, thresholds[role], scorers[role] = score_role(
                    con, role, features[role], known, cfg, options, customers)
            timings[f"score_{role}"] = time.perf_counter() - mark
            mark = time.perf_counter()
            alerted = frame.loc[frame["alert"]]
            context = shared_context(
                _context(con, role, alerted["party_id"].tolist(), known, cfg), options)
            alerts.append(explain_alerts(con, role, alerted, features[role], cfg, context,
                                         scorers[role]))
            timings[f"explain_{role}"] = time.perf_counter() - mark
            frames.append(frame[PARTY_COLUMNS])
    finally:
        if engine is not None:
            engine.close()
        con.close()
    parties = pd.concat(frames, ignore_index=True)
    alert_table = pd.concat(alerts, ignore_index=True).sort_values("score", ascending=False)
    alert_table = alert_table[ALERT_COLUMNS]
    timings["total"] = time.perf_counter() - started
    result = ScanResult(workspace, parties, alert_table.reset_index(drop=True), thresholds,
                        scorers, customers, timings, through, stage1,
                        model_fingerprint(scorer, model_dir))
    if write:
        _write(workspace, result)
        from dentrace.state.store import keep_graph_context  # for incremental scans

        keep_graph_context(workspace, features)
    return result

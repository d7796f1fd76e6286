"""Incremental scan: rescore only the parties touched by ingest runs since the last scan (and
their one-hop neighbours) and merge them into the scan outputs.

The rows come from the workspace's party state store (dentrace.detect.party_state), or, as a
fallback without it, from the touched parties' whole history (``touched_features``).

What may drift from a full rescan is listed in docs/performance.md ("Incremental scans").
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from dentrace.detect.config import DetectConfig, load_config
from dentrace.detect.explain import explain_alerts
from dentrace.detect.payer_suspicion import corridor_pairs, with_payer_suspicion
from dentrace.detect.scan import (
    ALERT_COLUMNS,
    PARTY_COLUMNS,
    ScanResult,
    _context,
    _customers,
    ingested_through,
    publish_result,
    read_stage1,
    score_payers,
    score_role,
)
from dentrace.detect.shared_signal import shared_context, with_shared
from dentrace.detect.thresholds import Threshold
from dentrace.errors import WorkspaceError
from dentrace.features.build import PAIRS_TABLE, build_party_features, read_known
from dentrace.model.base import ROLES
from dentrace.store.scan_outputs import ScanSet, current_scan, mirror_scan
from dentrace.store.workspace import Workspace

HISTORY_TABLE = "_dentrace_incremental_payments"
TOUCHED_TABLE = {"payer": "_dentrace_touched_payers",
                 "facilitator": "_dentrace_touched_facilitators"}
RECOMPUTE_MODE = "recompute from history (no party state store)"
FULL_MODE = "full scan (too many parties touched for an incremental one)"
# beyond this share of the payers sending in the appended runs a full scan is cheaper: measured
# crossovers 0.27 (1M) and 0.32 (10M) of the payers (docs/performance.md, "Incremental scans")
FULL_SCAN_SHARE = 0.3
# DuckDB's cap once the rows are built (explanations and the clearance test read little)
SCORING_DUCKDB_MEMORY = 4 * 2**30


@dataclass
class LastScan:
    """What an incremental scan keeps from the last scan's summary.json entry."""

    ingest_id_through: int
    thresholds: dict[str, Threshold]
    model: str = ""  # the models the last full scan scored with (``model_fingerprint``)


def last_scan(outputs: ScanSet | Path) -> LastScan:
    """The last scan of a scan set (of a workspace: the set in force); raises WorkspaceError
    when there is none to go on."""
    if not isinstance(outputs, ScanSet):
        outputs = current_scan(Path(outputs))
    path = Workspace(outputs.workspace).summary
    entry = outputs.entry()
    if entry is None:
        raise WorkspaceError(f"{path}: no readable summary; run a full `dentrace scan` first")
    missing = [k for k in ("ingest_id_through", "thresholds") if k not in entry]
    if missing or not outputs.parties.is_file():
        raise WorkspaceError(f"{path}: field 'scan.{(missing or ['parties'])[0]}' absent; run a "
                             "full `dentrace scan` before an incremental one")
    thresholds = {role: Threshold(float(t["value"]), str(t["rule"]), str(t["detail"]))
                  for role, t in entry["thresholds"].items()}
    return LastScan(int(entry["ingest_id_through"]), thresholds, str(entry.get("model", "")))


def check_same_models(workspace: Path, last: LastScan, scorer: str,
                      model_dir: Path | None) -> str:
    """The fingerprint of the models this scan would use; WorkspaceError when they are not
    those of the last full scan (the parties not rescored keep that scan's scores, so mixing
    models would mix two scales: run a full scan after retraining or upgrading)."""
    from dentrace.model.shipped import model_fingerprint

    current = model_fingerprint(scorer, model_dir)
    if last.model != current:
        recorded = last.model or "not recorded (an older version)"
        raise WorkspaceError(
            f"{Workspace(workspace).summary}: field 'scan.model' is {recorded}, but this "
            f"scan would score with {current}; run a full `dentrace scan` first")
    return current


def _corridor_links(con: Any, config: DetectConfig) -> str:
    """Temp table of corridor (sender_id, beneficiary_id) pairs of the new parties.

    Only corridor pairs carry the graph features, so only they lead one hop out: a
    supermarket paid by the day's payers does not make all its other customers touched.
    The corridor test needs only the route (countries, channel, names): distinct routes.
    """
    import ibis

    from dentrace.features.payments import _corridor as corridor_of

    con.execute("""CREATE OR REPLACE TEMP TABLE _dentrace_neighbour_routes AS
        SELECT DISTINCT sender_id, beneficiary_id, sender_country, beneficiary_country, channel,
               sender_name, beneficiary_name FROM transactions
        WHERE beneficiary_id IN (SELECT beneficiary_id FROM _dentrace_new_pairs)
           OR sender_id IN (SELECT sender_id FROM _dentrace_new_pairs)""")
    routes = ibis.duckdb.from_connection(con).table("_dentrace_neighbour_routes")
    is_corridor = corridor_of(routes, config.features)[2]
    links = routes.filter(is_corridor).select("sender_id", "beneficiary_id").distinct()
    con.execute("CREATE OR REPLACE TEMP TABLE _dentrace_corridor_links AS "
                + ibis.to_sql(links, dialect="duckdb"))
    return "_dentrace_corridor_links"


def mark_touched(con: Any, config: DetectConfig, since: int) -> dict[str, int]:
    """Temp tables of the payers and facilitators touched by ingest runs after ``since``.

    Touched payers: the senders of the new transactions and the other corridor payers of the
    beneficiaries they paid (one hop along corridor pairs). Touched facilitators: the corridor
    beneficiaries of the new senders (so a merchant paid at home is left to the next full
    scan). Both: parties newly in the known file. Returns the count per role.
    """
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _dentrace_new_pairs AS
        SELECT DISTINCT sender_id, beneficiary_id FROM transactions WHERE ingest_id > {since}""")
    links = _corridor_links(con, config)
    labelled = f"SELECT CAST(party_id AS VARCHAR) FROM known WHERE ingest_id > {since}"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {TOUCHED_TABLE['payer']} AS
        SELECT sender_id AS party_id FROM _dentrace_new_pairs
        UNION SELECT l.sender_id FROM {links} l
              SEMI JOIN _dentrace_new_pairs n ON l.beneficiary_id = n.beneficiary_id
        UNION {labelled}""")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {TOUCHED_TABLE['facilitator']} AS
        SELECT l.beneficiary_id AS party_id FROM {links} l
              SEMI JOIN _dentrace_new_pairs n ON l.sender_id = n.sender_id
        UNION {labelled}""")
    return {role: int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])
            for role, table in TOUCHED_TABLE.items()}


def touched_features(con: Any, config: DetectConfig, since: int
                     ) -> tuple[dict[str, pd.DataFrame], dict[str, int]]:
    """Feature frames (as ``build_party_features``) of the parties touched after ``since``,
    computed from every payment they sent or received; and the touched counts per role."""
    counts = mark_touched(con, config, since)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {HISTORY_TABLE} AS
        SELECT * FROM transactions
        WHERE sender_id IN (SELECT party_id FROM {TOUCHED_TABLE['payer']})
           OR beneficiary_id IN (SELECT party_id FROM {TOUCHED_TABLE['facilitator']})""")
    end = con.execute("SELECT max(ts_utc) FROM transactions").fetchall()[0][0]
    features = build_party_features(con, config, transactions=HISTORY_TABLE, end=end)
    for role in ROLES:
        wanted = {str(r[0]) for r in con.execute(
            f"SELECT party_id FROM {TOUCHED_TABLE[role]}").fetchall()}
        features[role] = features[role].loc[features[role].index.isin(wanted)]
    return features, counts


def _merge(old: pd.DataFrame, new: list[pd.DataFrame], recomputed: dict[str, pd.Index]
           ) -> pd.DataFrame:
    """``old`` without the recomputed (role, party) rows, plus the ``new`` rows."""
    stale = pd.Series(False, index=old.index)
    for role, ids in recomputed.items():
        stale |= (old["role"] == role) & old["party_id"].astype(str).isin(ids)
    kept = [old.loc[~stale]] if len(old) else []
    frames = [f for f in [*kept, *new] if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else old.iloc[:0]


@dataclass
class TouchedRows:
    """What a way of recomputing gives the scoring: feature rows per role, the corridor pairs
    (beneficiary_id, sender_id) of the touched facilitators, the summary record, and how to
    write back any state it changed (after the outputs are written)."""

    features: dict[str, pd.DataFrame]
    corridor_pairs: pd.DataFrame
    record: dict[str, Any]
    save: Callable[[], None] | None = None
    # corridor (beneficiary_id, sender_id) pairs of the rescored payers' corridor
    # beneficiaries, all their payers included: the co-payer columns (second payer stage)
    payer_pairs: pd.DataFrame | None = None


def _old_rows(con: Any, cfg: DetectConfig, last: LastScan) -> TouchedRows:
    """The fallback without a party state store: recompute from the touched parties' history."""
    features, touched = touched_features(con, cfg, last.ingest_id_through)
    pairs = corridor_pairs(con, PAIRS_TABLE)
    return TouchedRows(features, pairs, {"mode": RECOMPUTE_MODE, "touched": touched},
                       payer_pairs=pairs)


def new_sender_share(con: Any, since: int, payers: int) -> float:
    """The distinct senders of the ingest runs after ``since``, as a share of ``payers``."""
    senders = con.execute("SELECT count(DISTINCT sender_id) FROM transactions "
                          "WHERE ingest_id > ?", [int(since)]).fetchall()[0][0]
    return int(senders) / max(payers, 1)


def _full_scan_instead(workspace: Path, cfg: DetectConfig, last: LastScan, share: float,
                       options: dict[str, Any], write: bool) -> ScanResult:
    """A full scan where the appended runs touch so many parties that it costs less; its
    ``scan.incremental`` record says why. The party state catches up at the next incremental
    scan (it folds every run it has not seen)."""
    from dentrace.detect.scan import scan

    result = scan(workspace, config=cfg, scorer=options["scorer"],
                  model_dir=options["model_dir"], write=write)
    if write:
        record = {"mode": FULL_MODE, "new_sender_share": round(share, 4),
                  "full_scan_share": FULL_SCAN_SHARE,
                  "from_ingest_id": last.ingest_id_through + 1,
                  "to_ingest_id": result.ingest_id_through,
                  **{f"{r}s": int((result.parties["role"] == r).sum()) for r in ROLES},
                  "thresholds": "set by this full scan"}
        _write(workspace, result, record)
    return result


def scan_incremental(workspace: Path, *, config: DetectConfig | Path | str | None = None,
                     scorer: str = "auto", model_dir: Path | None = None,
                     write: bool = True, use_state: bool = True,
                     full_scan_share: float | None = FULL_SCAN_SHARE) -> ScanResult:
    """Rescore the parties touched since the last scan; merge into parties/alerts.parquet.

    With the workspace's party state store (``party_state.sqlite``, whose graph part every full
    scan writes) the new payments are folded into the touched parties' stored state and their
    feature rows rebuilt from it (``dentrace.detect.party_state``); the first such scan builds
    the state from the whole history, once, in shards that fit in memory
    (``dentrace.state.build``). Without the store's graph part (a workspace last
    scanned by an older version), or with ``use_state=False``, the touched parties' features
    are recomputed from their history. Thresholds are the last full scan's; ``summary.json`` →
    ``scan.incremental`` records the mode, the ingest runs covered and the parties recomputed.
    When the appended runs' senders are more than ``full_scan_share`` of the payers (None:
    never), a full scan runs instead, being the cheaper (mode ``FULL_MODE``). Scans of one
    workspace take turns (``Workspace.scan_turn``).
    """
    with Workspace(workspace).scan_turn():
        return _scan_incremental(Path(workspace), config, scorer, model_dir, write, use_state,
                                 full_scan_share)


def _scan_incremental(workspace: Path, config: DetectConfig | Path | str | None, scorer: str,
                      model_dir: Path | None, write: bool, use_state: bool,
                      full_scan_share: float | None) -> ScanResult:
    from dentrace.detect.party_state import state_rows, usable_store
    from dentrace.store.warehouse import bound_memory

    started, workspace = time.perf_counter(), Path(workspace)
    cfg = config if isinstance(config, DetectConfig) else load_config(config)
    if write:
        mirror_scan(workspace)  # finish the mirror of a scan killed after its switch
    outputs = current_scan(workspace)  # one set: parties, alerts, scores, summary entry
    last = last_scan(outputs)
    model = check_same_models(workspace, last, scorer, model_dir)
    before = pd.read_parquet(outputs.parties)
    con = Workspace(workspace).open_warehouse(read_only=True)  # temporary tables only
    share = new_sender_share(con, last.ingest_id_through, int((before["role"] == "payer").sum()))
    if full_scan_share is not None and share > full_scan_share:
        con.close()
        return _full_scan_instead(workspace, cfg, last, share,
                                  {"scorer": scorer, "model_dir": model_dir}, write)
    store = usable_store(workspace) if use_state else None
    try:
        through = ingested_through(con)
        known = read_known(con)
        known["party_id"] = known["party_id"].astype(str)
        rows = (_old_rows(con, cfg, last) if store is None else
                state_rows(con, cfg, store, last.ingest_id_through, through, known))
        # what is left reads the rescored parties' payments: DuckDB need not cache the
        # warehouse beside the party state in memory (16.7 GiB peak at 100M without this)
        bound_memory(con, SCORING_DUCKDB_MEMORY)
        timings = {"features": time.perf_counter() - started}
        customers = _customers(con)
        frames, alerts, scorers, stage1 = _score_and_explain(
            con, cfg, rows, known, customers, last, _stage1(outputs, before),
            with_shared(workspace, {"scorer": scorer, "model_dir": model_dir}), timings)
    finally:
        con.close()
    recomputed = {role: rows.features[role].index.astype(str) for role in ROLES}
    parties = _merge(before, frames, recomputed)
    parties["_order"] = parties["role"].map({r: i for i, r in enumerate(ROLES)})
    parties = parties.sort_values(["_order", "party_id"]).drop(columns="_order")
    # alerts of a scan before reason_details: their rows are read as older records on use
    alert_table = _merge(pd.read_parquet(outputs.alerts).reindex(columns=ALERT_COLUMNS),
                         alerts, recomputed)
    alert_table = alert_table.sort_values("score", ascending=False, kind="stable")
    result = ScanResult(workspace, parties[PARTY_COLUMNS].reset_index(drop=True),
                        alert_table[ALERT_COLUMNS].reset_index(drop=True), last.thresholds,
                        scorers, customers, timings, through, stage1, model)
    record = {**rows.record, "from_ingest_id": last.ingest_id_through + 1,
              "to_ingest_id": through, **{f"{r}s": len(recomputed[r]) for r in ROLES},
              "thresholds": "kept from the last full scan"}
    if write and rows.save is not None:  # the state first: outputs never claim more than it
        mark = time.perf_counter()      # holds, and a crash in between rescores the same runs
        rows.save()
        timings["save_state"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - started
    if write:
        _write(workspace, result, record)
    if store is not None:
        store.close()
    return result


def _stage1(outputs: ScanSet, before: pd.DataFrame) -> pd.Series:
    """Every payer's first-stage score as the last scan kept it (a workspace scanned by an
    older version, without the file: its payer scores, which were first-stage scores)."""
    kept = read_stage1(outputs)
    if kept is not None:
        return kept
    old = before.loc[before["role"] == "payer"]
    return pd.Series(old["score"].to_numpy(), index=old["party_id"].astype(str))


def _merged(old: pd.Series, new: pd.Series) -> pd.Series:
    """``old`` scores with those of ``new`` replacing or adding theirs."""
    return pd.concat([old.loc[~old.index.isin(new.index)], new])


def _score_and_explain(con: Any, cfg: DetectConfig, rows: TouchedRows, known: pd.DataFrame,
                       customers: int, last: LastScan, stage1: pd.Series,
                       options: dict[str, Any], timings: dict[str, float]
                       ) -> tuple[list[pd.DataFrame], list[pd.DataFrame], dict[str, str],
                                  pd.Series]:
    """parties and alerts rows of the recomputed parties, as a scan scores and explains them,
    and every payer's first-stage score (``stage1``, the last scan's, updated)."""
    from dentrace.detect.party_state import explain_context, flag_history

    frames: list[pd.DataFrame] = []
    alerts, scorers = [], {}
    cleared = set(known.loc[known["label"] == "cleared", "party_id"])
    from_state = rows.record["mode"] != RECOMPUTE_MODE
    features = rows.features
    for role in ROLES:
        if features[role].empty:
            scorers[role] = "none (no party touched)"
            continue
        mark = time.perf_counter()
        if role == "facilitator":  # the second stage reads the payers' scores, as a scan does
            features[role] = with_payer_suspicion(features[role], rows.corridor_pairs, stage1)
        if from_state:  # the clearance test reads the cleared parties' payments
            flag_history(con, cfg, role, cleared & set(features[role].index.astype(str)))
        if role == "payer":
            pairs = rows.payer_pairs if rows.payer_pairs is not None else rows.corridor_pairs
            payers = score_payers(con, features[role], known, cfg, options, customers, pairs,
                                  threshold=last.thresholds[role], earlier=stage1)
            frame, scorers[role], features[role] = payers.frame, payers.scorer, payers.features
            stage1 = _merged(stage1, payers.stage1)
        else:
            frame, _, scorers[role] = score_role(con, role, features[role], known, cfg,
                                                 options, customers,
                                                 threshold=last.thresholds[role])
        timings[f"score_{role}"] = time.perf_counter() - mark
        mark = time.perf_counter()
        alerted = frame.loc[frame["alert"]]
        if from_state:
            flag_history(con, cfg, role, set(alerted["party_id"]))
            context = explain_context(con, role, alerted["party_id"].tolist(), known, cfg)
        else:
            context = _context(con, role, alerted["party_id"].tolist(), known, cfg)
        context = shared_context(context, options)
        alerts.append(explain_alerts(con, role, alerted, features[role], cfg, context,
                                     scorers[role])[ALERT_COLUMNS])
        timings[f"explain_{role}"] = time.perf_counter() - mark
        frames.append(frame[PARTY_COLUMNS])
    return frames, alerts, scorers, stage1


def _write(workspace: Path, result: ScanResult, record: dict[str, Any]) -> None:
    publish_result(workspace, result, {**result.summary(), "incremental": record})

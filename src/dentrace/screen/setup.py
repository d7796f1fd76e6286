"""Build a Screener: from a workspace's last scan (warehouse payments replayed into the party
state, graph results and scorers from the scan, thresholds from summary.json) or empty."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dentrace.detect.config import DetectConfig, load_config
from dentrace.detect.payer_suspicion import (
    corridor_pairs,
    with_co_payer_suspicion,
    with_payer_suspicion,
)
from dentrace.detect.rules import IndicatorScorer
from dentrace.detect.scoring import load_scorer, load_second_stage
from dentrace.features.build import (
    PAIRS_TABLE,
    build_party_features,
    read_known,
)
from dentrace.features.settings import reporting_currency
from dentrace.ingest.rates import load_rates
from dentrace.model.base import ROLES, check_scores, labels_for
from dentrace.screen.scoring import RoleScorer
from dentrace.screen.service import Screener, Thresholds
from dentrace.state.features import GraphContext, kyc_days
from dentrace.state.flags import PaymentFlagger
from dentrace.state.fold import PartyState
from dentrace.state.replay import read_kyc, refresh_profiles, replay_flagged
from dentrace.state.stored import StoredParties
from dentrace.store.scan_outputs import ScanSet, current_scan
from dentrace.store.workspace import SUMMARY_FILE, Workspace

# a screener over the party state store loads ahead the parties of the history's last day: the
# next payments are mostly theirs (10M: per-batch p99 30.7 -> 5.2 ms, for 5 s and 0.6 GiB)
WARM_HOURS = 24


def _rates(currency: str) -> dict[str, float]:
    rates = load_rates()
    return {code: rates.convert_factor(code, currency) for code in rates.to_usd}


def _default_hold(role: str, scorer: Any, config: DetectConfig) -> float:
    """The scan's default threshold rule (``detect.scan._default_threshold``)."""
    if isinstance(scorer, IndicatorScorer):
        return float(config.scoring.get("threshold", 0.75))
    precision = float(config.scoring.get("model_default_precision", 0.8))
    found = getattr(scorer, "threshold_for_precision", lambda _p: None)(precision)
    return float(found) if found is not None else 0.5


def _scan_thresholds(outputs: ScanSet) -> dict[str, float]:
    """The alert thresholds of a scan's summary entry (empty when none)."""
    try:
        found = (outputs.entry() or {})["thresholds"]
        return {role: float(found[role]["value"]) for role in ROLES
                if math.isfinite(float(found[role]["value"]))}
    except (OSError, KeyError, TypeError, ValueError):
        return {}


def _nonzero(values: pd.Series) -> dict[str, float]:
    """party id → value (the last one of an id given twice), for the parties whose value is not
    0 (readers default to 0: at 100M the whole columns would be 3.4M entries each, nearly all
    0)."""
    last = values.loc[~values.index.duplicated(keep="last")]
    return last.loc[last != 0].to_dict()


def _graph(features: dict[str, pd.DataFrame], known: pd.DataFrame, kyc: pd.DataFrame,
           config: DetectConfig) -> GraphContext:
    fac, payer = features["facilitator"], features["payer"]
    risk = _nonzero(pd.concat([payer["known_risk"], fac["known_risk"]])) if len(fac) else {}
    days = kyc_days(kyc)
    return GraphContext(
        min_fan_in=config.graph.min_fan_in,
        den_size=_nonzero(fac["den_size"]) if len(fac) else {},
        shared_payer_facilitators=_nonzero(fac["shared_payer_facilitators"]) if len(fac) else {},
        known_risk=risk,
        offenders=set(known.loc[known["label"] == "offender", "party_id"].astype(str)),
        facilitators=set(known.loc[known["label"] == "facilitator", "party_id"].astype(str)),
        birth_day=dict(zip(days["party_id"], days["birth_day"], strict=True)),
        male={k: v for k, v in zip(days["party_id"], days["male"], strict=True) if v == v},
    )


def _role_scorers(features: dict[str, pd.DataFrame], known: pd.DataFrame, config: DetectConfig,
                  kind: str, model_dir: Path | None, pairs: pd.DataFrame
                  ) -> tuple[dict[str, RoleScorer], dict[str, float], RoleScorer | None]:
    """The fitted scorer of each role, as the scan fits them, the payers' first-stage scores
    (the facilitator table gets the payer-suspicion columns from them first, and the payers'
    second stage, when shipped, the co-payer columns: ``detect.scan.score_payers``) and the
    fitted second payer stage (None without one)."""
    scorers: dict[str, RoleScorer] = {}
    payer_scores: dict[str, float] = {}
    second: RoleScorer | None = None
    for role in ROLES:
        table = features[role]
        if role == "facilitator":
            table = with_payer_suspicion(table, pairs, pd.Series(payer_scores, dtype="float64"))
        scorer = load_scorer(role, config, kind, model_dir)
        labels = labels_for(table, known, role)
        scorer.fit(table, labels)
        scorers[role] = RoleScorer(role, scorer, config)
        if role == "payer" and len(table):
            scores = check_scores(scorer.score(table), len(table), scorer)
            if labels is not None:
                scores = np.where(labels == 1, 1.0, scores)
            payer_scores = dict(zip(table.index.astype(str), map(float, scores), strict=True))
        stage2 = load_second_stage(role, kind, model_dir) if role == "payer" else None
        if stage2 is not None:
            stage2.fit(with_co_payer_suspicion(table, pairs, pd.Series(payer_scores,
                                                                       dtype="float64")), labels)
            second = RoleScorer(role, stage2, config)
    return scorers, payer_scores, second


def _hold(found: dict[str, float], scorers: dict[str, RoleScorer], second: RoleScorer | None,
          config: DetectConfig) -> dict[str, float]:
    """Hold thresholds: the scan's, else the default rule on the scorer deciding the role."""
    deciding = {**scorers, **({"payer": second} if second is not None else {})}
    return {r: found.get(r, _default_hold(r, deciding[r].scorer, config)) for r in ROLES}


def screener_from_workspace(workspace: Path, *, config: DetectConfig | None = None,
                            scorer: str = "auto", model_dir: Path | None = None,
                            review_ratio: float = 0.5) -> Screener:
    """A Screener whose party state holds every payment of the workspace's warehouse: read
    from its party state store as payments need them when there is one (``_stored_parties``),
    else replayed into memory."""
    workspace = Path(workspace)
    cfg = config or load_config()
    outputs = current_scan(workspace)  # the thresholds and scores of one scan
    con = Workspace(workspace).open_warehouse(read_only=True)
    try:
        currency = reporting_currency(con)
        features = build_party_features(con, cfg)
        known = read_known(con)
        known["party_id"] = known["party_id"].astype(str)
        graph = _graph(features, known, read_kyc(con), cfg)
        stored = _stored_parties(workspace, con, cfg)
        if stored is None:
            state = PartyState(cfg.features.small_band(currency), cfg.features.recent_days)
            replay_flagged(state, con)
        else:
            state = stored.work.state
        pairs = corridor_pairs(con, PAIRS_TABLE)
    finally:
        con.close()
    refresh_profiles(state, graph)
    scorers, graph.payer_scores, second = _role_scorers(features, known, cfg, scorer, model_dir,
                                                        pairs)
    found = _scan_thresholds(outputs)
    hold = _hold(found, scorers, second, cfg)
    parties_file = outputs.parties
    scan_scores: dict[tuple[str, str], float] = {}
    if parties_file.exists():
        parties = pd.read_parquet(parties_file, columns=["party_id", "role", "score"])
        scan_scores = {(r, str(p)): float(s) for p, r, s in parties.itertuples(index=False)}
    return Screener(state, PaymentFlagger(cfg.features, currency), scorers,
                    Thresholds(hold, review_ratio, SUMMARY_FILE if found else "config"),
                    graph, _rates(currency), scan_scores, second=second, parties=stored)


def _stored_parties(workspace: Path, con: Any, cfg: DetectConfig) -> StoredParties | None:
    """The screener's parties read from the workspace's party state store, when it holds a
    state (an incremental scan keeps it), or when the warehouse's payments would not fit in
    memory replayed (more than half the machine's memory at ~800 bytes a payment: the store
    is then built first, as the first incremental scan builds it). None: replay them all."""
    from dentrace.detect.party_state import current_state, has_state_through, usable_store
    from dentrace.detect.scan import ingested_through
    from dentrace.state.build import BuildPlan

    store = usable_store(workspace, shared=True)  # None before a full scan kept its graph
    if store is None:
        return None
    through = ingested_through(con)
    payments = int(con.execute("SELECT count(*) FROM transactions").fetchall()[0][0])
    if (not has_state_through(con, cfg, store, through)
            and BuildPlan.for_payments(payments, cores=1).shards == 1):
        store.close()
        return None
    parties = StoredParties(store, current_state(con, cfg, store, through).work)
    parties.warm(_recent_pairs(con, WARM_HOURS))
    return parties


def _recent_pairs(con: Any, hours: int) -> list[tuple[str, str]]:
    """The (payer, beneficiary) pairs paid in the warehouse's last ``hours``."""
    rows = con.execute(f"""
        SELECT DISTINCT CAST(sender_id AS VARCHAR), CAST(beneficiary_id AS VARCHAR)
        FROM transactions
        WHERE ts_utc >= (SELECT max(ts_utc) FROM transactions) - INTERVAL {int(hours)} HOUR
    """).fetchall()
    return [(str(s), str(b)) for s, b in rows]


def empty_screener(*, config: DetectConfig | None = None, currency: str = "USD",
                   scorer: str = "auto", model_dir: Path | None = None,
                   review_ratio: float = 0.5, known: pd.DataFrame | None = None) -> Screener:
    """A Screener with no history: every party starts from its first screened payment."""
    cfg = config or load_config()
    known = known if known is not None else pd.DataFrame(columns=["party_id", "label"])
    empty = {r: pd.DataFrame(index=pd.Index([], name="party_id", dtype=str)) for r in ROLES}
    for role in ROLES:
        empty[role]["den_size" if role == "facilitator" else "known_risk"] = []
    features = {"payer": empty["payer"], "facilitator": empty["facilitator"].assign(
        shared_payer_facilitators=[], known_risk=[])}
    kyc = pd.DataFrame(columns=["party_id", "birth_date", "gender"])
    graph = _graph(features, known, kyc, cfg)
    pairs = pd.DataFrame(columns=["beneficiary_id", "sender_id"], dtype=str)
    scorers, _, second = _role_scorers(features, known, cfg, scorer, model_dir, pairs)
    return Screener(PartyState(cfg.features.small_band(currency), cfg.features.recent_days),
                    PaymentFlagger(cfg.features, currency), scorers,
                    Thresholds(_hold({}, scorers, second, cfg), review_ratio), graph,
                    _rates(currency), second=second)


__all__ = ["empty_screener", "screener_from_workspace"]

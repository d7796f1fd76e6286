"""Feature rows of the parties an incremental scan touches, rebuilt from the stored party state:
load the touched parties' state, fold in the new payments, rebuild their rows, write them back.

The work is proportional to the new payments and to the touched parties' neighbourhoods (their
corridor counterparts), not to the history: the new payments are read by ingest run, the state
by party id (``dentrace.state.store``). The rows are those of ``dentrace.state.features``,
which equal the batch features except where docs/screening.md says they are approximated.
"""

from __future__ import annotations

import math
from copy import copy
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from dentrace.detect.config import DetectConfig
from dentrace.detect.explain import corridor_countries
from dentrace.detect.incremental import TouchedRows
from dentrace.detect.indicators import Context
from dentrace.detect.scan import _context
from dentrace.engine.duckdb import drop_relation
from dentrace.features.build import FLAGS_TABLE
from dentrace.features.settings import reporting_currency
from dentrace.state.build import build_state_store
from dentrace.state.features import (
    GraphContext,
    _co_payers,
    facilitator_vector,
    kyc_days,
    payer_vector,
)
from dentrace.state.flag_sql import flag_sql
from dentrace.state.fold import PairState, PartyState, PayerState
from dentrace.state.replay import read_kyc, replay_flagged
from dentrace.state.store import PartyStateStore, Workset, state_settings
from dentrace.state.stored import seed_totals
from dentrace.state.totals import PairTotals, RowCache
from dentrace.store.workspace import Workspace

SOURCE_TABLE = "_dentrace_incremental_source"
KEY = {"payer": "sender_id", "facilitator": "beneficiary_id"}
EPOCH = datetime(1970, 1, 1)  # day numbers count from it (UTC, as the warehouse's ts_utc)
STATE_MODE = "party state"
BUILT_MODE = "party state built from the whole history (first incremental scan)"


def usable_store(workspace: Path, shared: bool = False) -> PartyStateStore | None:
    """The workspace's state store when it holds the last full scan's graph results
    (``shared``: see ``PartyStateStore``)."""
    if not Workspace(workspace).party_state.is_file():
        return None
    store = PartyStateStore(workspace, shared)
    if store.has_graph():
        return store
    store.close()
    return None


def flag_payments_where(con: Any, cfg: DetectConfig, where: str) -> None:
    """FLAGS_TABLE := the flagged warehouse payments matching ``where`` (SQL on transactions)."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {SOURCE_TABLE} AS "
                f"SELECT * FROM transactions WHERE {where}")
    sql = flag_sql(con, cfg.features, SOURCE_TABLE)
    drop_relation(con, FLAGS_TABLE)  # a full build's view of the same name
    con.execute(f"CREATE TEMP TABLE {FLAGS_TABLE} AS {sql}")


def flag_history(con: Any, cfg: DetectConfig, role: str, parties: set[str]) -> None:
    """FLAGS_TABLE := every payment of ``parties`` (for the clearance test and explanations);
    nothing to do for no party."""
    if not parties:
        return
    frame = pd.DataFrame({"party_id": sorted(parties)}, dtype="object")
    con.register("_dentrace_wanted", frame)
    try:
        flag_payments_where(con, cfg, f"{KEY[role]} IN (SELECT party_id FROM _dentrace_wanted)")
    finally:
        con.unregister("_dentrace_wanted")


def explain_context(con: Any, role: str, alerted: list[str], known: pd.DataFrame,
                    config: DetectConfig) -> Context:
    """The scan's explanation context, without den names (they need the whole pair graph:
    an incremental alert says "in a den" until the next full scan)."""
    base = _context(con, "payer", [], known, config)
    return replace(base, countries=corridor_countries(con, role, alerted))


def _parties(con: Any, where: str) -> tuple[set[str], set[str]]:
    rows = con.execute(f"SELECT DISTINCT sender_id, beneficiary_id FROM transactions "
                       f"WHERE {where}").fetchall()
    return {str(r[0]) for r in rows}, {str(r[1]) for r in rows}


def _fresh_state(cfg: DetectConfig, con: Any) -> PartyState:
    return PartyState(cfg.features.small_band(reporting_currency(con)), cfg.features.recent_days)


def _fold(con: Any, cfg: DetectConfig, store: PartyStateStore, work: Workset, since: int
          ) -> tuple[set[str], set[str]]:
    """Load the parties of the payments after ingest run ``since`` and fold those payments in;
    returns their senders and beneficiaries."""
    flag_payments_where(con, cfg, f"ingest_id > {int(since)}")
    rows = con.execute(f"SELECT DISTINCT sender_id, beneficiary_id FROM {FLAGS_TABLE}").fetchall()
    pairs = [(str(r[0]), str(r[1])) for r in rows]
    senders, receivers = {s for s, _ in pairs}, {b for _, b in pairs}
    store.load_payers(work, senders)
    store.load_beneficiaries(work, receivers)
    store.load_pairs(work, pairs)
    # a new payment changes its payer's profile, counted in each of its corridor beneficiaries
    store.load_beneficiaries(work, work.payer_partners(senders))
    before = {(s, b): copy(pair) for s, b in pairs
              if (pair := work.state.payers.get(s, _NO_PAYER).pairs.get(b)) is not None}
    replay_flagged(work.state, con)
    work.adopt_folded()
    _count_folded_pairs(work, pairs, before)
    return senders, receivers


_NO_PAYER = PayerState()


def _count_folded_pairs(work: Workset, pairs: list[tuple[str, str]],
                        before: dict[tuple[str, str], PairState]) -> None:
    """Move each folded pair from its value ``before`` the fold to its new one in its
    beneficiary's totals, and give the beneficiary the pair if it is now a corridor pair (a
    beneficiary is loaded with its corridor pairs only)."""
    state = work.state
    for s, b in pairs:
        pair = state.payers[s].pairs[b]
        totals = work.totals.setdefault(b, PairTotals(0))
        old = before.get((s, b))
        if old is not None:
            totals.count(old, -1)
        totals.count(pair, 1)
        if pair.corridor:
            state.beneficiaries[b].pairs[s] = pair


def _graph(con: Any, store: PartyStateStore, work: Workset, cfg: DetectConfig,
           known: pd.DataFrame) -> dict[str, GraphContext]:
    """Per role, the graph context of the parties in memory (as screen.setup builds it)."""
    kyc = kyc_days(read_kyc(con, work.payers))
    facilitators = store.graph("facilitator", work.beneficiaries | work.fan_in_only)
    base = GraphContext(
        min_fan_in=cfg.graph.min_fan_in, den_size=facilitators["den_size"],
        shared_payer_facilitators=facilitators["shared_payer_facilitators"],
        known_risk=store.graph("payer", work.payers)["known_risk"],
        offenders=set(known.loc[known["label"] == "offender", "party_id"].astype(str)),
        facilitators=set(known.loc[known["label"] == "facilitator", "party_id"].astype(str)),
        birth_day=dict(zip(kyc["party_id"], kyc["birth_day"], strict=True)),
        male={k: v for k, v in zip(kyc["party_id"], kyc["male"], strict=True) if v == v})
    return {"payer": base, "facilitator": replace(base, known_risk=facilitators["known_risk"])}


def _labelled(con: Any, since: int) -> set[str]:
    """Parties whose known label arrived after ingest run ``since``."""
    try:
        rows = con.execute("SELECT CAST(party_id AS VARCHAR) FROM known WHERE ingest_id > ?",
                           [int(since)]).fetchall()
    except duckdb.CatalogException:  # a warehouse without a known file
        return set()
    return {str(r[0]) for r in rows}


def _left_the_window(con: Any, cfg: DetectConfig, since: int, clock: float) -> set[str]:
    """Payers with a corridor payment that left the recent window since the last scan: its
    day at or after the last scan's end minus ``recent_days``, before ``clock``'s. Their
    recent columns moved although they sent nothing; finding them reads one slice of the
    history as long as the time appended (and the last scan's end: one column's maximum)."""
    found = con.execute("SELECT epoch(max(ts_utc)) / 86400.0 FROM transactions "
                        "WHERE ingest_id <= ?", [int(since)]).fetchall()
    if not found or found[0][0] is None or not math.isfinite(clock):
        return set()
    recent = cfg.features.recent_days
    start, stop = float(found[0][0]) - recent, clock - recent
    if stop <= start:
        return set()

    def instant(day: float, pad: float) -> str:  # a timestamp bound for DuckDB's zone maps
        return (EPOCH + timedelta(days=day, seconds=pad)).strftime("%Y-%m-%d %H:%M:%S")

    flag_payments_where(con, cfg, f"ts_utc >= TIMESTAMP '{instant(start, -1)}' "
                                  f"AND ts_utc < TIMESTAMP '{instant(stop, 1)}'")
    rows = con.execute(f"SELECT DISTINCT sender_id FROM {FLAGS_TABLE} WHERE is_corridor AND "
                       f"epoch(ts_utc) / 86400.0 >= {start!r} AND "
                       f"epoch(ts_utc) / 86400.0 < {stop!r}").fetchall()
    return {str(r[0]) for r in rows}


def _touch_and_load(store: PartyStateStore, work: Workset, senders: set[str],
                    receivers: set[str], labelled: set[str], clocked: set[str]
                    ) -> dict[str, set[str]]:
    """Load and name the parties to rescore, and load everything their rows read.

    Payers: the new payments' senders, the corridor co-payers of their beneficiaries (fan-in,
    co-payer profiles) and of the senders' other corridor beneficiaries (co-payer scores),
    newly labelled parties and the ``clocked`` payers, whose recent window lost payments.
    Facilitators: the new payments' beneficiaries, the corridor beneficiaries of every payer
    rescored (their payers' profiles and scores move) and newly labelled parties. A payer's
    row reads its corridor
    beneficiaries (and their payers); a facilitator's reads its corridor payers and, two hops
    out, their other beneficiaries' fan-in.
    """
    store.load_payers(work, senders | labelled | clocked)
    # the corridor beneficiaries of the senders, whose other payers' co-payer columns (the
    # second payer stage reads the co-payers' scores) move with the senders' scores
    paid = receivers | work.payer_partners(senders)
    store.load_beneficiaries(work, paid | labelled)
    payers = (senders | work.beneficiary_partners(paid)
              | ((labelled | clocked) & work.payers))
    store.load_payers(work, payers)
    partners = work.payer_partners(payers)
    store.load_beneficiaries(work, partners)
    facilitators = receivers | partners | (labelled & work.beneficiaries)
    store.load_payers(work, work.beneficiary_partners(facilitators))
    store.load_fan_in(work, work.payer_partners(work.payers))
    return {"payer": payers & set(work.state.payers), "facilitator": facilitators}


def _row_cache(work: Workset, facilitators: set[str], min_fan_in: int) -> RowCache:
    """A row cache holding the stored totals over all pairs of the loaded ``facilitators``
    (their rows then never loop over every payer a merchant ever had)."""
    cache = RowCache(work.state, min_fan_in)
    seed_totals(work, cache, facilitators & work.beneficiaries)
    return cache


def _payer_rows(state: PartyState, payers: set[str], graph: GraphContext
                ) -> dict[str, dict[str, float]]:
    """Rows of ``payers``, one profile pass: the payers of the new payments get their row
    (and so their profile) first; once every profile is current, their co-payer columns are
    read again, and the other payers' rows are built."""
    first = {}
    for p in sorted(state.dirty):
        row = payer_vector(state, p, graph)
        if p in payers:
            first[p] = row
    rows = {}
    for p in sorted(payers & set(state.payers)):
        if p in first:
            rows[p] = {**first[p], **_co_payers(state, state.payers[p])}
        else:
            rows[p] = payer_vector(state, p, graph)
    return rows


def _rows(work: Workset, touched: dict[str, set[str]], graph: dict[str, GraphContext]
          ) -> dict[str, pd.DataFrame]:
    """Feature rows of the touched parties (beneficiaries loaded from the store, with their
    totals over all pairs instead of all their pairs)."""
    state = work.state
    payers = _payer_rows(state, touched["payer"], graph["payer"])
    cache = _row_cache(work, touched["facilitator"], graph["facilitator"].min_fan_in)
    facilitators = {b: facilitator_vector(state, b, graph["facilitator"], cache=cache)
                    for b in sorted(touched["facilitator"]) if b in work.beneficiaries}
    out = {}
    for role, rows in (("payer", payers), ("facilitator", facilitators)):
        out[role] = _frame(rows)
    return out


def _frame(rows: dict[str, dict[str, float]]) -> pd.DataFrame:
    """party id → row as a float frame indexed by party_id, columns in the rows' order (a
    matrix of the values: pandas' ``from_dict(orient="index")`` takes 17 s for 219k rows)."""
    columns = list(next(iter(rows.values()), {}))
    if any(len(row) != len(columns) for row in rows.values()):  # rows of another shape
        columns = list(dict.fromkeys(c for row in rows.values() for c in row))
    values = np.array([[row.get(c, np.nan) for c in columns] for row in rows.values()],
                      dtype="float64").reshape(len(rows), len(columns))
    return pd.DataFrame(values, index=pd.Index([str(k) for k in rows], name="party_id"),
                        columns=columns)


def has_state_through(con: Any, cfg: DetectConfig, store: PartyStateStore, through: int
                      ) -> bool:
    """Whether ``store`` holds a state to fold into (else the scan builds it first)."""
    settings = state_settings(_fresh_state(cfg, con))
    return store.has_state(settings) and int(store.meta()["through_ingest_id"]) <= through


@dataclass
class CurrentState:
    """The stored state brought up to an ingest run: ``work`` holds the parties of the payments
    folded in since the store was written (``folded``: their senders and beneficiaries);
    ``meta`` is the store's as read before, ``built`` the record of a build (None: none)."""

    work: Workset
    folded: tuple[set[str], set[str]]
    meta: dict[str, Any]
    built: dict[str, Any] | None


def current_state(con: Any, cfg: DetectConfig, store: PartyStateStore, through: int
                  ) -> CurrentState:
    """The store's state with the warehouse's payments up to ingest run ``through`` folded in,
    in memory (the store is written by ``PartyStateStore.save`` only). A store without a state
    to fold into (``has_state_through``) is first built from the whole history, in shards."""
    built = None
    if not has_state_through(con, cfg, store, through):
        built = build_state_store(con, cfg.features, store, through, read_kyc(con),
                                  _fresh_state(cfg, con))
    meta = store.meta()
    work = Workset(store.new_state())
    folded = (_fold(con, cfg, store, work, int(meta["through_ingest_id"]))
              if int(meta["through_ingest_id"]) < through else (set(), set()))
    return CurrentState(work, folded, meta, built)


def state_rows(con: Any, cfg: DetectConfig, store: PartyStateStore, since: int, through: int,
               known: pd.DataFrame) -> TouchedRows:
    """Feature rows of the parties touched after ingest run ``since`` (the last scan's), their
    corridor pairs, the ``scan.incremental`` record and how to write the updated state back."""
    current = current_state(con, cfg, store, through)
    work, folded, meta, built = current.work, current.folded, current.meta, current.built
    senders, receivers = _parties(con, f"ingest_id > {int(since)}")
    clocked = _left_the_window(con, cfg, since, work.state.clock)
    touched = _touch_and_load(store, work, senders, receivers, _labelled(con, since), clocked)
    graph = _graph(con, store, work, cfg, known)
    features = _rows(work, touched, graph)
    changed_payers = folded[0] | touched["payer"]
    changed_beneficiaries = folded[1] | work.payer_partners(changed_payers)
    pairs = [(b, s) for b in features["facilitator"].index
             for s, pair in work.state.beneficiaries[b].pairs.items() if pair.corridor]
    # the co-payers of the rescored payers: every corridor payer of their corridor beneficiaries
    partners = work.payer_partners(features["payer"].index)
    payer_pairs = [(b, s) for b in sorted(partners) if b in work.beneficiaries
                   for s, pair in work.state.beneficiaries[b].pairs.items() if pair.corridor]
    record: dict[str, Any] = {
        "mode": STATE_MODE if built is None else BUILT_MODE,
        "touched": {role: len(ids) for role, ids in touched.items()},
        "left_recent_window": len(clocked),
        "state": {"folded_payments": work.state.payments - int(meta["payments"]),
                  "loaded_payers": len(work.payers),
                  "loaded_beneficiaries": len(work.beneficiaries),
                  "fan_in_only": len(work.fan_in_only)}}
    if built is not None:
        record["build"] = built

    def save() -> None:
        store.save(work, changed_payers, changed_beneficiaries, through)

    columns = ["beneficiary_id", "sender_id"]
    return TouchedRows(features, pd.DataFrame(pairs, columns=columns), record, save,
                       pd.DataFrame(payer_pairs, columns=columns))

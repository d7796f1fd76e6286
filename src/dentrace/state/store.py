"""The party state kept on disk in a workspace (``party_state.sqlite``): one row per payer, per
beneficiary and per pair, keyed by party id, so an incremental scan reads only what it touches.

Tables: ``payer`` and ``beneficiary`` (party id → the pickled ``PayerState`` /
``BeneficiaryState`` without their pair records; the beneficiary row also holds its
unrelated-small payer count, read alone for parties two hops away, and the totals its
facilitator row reads over all its payers: counts of foreign, fixed and family payers and the
sorted pair spans), ``pair`` ((payer, beneficiary) → the pickled ``PairState``, with its
corridor flag, indexed by beneficiary for the corridor pairs only), ``graph`` (per role and
party, the whole-graph results of the last full scan: den size, shared-payer facilitators,
known risk) and ``meta`` (the last ingest run folded in, the clock, the state's settings).

A payer or a beneficiary is loaded with its corridor pairs only (1.6% of the pairs at 10M: a
merchant's customers paid at home stay on disk), since only they enter the feature rows; a
fold loads the pairs its payments change. A pair is changed only by a payment of its payer or
by its payer's profile, so the pairs in memory are written with their payer. Blobs are read with
an unpickler that admits the state classes and builtin containers only.
"""

from __future__ import annotations

import io
import json
import math
import pickle
import sqlite3
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from operator import attrgetter
from pathlib import Path
from typing import Any

import pandas as pd

from dentrace.errors import WorkspaceError
from dentrace.state.fold import BeneficiaryState, PairState, PartyState, PayerState
from dentrace.state.totals import PairTotals
from dentrace.store.workspace import STATE_FILE, Workspace

FORMAT = 2  # 1: pair records inside the payer and beneficiary rows
CHUNK = 900  # ids per IN (...) query: below SQLite's default parameter limit
CACHE_KIB = 512 * 1024  # SQLite's page cache of the store connection (it grows as used)
GRAPH_COLUMNS = ("den_size", "shared_payer_facilitators", "known_risk")
PARTY_TABLES = ("payer", "beneficiary", "pair")
_PAIR_INDEX = "pair_corridor"  # the corridor pairs of a beneficiary
_ALLOWED = {("dentrace.state.fold", "PayerState"), ("dentrace.state.fold", "PairState"),
            ("dentrace.state.fold", "BeneficiaryState"), ("collections", "deque"),
            ("builtins", "set"), ("builtins", "frozenset"), ("copyreg", "_reconstructor"),
            ("builtins", "object")}
_RENAMED = {"dentrace.screen.state": "dentrace.state.fold"}  # old module -> where it lives now
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS payer (party_id TEXT PRIMARY KEY, state BLOB) WITHOUT ROWID",
    """CREATE TABLE IF NOT EXISTS beneficiary (party_id TEXT PRIMARY KEY,
           unrelated_small_payers INTEGER, foreign_payers INTEGER, fixed_payers INTEGER,
           family_payers INTEGER, spans BLOB, state BLOB) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS pair (sender_id TEXT, beneficiary_id TEXT, corridor INTEGER,
           state BLOB, PRIMARY KEY (sender_id, beneficiary_id)) WITHOUT ROWID""",
    f"""CREATE INDEX IF NOT EXISTS {_PAIR_INDEX} ON pair (beneficiary_id, sender_id)
           WHERE corridor = 1""",
    """CREATE TABLE IF NOT EXISTS graph (role TEXT, party_id TEXT, den_size REAL,
           shared_payer_facilitators REAL, known_risk REAL, PRIMARY KEY (role, party_id))
           WITHOUT ROWID""",
)

_SCHEMA_INDEX = 4  # the statement of _SCHEMA that creates _PAIR_INDEX


class _StateUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        # stores written before the state moved to dentrace.state name the old module
        module = _RENAMED.get(module, module)
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{STATE_FILE}: unexpected object {module}.{name}")
        return super().find_class(module, name)


def _loads(blob: bytes) -> Any:
    return _StateUnpickler(io.BytesIO(blob)).load()


_FIELDS = {cls: attrgetter(*(f.name for f in fields(cls)))
           for cls in (PayerState, BeneficiaryState, PairState)}
_PAIRS_AT = {cls: [f.name for f in fields(cls)].index("pairs")
             for cls in (PayerState, BeneficiaryState)}


def _by_fields(value: Any) -> tuple[Any, tuple[Any, ...]]:
    """Pickle a state record as its class called with its field values (loading then runs the
    dataclass ``__init__`` once, several times faster than the slots ``__setstate__``); a
    party's pair records are left out: they have their own table."""
    values = _FIELDS[type(value)](value)
    at = _PAIRS_AT.get(type(value))
    if at is not None:
        values = (*values[:at], {}, *values[at + 1:])
    return type(value), values


_REDUCERS = dict.fromkeys(_FIELDS, _by_fields)


def _dumps(value: Any) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.dispatch_table = _REDUCERS  # type: ignore[assignment]
    pickler.dump(value)
    return buffer.getvalue()


@dataclass
class Workset:
    """The part of the party state in memory: loaded payers (with their corridor pairs and the
    pairs being folded into), loaded beneficiaries (with their corridor pairs and the totals
    over all their pairs in ``totals``), and beneficiaries two hops away of which only the
    unrelated-small payer count is known (never folded into, never saved)."""

    state: PartyState
    payers: set[str] = field(default_factory=set)
    beneficiaries: set[str] = field(default_factory=set)
    fan_in_only: set[str] = field(default_factory=set)
    totals: dict[str, PairTotals] = field(default_factory=dict)

    def payer_partners(self, ids: Iterable[str]) -> set[str]:
        """The corridor beneficiaries of the payers ``ids`` in memory."""
        payers = self.state.payers
        return corridor_partners(payers[p].pairs for p in ids if p in payers)

    def beneficiary_partners(self, ids: Iterable[str]) -> set[str]:
        """The corridor payers (in memory) of the fully loaded beneficiaries ``ids``."""
        return corridor_partners(self.state.beneficiaries[b].pairs for b in ids
                                 if b in self.beneficiaries)

    def adopt_folded(self) -> None:
        """Count every party the state now holds, e.g. those created by the payments folded in,
        as fully loaded."""
        self.payers |= set(self.state.payers)
        self.beneficiaries |= set(self.state.beneficiaries) - self.fan_in_only


def _totals_row(totals: PairTotals) -> tuple[int, int, int, bytes]:
    return totals.foreign, totals.fixed, totals.family, array("d", totals.spans).tobytes()


def _totals_of(n_incoming: int, row: tuple[Any, ...]) -> PairTotals:
    foreign, fixed, family, spans = row
    return PairTotals(n_incoming, int(foreign), int(fixed), int(family),
                      array("d", spans).tolist())


class PartyStateStore:
    """``party_state.sqlite`` of a workspace (created on first use; party tables of another
    format are dropped, so the next incremental scan builds them again)."""

    def __init__(self, workspace: Path, shared: bool = False) -> None:
        """``shared``: the connection may be used from other threads (the caller serialises
        its use, as the screener does under its lock)."""
        self.path = Workspace(workspace).party_state
        try:
            self.db = sqlite3.connect(self.path, check_same_thread=not shared)
            # write-ahead log: a crash loses at most the last scan's write, never the file
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            # pages cached: a scan reads and writes back parties all over a 7 GB store at 100M
            self.db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            self.db.execute(_SCHEMA[0])
            if self.meta().get("format", FORMAT) != FORMAT or self._old_columns():
                self._drop_parties()
            for statement in _SCHEMA[1:]:
                self.db.execute(statement)
        except sqlite3.DatabaseError as exc:
            raise WorkspaceError(f"{self.path}: not a party state store ({exc})") from exc

    def _old_columns(self) -> bool:
        """True for a beneficiary table of an older format (written before ``format``)."""
        columns = {r[1] for r in self.db.execute("PRAGMA table_info(beneficiary)")}
        return bool(columns) and "spans" not in columns

    def _drop_parties(self) -> None:
        with self.db:
            for table in PARTY_TABLES:
                self.db.execute(f"DROP TABLE IF EXISTS {table}")
            self.db.execute("DELETE FROM meta WHERE key IN ('format', 'through_ingest_id')")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> PartyStateStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- meta -----------------------------------------------------------------------------
    def meta(self) -> dict[str, Any]:
        return {k: json.loads(v) for k, v in self.db.execute("SELECT key, value FROM meta")}

    def has_state(self, settings: dict[str, Any]) -> bool:
        """True when the store holds a folded state made with ``settings``."""
        meta = self.meta()
        return meta.get("format") == FORMAT and "through_ingest_id" in meta and all(
            meta.get(k) == v for k, v in settings.items())

    def has_graph(self) -> bool:
        return self.db.execute("SELECT 1 FROM graph LIMIT 1").fetchone() is not None

    def new_state(self) -> PartyState:
        """An empty PartyState with the store's settings and clock."""
        meta = self.meta()
        state = PartyState(tuple(meta["small_band"]), int(meta["recent_days"]),  # type: ignore[arg-type]
                           bool(meta["surname_family"]))
        state.clock = float(meta["clock"])
        state.payments = int(meta["payments"])
        return state

    def _set_meta(self, values: dict[str, Any]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                            [(k, json.dumps(v)) for k, v in values.items()])

    # --- graph results of the last full scan -----------------------------------------------
    def keep_graph(self, features: dict[str, pd.DataFrame]) -> None:
        """Replace the graph table with the whole-graph columns of a full scan's features."""
        rows: list[tuple[Any, ...]] = []
        for role, frame in features.items():
            present = [c for c in GRAPH_COLUMNS if c in frame.columns]
            if frame.empty or not present:
                continue
            values = frame.reindex(columns=list(GRAPH_COLUMNS)).astype("float64").fillna(0.0)
            rows.extend((role, str(i), *v) for i, v in zip(
                values.index, values.itertuples(index=False, name=None), strict=True))
        with self.db:
            self.db.execute("DELETE FROM graph")
            self.db.executemany("INSERT INTO graph VALUES (?, ?, ?, ?, ?)", rows)

    def graph(self, role: str, ids: Iterable[str]) -> dict[str, dict[str, float]]:
        """column → {party id → value} of the last full scan, for ``ids`` of ``role``."""
        out: dict[str, dict[str, float]] = {c: {} for c in GRAPH_COLUMNS}
        for party, *values in self._select(
                "SELECT party_id, den_size, shared_payer_facilitators, known_risk FROM graph "
                "WHERE role = ? AND party_id IN ({})", ids, (role,)):
            for column, value in zip(GRAPH_COLUMNS, values, strict=True):
                out[column][party] = float(value)
        return out

    # --- party rows ------------------------------------------------------------------------
    def _select(self, sql: str, ids: Iterable[str], before: tuple[Any, ...] = ()
                ) -> Iterator[tuple[Any, ...]]:
        wanted = sorted(set(ids))
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start:start + CHUNK]
            yield from self.db.execute(sql.format(", ".join("?" * len(chunk))),
                                       (*before, *chunk))

    def load_payers(self, work: Workset, ids: Iterable[str]) -> set[str]:
        """Load the payers of ``ids`` not yet in memory with their corridor pairs, sharing each
        with a loaded beneficiary that holds it (a party absent from the store starts empty
        when it is folded into); returns those loaded."""
        state = work.state
        missing = set(ids) - work.payers
        loaded: dict[str, PayerState] = {}
        for party, blob in self._select(
                "SELECT party_id, state FROM payer WHERE party_id IN ({})", missing):
            loaded[party] = _loads(blob)
        for sender_id, beneficiary_id, blob in self._select(
                "SELECT sender_id, beneficiary_id, state FROM pair "
                "WHERE corridor = 1 AND sender_id IN ({})", loaded):
            loaded[sender_id].pairs[beneficiary_id] = _shared(work, sender_id, beneficiary_id,
                                                              blob)
        state.payers.update(loaded)
        work.payers |= set(loaded)
        return set(loaded)

    def load_pairs(self, work: Workset, pairs: Iterable[tuple[str, str]]) -> None:
        """Load the (payer, beneficiary) ``pairs`` of loaded payers that are not in memory (a
        payer is loaded with its corridor pairs only): the pairs a fold is about to change."""
        payers = work.state.payers
        wanted = sorted({(s, b) for s, b in pairs
                         if s in work.payers and b not in payers[s].pairs})
        for sender_id, beneficiary_id in wanted:  # by primary key (a row-value IN scans)
            found = self.db.execute("SELECT state FROM pair WHERE sender_id = ? AND "
                                    "beneficiary_id = ?", (sender_id, beneficiary_id)).fetchone()
            if found is not None:
                payers[sender_id].pairs[beneficiary_id] = _shared(work, sender_id,
                                                                  beneficiary_id, found[0])

    def load_beneficiaries(self, work: Workset, ids: Iterable[str]) -> set[str]:
        """Load the beneficiaries of ``ids`` not yet fully in memory, with their corridor pairs
        (shared with loaded payers) and the totals over all their pairs; returns those loaded."""
        state = work.state
        missing = set(ids) - work.beneficiaries
        if missing & work.fan_in_only:
            raise WorkspaceError(f"{STATE_FILE}: beneficiary loaded for its fan-in first")
        loaded: dict[str, BeneficiaryState] = {}
        for party, *totals, blob in self._select(
                "SELECT party_id, foreign_payers, fixed_payers, family_payers, spans, state "
                "FROM beneficiary WHERE party_id IN ({})", missing):
            beneficiary: BeneficiaryState = _loads(blob)
            loaded[party] = beneficiary
            work.totals[party] = _totals_of(beneficiary.n_incoming, tuple(totals))
        for sender_id, beneficiary_id, blob in self._select(
                "SELECT sender_id, beneficiary_id, state FROM pair "
                "WHERE corridor = 1 AND beneficiary_id IN ({})", loaded):
            payer = state.payers.get(sender_id) if sender_id in work.payers else None
            mine = payer.pairs.get(beneficiary_id) if payer is not None else None
            # a corridor pair is in memory with its payer: that copy wins (it may have changed)
            loaded[beneficiary_id].pairs[sender_id] = mine if mine is not None else _loads(blob)
        state.beneficiaries.update(loaded)
        work.beneficiaries |= set(loaded)
        return set(loaded)

    def load_fan_in(self, work: Workset, ids: Iterable[str]) -> None:
        """The unrelated-small payer count alone of beneficiaries not in memory."""
        missing = set(ids) - work.beneficiaries - work.fan_in_only
        for party, count in self._select(
                "SELECT party_id, unrelated_small_payers FROM beneficiary "
                "WHERE party_id IN ({})", missing):
            work.state.beneficiaries[party] = BeneficiaryState(unrelated_small_payers=int(count))
            work.fan_in_only.add(party)

    def save(self, work: Workset, payers: Iterable[str], beneficiaries: Iterable[str],
             through_ingest_id: int) -> None:
        """Write back the given payers (with their pairs in memory), beneficiaries (with their
        totals) and the clock, in one transaction."""
        state = work.state
        chosen = sorted(b for b in beneficiaries if b in state.beneficiaries)
        wrong = [b for b in chosen if b in work.fan_in_only or b not in work.totals]
        if wrong:
            raise WorkspaceError(f"{STATE_FILE}: would save a partial beneficiary "
                                 f"({sorted(wrong)[0]})")
        # in key order: each B-tree page is then changed once, not once per record on it
        chosen_payers = sorted(p for p in payers if p in state.payers)
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO payer VALUES (?, ?)", (
                (p, _dumps(state.payers[p])) for p in chosen_payers))
            self.db.executemany("INSERT OR REPLACE INTO pair VALUES (?, ?, ?, ?)", (
                (p, b, int(pair.corridor), _dumps(pair)) for p in chosen_payers
                for b, pair in sorted(state.payers[p].pairs.items())))
            self.db.executemany("INSERT OR REPLACE INTO beneficiary VALUES (?, ?, ?, ?, ?, ?, ?)",
                                ((b, state.beneficiaries[b].unrelated_small_payers,
                                  *_totals_row(work.totals[b]), _dumps(state.beneficiaries[b]))
                                 for b in chosen))
            self._set_meta({"format": FORMAT, "through_ingest_id": through_ingest_id,
                            "clock": state.clock if math.isfinite(state.clock) else -1e18,
                            "payments": state.payments,
                            **state_settings(state)})

    def replace_from(self, shards: Iterable[Path], meta: dict[str, Any]) -> None:
        """Empty the party tables, fill them from ``shards`` (stores of this format that hold
        disjoint whole parties: payers with all their pairs, or beneficiaries) and set
        ``meta`` (through_ingest_id last: a crash in between leaves no state claimed)."""
        with self.db:
            self.db.execute("DELETE FROM meta WHERE key = 'through_ingest_id'")
            for table in PARTY_TABLES:
                self.db.execute(f"DELETE FROM {table}")
            self.db.execute(f"DROP INDEX IF EXISTS {_PAIR_INDEX}")  # built once, at the end
        for path in shards:
            self.db.execute("ATTACH DATABASE ? AS shard", (str(path),))
            try:
                with self.db:
                    for table in PARTY_TABLES:
                        self.db.execute(f"INSERT INTO {table} SELECT * FROM shard.{table}")
            finally:
                self.db.execute("DETACH DATABASE shard")
        with self.db:
            self.db.execute(_SCHEMA[_SCHEMA_INDEX])
            self._set_meta({"format": FORMAT, **meta})


def _shared(work: Workset, sender_id: str, beneficiary_id: str, blob: bytes) -> PairState:
    """The pair record of a payer being loaded: the loaded beneficiary's copy when it holds
    one (it may have changed since it was read), else the stored one, given to a loaded
    beneficiary too when it is a corridor pair."""
    theirs = (work.state.beneficiaries[beneficiary_id].pairs
              if beneficiary_id in work.beneficiaries else None)
    pair = theirs.get(sender_id) if theirs is not None else None
    if pair is None:
        pair = _loads(blob)
        if theirs is not None and pair.corridor:
            theirs[sender_id] = pair
    return pair


def corridor_partners(pairs_of: Iterable[dict[str, PairState]]) -> set[str]:
    """The counterparts of the corridor pairs among ``pairs_of`` (parties' pair records)."""
    return {other for pairs in pairs_of for other, pair in pairs.items() if pair.corridor}


def state_settings(state: PartyState) -> dict[str, Any]:
    """The settings a stored state was folded with (a change means building it again)."""
    return {"small_band": list(state.small_band), "recent_days": state.recent_days,
            "surname_family": state.surname_family}


def keep_graph_context(workspace: Path, features: dict[str, pd.DataFrame]) -> None:
    """After a full scan: store its whole-graph results for the next incremental scans."""
    with PartyStateStore(workspace) as store:
        store.keep_graph(features)


__all__ = ["STATE_FILE", "PartyStateStore", "Workset", "keep_graph_context", "state_settings"]

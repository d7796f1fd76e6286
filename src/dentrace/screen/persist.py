"""The party state kept on disk in a workspace (``party_state.sqlite``): one row per payer and per
beneficiary, keyed by party id, so an incremental scan reads and writes only the parties it touches.

Tables: ``payer`` and ``beneficiary`` (party id → the pickled ``PayerState`` /
``BeneficiaryState``, each with its own copy of its pair records; the beneficiary row also holds
its unrelated-small payer count, read alone for parties two hops away), ``graph`` (per role and
party, the whole-graph results of the last full scan: den size, shared-payer facilitators, known
risk) and ``meta`` (the last ingest run folded in, the clock, the state's settings). A pair is
changed only by a payment of its payer to its beneficiary, or by its payer's profile, and both
rows are written back together, so the two copies stay equal. Blobs are read with an unpickler
that admits the state classes and builtin containers only.
"""

from __future__ import annotations

import io
import json
import math
import pickle
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from operator import attrgetter
from pathlib import Path
from typing import Any

import pandas as pd

from dentrace.errors import WorkspaceError
from dentrace.screen.state import BeneficiaryState, PairState, PartyState, PayerState

STATE_FILE = "party_state.sqlite"
FORMAT = 1
CHUNK = 900  # ids per IN (...) query: below SQLite's default parameter limit
GRAPH_COLUMNS = ("den_size", "shared_payer_facilitators", "known_risk")
_ALLOWED = {("dentrace.screen.state", "PayerState"), ("dentrace.screen.state", "PairState"),
            ("dentrace.screen.state", "BeneficiaryState"), ("collections", "deque"),
            ("builtins", "set"), ("builtins", "frozenset"), ("copyreg", "_reconstructor"),
            ("builtins", "object")}
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS payer (party_id TEXT PRIMARY KEY, state BLOB) WITHOUT ROWID",
    """CREATE TABLE IF NOT EXISTS beneficiary (party_id TEXT PRIMARY KEY,
           unrelated_small_payers INTEGER, state BLOB) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS graph (role TEXT, party_id TEXT, den_size REAL,
           shared_payer_facilitators REAL, known_risk REAL, PRIMARY KEY (role, party_id))
           WITHOUT ROWID""",
)


class _StateUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{STATE_FILE}: unexpected object {module}.{name}")
        return super().find_class(module, name)


def _loads(blob: bytes) -> Any:
    return _StateUnpickler(io.BytesIO(blob)).load()


def _by_fields(value: Any) -> tuple[Any, tuple[Any, ...]]:
    """Pickle a state record as its class called with its field values: loading then runs
    the dataclass ``__init__`` once, several times faster than the slots ``__setstate__``."""
    return type(value), _FIELDS[type(value)](value)


_FIELDS = {cls: attrgetter(*(f.name for f in fields(cls)))
           for cls in (PayerState, BeneficiaryState, PairState)}
_REDUCERS = dict.fromkeys(_FIELDS, _by_fields)


def _dumps(value: Any) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.dispatch_table = _REDUCERS  # type: ignore[assignment]
    pickler.dump(value)
    return buffer.getvalue()


@dataclass
class Workset:
    """The part of the party state in memory: fully loaded parties, and beneficiaries two hops
    away of which only the unrelated-small payer count is known (never folded into, never saved)."""

    state: PartyState
    payers: set[str] = field(default_factory=set)
    beneficiaries: set[str] = field(default_factory=set)
    fan_in_only: set[str] = field(default_factory=set)

    def adopt_folded(self) -> None:
        """Count every party the state now holds, e.g. those created by the payments folded in,
        as fully loaded."""
        self.payers |= set(self.state.payers)
        self.beneficiaries |= set(self.state.beneficiaries) - self.fan_in_only


class PartyStateStore:
    """``party_state.sqlite`` of a workspace (created on first use)."""

    def __init__(self, workspace: Path) -> None:
        self.path = Path(workspace) / STATE_FILE
        try:
            self.db = sqlite3.connect(self.path)
            # write-ahead log: a crash loses at most the last scan's write, never the file
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            for statement in _SCHEMA:
                self.db.execute(statement)
        except sqlite3.DatabaseError as exc:
            raise WorkspaceError(f"{self.path}: not a party state store ({exc})") from exc

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
                ) -> Iterable[tuple[Any, ...]]:
        wanted = sorted(set(ids))
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start:start + CHUNK]
            yield from self.db.execute(sql.format(", ".join("?" * len(chunk))),
                                       (*before, *chunk))

    def load_payers(self, work: Workset, ids: Iterable[str]) -> None:
        """Load the payers of ``ids`` not yet in memory, sharing pair records with loaded
        beneficiaries (a party absent from the store starts empty when it is folded into)."""
        state = work.state
        missing = set(ids) - work.payers
        for party, blob in self._select(
                "SELECT party_id, state FROM payer WHERE party_id IN ({})", missing):
            payer: PayerState = _loads(blob)
            for beneficiary_id in payer.pairs:
                if beneficiary_id in work.beneficiaries:
                    _link(payer.pairs, beneficiary_id,
                          state.beneficiaries[beneficiary_id].pairs, party)
            state.payers[party] = payer
        work.payers |= missing & set(state.payers)

    def load_beneficiaries(self, work: Workset, ids: Iterable[str]) -> None:
        """Load the beneficiaries of ``ids`` not yet fully in memory, as ``load_payers``."""
        state = work.state
        missing = set(ids) - work.beneficiaries
        if missing & work.fan_in_only:
            raise WorkspaceError(f"{STATE_FILE}: beneficiary loaded for its fan-in first")
        for party, blob in self._select(
                "SELECT party_id, state FROM beneficiary WHERE party_id IN ({})", missing):
            beneficiary: BeneficiaryState = _loads(blob)
            for sender_id in beneficiary.pairs:
                if sender_id in work.payers:
                    _link(beneficiary.pairs, sender_id, state.payers[sender_id].pairs, party)
            state.beneficiaries[party] = beneficiary
        work.beneficiaries |= missing & set(state.beneficiaries)

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
        """Write back the given parties and the clock, in one transaction."""
        state = work.state
        wrong = set(beneficiaries) & work.fan_in_only
        if wrong:
            raise WorkspaceError(f"{STATE_FILE}: would save a partial beneficiary "
                                 f"({sorted(wrong)[0]})")
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO payer VALUES (?, ?)", (
                (p, _dumps(state.payers[p])) for p in payers if p in state.payers))
            self.db.executemany("INSERT OR REPLACE INTO beneficiary VALUES (?, ?, ?)", (
                (b, state.beneficiaries[b].unrelated_small_payers,
                 _dumps(state.beneficiaries[b])) for b in beneficiaries
                if b in state.beneficiaries))
            self._set_meta({"format": FORMAT, "through_ingest_id": through_ingest_id,
                            "clock": state.clock if math.isfinite(state.clock) else -1e18,
                            "payments": state.payments,
                            **state_settings(state)})

    def replace_all(self, state: PartyState, through_ingest_id: int) -> None:
        """Empty the party tables and write every party of ``state`` (after a build)."""
        with self.db:
            self.db.execute("DELETE FROM payer")
            self.db.execute("DELETE FROM beneficiary")
        work = Workset(state, set(state.payers), set(state.beneficiaries))
        self.save(work, state.payers, state.beneficiaries, through_ingest_id)


def state_settings(state: PartyState) -> dict[str, Any]:
    """The settings a stored state was folded with (a change means building it again)."""
    return {"small_band": list(state.small_band), "recent_days": state.recent_days,
            "surname_family": state.surname_family}


def _link(mine: dict[str, PairState], other_id: str, theirs: dict[str, PairState],
          own_id: str) -> None:
    """Make both sides hold one pair record; the side already in memory wins (it may have
    been changed since it was read)."""
    pair = theirs.get(own_id)
    if pair is None:
        theirs[own_id] = mine[other_id]
    else:
        mine[other_id] = pair


def keep_graph_context(workspace: Path, features: dict[str, pd.DataFrame]) -> None:
    """After a full scan: store its whole-graph results for the next incremental scans."""
    with PartyStateStore(workspace) as store:
        store.keep_graph(features)


__all__ = ["STATE_FILE", "PartyStateStore", "Workset", "keep_graph_context", "state_settings"]

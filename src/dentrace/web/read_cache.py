"""What the party screens read again and again, kept once per warehouse and per scan generation:
the payer–beneficiary pairs with their totals, the row ids of each party's payments, each
party's country, each party's best score, and recently drawn networks.

Measured on a scale-1 workspace (1.7 M payments, 527 k pairs, 2 shared cores): the two-hop
network of a busy beneficiary ran two scans of every payment (0.8 s) and read the whole parties
file (0.3 s) per request, and the queue looked up 130 countries with three scans (0.3 s) per
page. The pairs take about 3 s and 30 MB to build; an ingest or a new scan starts a new
generation, and nothing of an older one is served after it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from dentrace.graph.ego import PartyScores

# The per-pair totals of dentrace.graph.ego.EDGE_SQL, for every pair at once.
PAIRS_SQL = """
SELECT sender_id AS source, beneficiary_id AS target, count(*) AS payments,
       sum(amount_ref) AS amount_ref, min(ts_utc) AS first_payment, max(ts_utc) AS last_payment,
       min(sender_name) AS source_name, min(beneficiary_name) AS target_name,
       min(sender_country) AS source_country, min(beneficiary_country) AS target_country
FROM transactions GROUP BY sender_id, beneficiary_id
"""
TEXT_COLUMNS = ("source", "target", "source_name", "target_name", "source_country",
                "target_country")
PAIR_COLUMNS = ("source", "target", "payments", "amount_ref", "first_payment", "last_payment",
                "source_name", "target_name", "source_country", "target_country")
WarehouseKey = tuple[int, int, int]
REMEMBERED = 256  # answers kept per generation (a network is some 50 kB)


def warehouse_key(con: duckdb.DuckDBPyConnection, warehouse: Path) -> WarehouseKey:
    """What identifies the payments ``con`` sees: the warehouse file (a new workspace is a new
    file), the number of payments and the last ingest run (both change with every ingest)."""
    if not warehouse.exists():
        return (0, 0, 0)
    count, run = con.execute("SELECT (SELECT count(*) FROM transactions), "
                             "(SELECT coalesce(max(ingest_id), 0) FROM ingest_runs)").fetchall()[0]
    return (warehouse.stat().st_ino, int(count), int(run))


@dataclass(frozen=True)
class PairTable:
    """One row per (payer, beneficiary) with the totals of their payments. Text columns are
    kept as integer codes into arrays of their distinct values (a few MB instead of a Python
    string per cell; selecting rows by code takes milliseconds, where pandas' categorical
    ``isin`` and conversions took 130 ms per hop for a busy party)."""

    numbers: pd.DataFrame  # payments, amount_ref, first_payment, last_payment
    codes: dict[str, np.ndarray]  # text column -> code of each pair's value (-1: none)
    labels: dict[str, np.ndarray]  # text column -> its distinct values, then None
    ids: dict[str, pd.Index]  # "source" / "target" -> the distinct party ids of that side

    @classmethod
    def build(cls, con: duckdb.DuckDBPyConnection) -> PairTable:
        own = con.cursor()  # a cursor of its own: the request may hold an open result
        try:
            table = own.sql(PAIRS_SQL).to_arrow_table()
        finally:
            own.close()
        codes, labels = {}, {}
        for name in TEXT_COLUMNS:
            encoded = table.column(name).combine_chunks().dictionary_encode()
            codes[name] = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
            labels[name] = np.array([*encoded.dictionary.to_pylist(), None], dtype=object)
        numbers = table.drop_columns(list(TEXT_COLUMNS)).to_pandas()
        ids = {side: pd.Index(labels[side][:-1], dtype=object) for side in ("source", "target")}
        return cls(numbers, codes, labels, ids)

    def _touching(self, parties: Iterable[str], side: str) -> np.ndarray:
        wanted = self.ids[side].get_indexer(sorted(set(parties)))
        return np.isin(self.codes[side], wanted[wanted >= 0])

    def _text(self, name: str, rows: np.ndarray) -> np.ndarray:
        return self.labels[name][self.codes[name][rows]]  # code -1 picks the trailing None

    def edges_touching(self, parties: set[str]) -> pd.DataFrame:
        """The pairs with a payer or a beneficiary in ``parties`` (``graph.ego.EdgeSource``)."""
        rows = np.flatnonzero(self._touching(parties, "source")
                              | self._touching(parties, "target"))
        found = self.numbers.iloc[rows].reset_index(drop=True)
        for name in TEXT_COLUMNS:
            found[name] = self._text(name, rows)
        return found[list(PAIR_COLUMNS)]

    def countries(self, ids: list[str]) -> dict[str, str]:
        """A country each party's payments name (the first in alphabetical order), by id."""
        named: dict[str, str] = {}
        for side in ("source", "target"):
            rows = np.flatnonzero(self._touching(ids, side))
            for party, country in zip(self._text(side, rows),
                                      self._text(f"{side}_country", rows), strict=True):
                if country is not None and (party not in named or country < named[party]):
                    named[party] = country
        return named


@dataclass(frozen=True)
class PartyRows:
    """The row ids of each party's payments (sent or received), to read a party's payments
    without comparing every payment's ids: 3× faster for most parties (66 ms, not 196 ms, at
    scale 1); a busy beneficiary's are spread over the whole table either way."""

    slots: dict[str, int]  # party id -> its range in ``offsets``
    offsets: np.ndarray
    row_ids: np.ndarray

    @classmethod
    def build(cls, con: duckdb.DuckDBPyConnection) -> PartyRows:
        own = con.cursor()
        try:
            ids = own.sql("SELECT party_id FROM (SELECT sender_id AS party_id FROM transactions "
                          "UNION SELECT beneficiary_id FROM transactions) ORDER BY party_id"
                          ).fetchnumpy()["party_id"]
            own.register("_dentrace_codes", pd.DataFrame(
                {"party_id": np.asarray(ids, dtype=object), "code": np.arange(len(ids))}))
            # integer codes joined in DuckDB: no Python string per payment
            found = own.sql("SELECT t.rowid AS row_id, s.code AS sender, b.code AS beneficiary "
                            "FROM transactions t JOIN _dentrace_codes s ON t.sender_id = "
                            "s.party_id JOIN _dentrace_codes b ON t.beneficiary_id = b.party_id"
                            ).fetchnumpy()
        finally:
            own.close()
        row_id, sender, beneficiary = (np.asarray(found[k]) for k in ("row_id", "sender",
                                                                       "beneficiary"))
        other = beneficiary != sender  # a payment to oneself is listed once
        codes = np.concatenate([sender, beneficiary[other]])
        rows = np.concatenate([row_id, row_id[other]])
        order = np.argsort(codes, kind="stable")
        offsets = np.searchsorted(codes[order], np.arange(len(ids) + 1))
        return cls({str(p): i for i, p in enumerate(ids)}, offsets, rows[order])

    def of(self, party_id: str) -> list[int]:
        """Row ids of the party's payments, in no particular order."""
        slot = self.slots.get(party_id)
        if slot is None:
            return []
        return [int(r) for r in self.row_ids[self.offsets[slot]:self.offsets[slot + 1]]]


@dataclass
class _Generation:
    key: WarehouseKey
    pairs: PairTable | None = None
    rows: PartyRows | None = None
    countries: dict[str, str | None] = field(default_factory=dict)
    answers: OrderedDict[Hashable, Any] = field(default_factory=OrderedDict)


class ReadCache:
    """The figures of the newest warehouse generation a request has seen, and the parties
    frame of each scan file; one build at a time, shared by every request thread."""

    def __init__(self) -> None:
        self._generation: _Generation | None = None
        self._scores: dict[tuple[str, int], PartyScores] = {}
        self._lock = threading.Lock()

    def _current(self, key: WarehouseKey) -> _Generation:
        held = self._generation
        if held is None or held.key != key:
            held = _Generation(key)
            self._generation = held
        return held

    def pairs(self, con: duckdb.DuckDBPyConnection, warehouse: Path) -> PairTable:
        """The pair table of what ``con`` sees, built now when the payments changed."""
        key = warehouse_key(con, warehouse)
        with self._lock:
            held = self._current(key)
            if held.pairs is None:
                held.pairs = PairTable.build(con)
            return held.pairs

    def party_rows(self, con: duckdb.DuckDBPyConnection, warehouse: Path) -> PartyRows:
        """The row ids of each party's payments ``con`` sees, built now when they changed."""
        key = warehouse_key(con, warehouse)
        with self._lock:
            held = self._current(key)
            if held.rows is None:
                held.rows = PartyRows.build(con)
            return held.rows

    def countries(self, con: duckdb.DuckDBPyConnection, warehouse: Path, ids: Iterable[str],
                  look_up: Callable[[list[str]], dict[str, str]]) -> dict[str, str]:
        """``look_up``'s answer for ``ids``, asking it only about parties not yet known in
        this generation (a country comes from KYC or payments, both fixed within one)."""
        key = warehouse_key(con, warehouse)
        wanted = sorted(set(ids))
        with self._lock:
            known = self._current(key).countries
            missing = [p for p in wanted if p not in known]
        if missing:
            found = look_up(missing)
            with self._lock:
                known = self._current(key).countries
                known.update({p: found.get(p) for p in missing})
        return {p: c for p in wanted if (c := known.get(p)) is not None}

    def remember(self, con: duckdb.DuckDBPyConnection, warehouse: Path, key: Hashable,
                 compute: Callable[[], Any]) -> Any:
        """``compute()``'s answer for ``key`` in this warehouse generation, computed once while
        it is among the ``REMEMBERED`` most recent (``key`` must name the scan it reads)."""
        generation = warehouse_key(con, warehouse)
        with self._lock:
            answers = self._current(generation).answers
            if key in answers:
                answers.move_to_end(key)
                return answers[key]
        answer = compute()
        with self._lock:
            answers = self._current(generation).answers
            answers[key] = answer
            while len(answers) > REMEMBERED:
                answers.popitem(last=False)
        return answer

    def scan_scores(self, path: str) -> PartyScores:
        """Best score and alert of each party of a scan's parties file, read once per file
        (a scan writes a new file; its modification time tells a rewritten one apart)."""
        key = (path, Path(path).stat().st_mtime_ns)
        with self._lock:
            scored = self._scores.get(key)
        if scored is None:
            scored = PartyScores.of(pd.read_parquet(path, columns=["party_id", "score", "alert"]))
            with self._lock:
                self._scores = {key: scored}  # the newest scan only
        return scored

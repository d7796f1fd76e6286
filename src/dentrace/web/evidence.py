"""Read-only views of a workspace's warehouse and scan outputs for the investigator screens.

Profiles, payments, ego networks and overview figures come from DuckDB queries; no scoring here.
A request reads one scan set (``store.scan_outputs``) and waits out an ingest's short turn.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from dentrace.contract.alert import AlertRecord
from dentrace.features.registry import night_hours
from dentrace.features.settings import FeatureSettings
from dentrace.graph.ego import PartyScores
from dentrace.store import warehouse_access
from dentrace.store.workspace import ALERTS_FILE, PARTIES_FILE, ScanSet, Workspace
from dentrace.web.read_cache import PairTable, ReadCache

__all__ = ["Evidence"]
# sender's local clock: the default night window of the features (features.registry)
NIGHT_HOURS = night_hours(FeatureSettings.night_start_hour, FeatureSettings.night_end_hour)
PROFILE_FIELDS = (
    "customer_id", "name", "birth_date", "gender", "country", "nationality", "occupation",
    "customer_since",
)
PAYMENT_FIELDS = (
    "txn_id", "ts_utc", "ts_local", "sender_id", "beneficiary_id", "amount", "currency",
    "amount_ref", "sender_name", "sender_country", "beneficiary_name", "beneficiary_country",
    "channel", "memo",
)


def _plain(value: Any) -> Any:
    """A JSON-friendly copy of one DuckDB value."""
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _rows(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description or []]
    return [{n: _plain(v) for n, v in zip(names, row, strict=True)} for row in cursor.fetchall()]


class Evidence:
    """The warehouse and scan files of one workspace, opened read-only for each question.

    ``wait``: how long a request waits for an ingest's turn at the warehouse before it is
    answered 503 (an ingest lets waiting readers in between two files).
    """

    def __init__(self, workspace: Path, wait: float = warehouse_access.READ_WAIT_S) -> None:
        self.workspace = Path(workspace)
        self.space = Workspace(workspace)
        self.wait = wait
        self._local = threading.local()
        self.cache = ReadCache()

    @property
    def has_warehouse(self) -> bool:
        return self.space.has_warehouse

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection and one scan set; nested calls on one thread share them
        (one open per request, and every file a request reads is of the same scan).

        Nothing stays open between requests, so an ingest gets its turn at the warehouse
        while the app runs (the request waits for it up to ``wait`` seconds).
        """
        shared = getattr(self._local, "connection", None)
        if shared is not None:
            yield shared
            return
        self._local.scan = self.space.current_scan()
        try:
            with self._open() as con:
                self._local.connection = con
                try:
                    yield con
                finally:
                    self._local.connection = None
        finally:
            self._local.scan = None

    def scan_set(self) -> ScanSet:
        """The scan set of this request (inside ``connect``), else the one in force."""
        pinned: ScanSet | None = getattr(self._local, "scan", None)
        return pinned if pinned is not None else self.space.current_scan()

    @contextmanager
    def _open(self) -> Iterator[duckdb.DuckDBPyConnection]:
        shared = self.has_warehouse
        if shared:
            con = self.space.connect_warehouse(read_only=True, wait=self.wait)
        else:
            con = duckdb.connect()
            self._empty_tables(con)
        try:
            con.execute("SET TimeZone = 'UTC'")
            con.execute("SET enable_progress_bar = false")
            yield con
        finally:
            if shared:
                self.space.close_warehouse(con)
            else:
                con.close()

    @staticmethod
    def _empty_tables(con: duckdb.DuckDBPyConnection) -> None:
        # Lets the screens work on a workspace that has alerts but no warehouse yet.
        con.execute("CREATE TABLE transactions (txn_id VARCHAR, ts_utc TIMESTAMP, ts_local "
                    "TIMESTAMP, sender_id VARCHAR, beneficiary_id VARCHAR, amount DOUBLE, "
                    "currency VARCHAR, amount_ref DOUBLE, sender_name VARCHAR, sender_country "
                    "VARCHAR, beneficiary_name VARCHAR, beneficiary_country VARCHAR, channel "
                    "VARCHAR, memo VARCHAR)")
        con.execute("CREATE TABLE customers (customer_id VARCHAR, name VARCHAR, birth_date DATE, "
                    "gender VARCHAR, country VARCHAR, nationality VARCHAR, occupation VARCHAR, "
                    "customer_since DATE)")
        con.execute("CREATE TABLE known (party_id VARCHAR, label VARCHAR, as_of DATE)")

    def parquet_path(self, name: str) -> str | None:
        """The path of a scan output file of this request's scan set (None: no scan yet)."""
        path = self.scan_set().path(name)
        return str(path) if path.exists() else None

    def reporting_currency(self) -> str:
        """The workspace's reporting currency (``amount_ref``), or ``?`` when unknown."""
        if not self.has_warehouse:
            return "?"
        with self.connect() as con:
            row = con.execute("SELECT value FROM meta WHERE key = 'reporting_currency'").fetchone()
        return str(row[0]) if row else "?"

    def profile(self, party_id: str) -> dict[str, Any] | None:
        """The KYC row of a customer, or None when the party is not a customer."""
        fields = ", ".join(PROFILE_FIELDS)
        with self.connect() as con:
            cur = con.execute(f"SELECT {fields} FROM customers WHERE customer_id = ? LIMIT 1",
                              [party_id])
            rows = _rows(cur)
        return rows[0] if rows else None

    def known_label(self, party_id: str) -> str | None:
        """The newest known outcome of a party (offender, facilitator, cleared) or None."""
        with self.connect() as con:
            row = con.execute("SELECT label FROM known WHERE party_id = ? "
                              "ORDER BY as_of DESC NULLS LAST LIMIT 1", [party_id]).fetchone()
        return str(row[0]) if row else None

    def score(self, party_id: str) -> dict[str, Any] | None:
        """The party's row of ``parties.parquet`` (role, score, alert, reasons) or None."""
        path = self.parquet_path(PARTIES_FILE)
        if path is None:
            return None
        with self.connect() as con:
            cur = con.execute("SELECT party_id, role, score, alert, reasons FROM "
                              "read_parquet(?) WHERE party_id = ? ORDER BY score DESC LIMIT 1",
                              [path, party_id])
            rows = _rows(cur)
        return rows[0] if rows else None

    def alert_record(self, party_id: str) -> AlertRecord | None:
        """The party's alert in ``alerts.parquet`` (of an older scan: codes and explanation)."""
        path = self.parquet_path(ALERTS_FILE)
        if path is None:
            return None
        with self.connect() as con:
            cur = con.execute("SELECT * FROM read_parquet(?) WHERE party_id = ? "
                              "ORDER BY score DESC LIMIT 1", [path, party_id])
            rows = _rows(cur)
        return AlertRecord.of_columns(rows[0], where=str(path)) if rows else None

    def flagged_txn_ids(self, party_id: str) -> list[str]:
        """The transactions behind the party's alert reasons (``alerts.parquet`` txn_ids)."""
        path = self.parquet_path(ALERTS_FILE)
        if path is None:
            return []
        with self.connect() as con:
            rows = con.execute("SELECT DISTINCT unnest(txn_ids) FROM read_parquet(?) "
                               "WHERE party_id = ?", [path, party_id]).fetchall()
        return sorted(str(r[0]) for r in rows)

    def is_known_party(self, party_id: str) -> bool:
        """True when the party appears in customers, payments or the scan outputs."""
        with self.connect() as con:
            if party_id in self.cache.party_rows(con, self.space.warehouse).slots:
                return True
            row = con.execute("SELECT EXISTS (SELECT 1 FROM customers WHERE customer_id = $p)",
                              {"p": party_id}).fetchall()
        return bool(row and row[0][0]) or self.score(party_id) is not None

    def payments(self, party_id: str, *, limit: int = 500, offset: int = 0) -> dict[str, Any]:
        """Payments sent or received by a party, newest first, with a night flag and a total."""
        fields = ", ".join(PAYMENT_FIELDS)
        night = ", ".join(str(h) for h in NIGHT_HOURS)
        with self.connect() as con:
            # the party's rows by row id (ReadCache.party_rows), not a scan of every payment
            row_ids = self.cache.party_rows(con, self.space.warehouse).of(party_id)
            cur = con.execute(
                f"SELECT {fields}, hour(ts_local) IN ({night}) AS night, "
                "CASE WHEN sender_id = $p THEN 'sent' ELSE 'received' END AS direction "
                "FROM transactions WHERE rowid IN (SELECT unnest($rows)) "
                "ORDER BY ts_utc DESC, txn_id LIMIT $limit OFFSET $offset",
                {"p": party_id, "rows": row_ids, "limit": limit, "offset": offset})
            rows = _rows(cur)
        return {"total": len(row_ids), "items": rows}

    def payments_by_id(self, txn_ids: Iterable[str]) -> list[dict[str, Any]]:
        """The payments with the given ids, oldest first."""
        ids = sorted(set(txn_ids))
        if not ids:
            return []
        fields = ", ".join(PAYMENT_FIELDS)
        with self.connect() as con:
            cur = con.execute(f"SELECT {fields} FROM transactions WHERE txn_id IN "
                              "(SELECT unnest($ids)) ORDER BY ts_utc, txn_id", {"ids": ids})
            return _rows(cur)

    def warm(self) -> None:
        """Build the read cache's tables of the payments now (``dentrace serve`` at start)."""
        with self.connect() as con:
            self.cache.pairs(con, self.space.warehouse)
            self.cache.party_rows(con, self.space.warehouse)

    def pair_table(self) -> PairTable:
        """Every payer–beneficiary pair with its totals, built once per warehouse generation."""
        with self.connect() as con:
            return self.cache.pairs(con, self.space.warehouse)

    def scan_stamp(self) -> tuple[str, int] | None:
        """This request's scan parties file and its modification time (None: no scan)."""
        path = self.parquet_path(PARTIES_FILE)
        return (path, Path(path).stat().st_mtime_ns) if path else None

    def scan_scores(self) -> PartyScores:
        """Best score and alert per party of this request's scan (none without a scan)."""
        path = self.parquet_path(PARTIES_FILE)
        return self.cache.scan_scores(path) if path else PartyScores.of(None)

    def counterparties(self, party_ids: Iterable[str], *, limit: int = 2000) -> dict[
        str, list[str]
    ]:
        """Parties that paid or were paid by any of ``party_ids`` (themselves left out), each
        with the ones of ``party_ids`` it dealt with; the ``limit`` most active first."""
        ids = sorted(set(party_ids))
        if not ids or not self.has_warehouse:
            return {}
        with self.connect() as con:
            rows = con.execute(
                "WITH wanted AS (SELECT unnest($ids) AS party_id), links AS ("
                " SELECT beneficiary_id AS other, sender_id AS mine FROM transactions"
                " WHERE sender_id IN (SELECT party_id FROM wanted)"
                " UNION ALL SELECT sender_id, beneficiary_id FROM transactions"
                " WHERE beneficiary_id IN (SELECT party_id FROM wanted))"
                " SELECT other, list(DISTINCT mine ORDER BY mine) FROM links"
                " WHERE other NOT IN (SELECT party_id FROM wanted)"
                " GROUP BY other ORDER BY count(*) DESC, other LIMIT $limit",
                {"ids": ids, "limit": limit}).fetchall()
        return {str(other): [str(m) for m in mine] for other, mine in rows}

    def known_offenders(self, party_ids: Iterable[str]) -> set[str]:
        """Those of ``party_ids`` whose newest known label is offender or facilitator."""
        ids = sorted(set(party_ids))
        if not ids or not self.has_warehouse:
            return set()
        with self.connect() as con:
            rows = con.execute(
                "SELECT party_id FROM known WHERE party_id IN (SELECT unnest($ids)) "
                "QUALIFY row_number() OVER (PARTITION BY party_id ORDER BY as_of DESC NULLS "
                "LAST) = 1 AND label IN ('offender', 'facilitator')", {"ids": ids}).fetchall()
        return {str(r[0]) for r in rows}

    def countries(self, party_ids: Iterable[str]) -> dict[str, str]:
        """Country of each party: KYC residence, else a country its payments name (the first
        in alphabetical order; looked up once per party and warehouse generation)."""
        ids = sorted(set(party_ids))
        if not ids:
            return {}
        with self.connect() as con:
            return self.cache.countries(con, self.space.warehouse, ids,
                                        lambda missing: self._countries(con, missing))

    def _countries(self, con: duckdb.DuckDBPyConnection, ids: list[str]) -> dict[str, str]:
        rows = con.execute("SELECT customer_id, min(country) FROM customers WHERE country IS NOT "
                           "NULL AND customer_id IN (SELECT unnest($ids)) GROUP BY customer_id",
                           {"ids": ids}).fetchall()
        found = {str(pid): str(country) for pid, country in rows}
        paid = [p for p in ids if p not in found]
        return {**found, **self.pair_table().countries(paid)} if paid else found

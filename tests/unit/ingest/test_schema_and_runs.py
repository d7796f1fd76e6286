"""Warehouse schema 3: rows keep their file through ingest_runs; repeated text is stored
compressed and ids plain; an older warehouse is migrated when opened; small files keep their
order; renamed copies are found after loading."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from dentrace.ingest import ingest
from dentrace.store import SCHEMA_VERSION, open_warehouse, read_meta
from tests.unit.ingest.ingest_rows import good_row

Query = Callable[[str], list[tuple[object, ...]]]

_V1_TRANSACTIONS = """CREATE TABLE transactions (
    txn_id VARCHAR NOT NULL, ts_utc TIMESTAMP NOT NULL, ts_local TIMESTAMP NOT NULL,
    utc_offset_min INTEGER NOT NULL, sender_id VARCHAR NOT NULL,
    beneficiary_id VARCHAR NOT NULL, amount DOUBLE NOT NULL, currency VARCHAR NOT NULL,
    amount_ref DOUBLE NOT NULL, sender_name VARCHAR, sender_country VARCHAR,
    beneficiary_name VARCHAR, beneficiary_country VARCHAR, channel VARCHAR, memo VARCHAR,
    extra VARCHAR, content_hash UBIGINT NOT NULL, source_file VARCHAR NOT NULL,
    source_line BIGINT NOT NULL, ingest_id INTEGER NOT NULL)"""


def _version_1(workspace: Path) -> None:
    """A warehouse as dentrace wrote it before schema 2, holding one transaction."""
    workspace.mkdir(parents=True)
    con = duckdb.connect(str(workspace / "warehouse.duckdb"))
    con.execute(_V1_TRANSACTIONS)
    for table, columns in (("customers", "customer_id VARCHAR"), ("known", "party_id VARCHAR")):
        con.execute(f"CREATE TABLE {table} ({columns}, extra VARCHAR, content_hash UBIGINT, "
                    "source_file VARCHAR, source_line BIGINT, ingest_id INTEGER)")
    con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute("""CREATE TABLE ingest_runs (ingest_id INTEGER, table_name VARCHAR,
        file VARCHAR, file_sha256 VARCHAR, started_at TIMESTAMP, rows_read BIGINT,
        rows_accepted BIGINT, rows_quarantined BIGINT, rows_duplicate BIGINT,
        already_ingested BOOLEAN)""")
    con.execute("INSERT INTO ingest_runs VALUES (1, 'transactions', 'old.csv', 'f00', "
                "'2025-04-01', 1, 1, 0, 0, false)")
    con.execute("INSERT INTO meta VALUES ('schema_version', '1'), ('reporting_currency', 'USD')")
    con.execute("""INSERT INTO transactions VALUES ('a', '2025-03-04 11:15', '2025-03-04 21:15',
        600, 's1', 'b1', 10.0, 'USD', 10.0, NULL, NULL, NULL, NULL, 'wallet', 'hi', NULL,
        42, 'old.csv', 2, 1)""")
    con.close()


def _stored(workspace: Path, sql: str, params: list[object] | None = None
            ) -> list[tuple[object, ...]]:
    """Rows of ``sql`` on the workspace's warehouse file, opened read-only as it is."""
    con = duckdb.connect(str(workspace / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _columns(workspace: Path, table: str) -> list[str]:
    return [str(r[0]) for r in _stored(workspace, f"DESCRIBE {table}")]


def test_read_only_open_migrates_version_1(tmp_path: Path) -> None:
    _version_1(tmp_path / "ws")
    con = open_warehouse(tmp_path / "ws", read_only=True)
    try:
        assert read_meta(con)["schema_version"] == str(SCHEMA_VERSION) == "3"
        assert con.execute("SELECT txn_id, source_line FROM transactions").fetchall() == [
            ("a", 2)]
    finally:
        con.close()
    for table in ("transactions", "customers", "known"):
        assert not {"content_hash", "source_file"} & set(_columns(tmp_path / "ws", table))
    assert _plain(tmp_path / "ws", "transactions") == {"txn_id", "sender_id", "beneficiary_id",
                                                        "extra"}
    assert _plain(tmp_path / "ws", "customers") == {"customer_id", "extra"}


def _plain(workspace: Path, table: str) -> set[str]:
    """The columns of ``table`` declared to be stored uncompressed."""
    sql = str(_stored(workspace, "SELECT sql FROM duckdb_tables() WHERE table_name = ?",
                      [table])[0][0])
    declared = sql[sql.index("(") + 1:].split(", ")
    return {column.split()[0] for column in declared if "UNCOMPRESSED" in column.upper()}


def test_ids_are_stored_plain_and_repeated_text_compressed(tmp_path: Path) -> None:
    path = tmp_path / "many.parquet"
    n = 20_000
    pq.write_table(pa.table({
        "txn_id": [f"t{i:08d}" for i in range(n)], "ts": ["2025-03-04T21:15:00Z"] * n,
        "sender_id": [f"sender-{i % 997:06d}" for i in range(n)],
        "beneficiary_id": [f"beneficiary-{i % 991:06d}" for i in range(n)],
        "amount": [1.5] * n, "currency": ["USD"] * n, "sender_country": ["AU"] * n,
        "beneficiary_country": ["PH"] * n, "sender_name": ["Jo Bloggs"] * n}), path)
    ingest(tmp_path / "ws", transactions=path, quiet=True)
    stored = dict(_stored(
        tmp_path / "ws", "SELECT column_name, string_agg(DISTINCT compression) FROM "
        "pragma_storage_info('transactions') WHERE segment_type = 'VARCHAR' "
        "GROUP BY column_name"))
    for column in ("txn_id", "sender_id", "beneficiary_id"):
        assert stored[column] == "Uncompressed", column
    for column in ("currency", "sender_country", "beneficiary_country", "sender_name"):
        assert stored[column] != "Uncompressed", column


def test_ingest_into_version_1_judges_against_its_rows(
        write_csv: Callable[..., Path], tmp_path: Path, query: Query) -> None:
    _version_1(tmp_path / "ws")
    rows = [good_row("a"), good_row("b"), good_row("a", amount="11")]
    report = ingest(tmp_path / "ws", transactions=write_csv("new.csv", rows), quiet=True)
    # 'a' is stored with the same content (line 2); line 4 gives it other content.
    assert (report.rows_accepted, report.rows_duplicate, report.rows_quarantined) == (1, 1, 1)
    assert query("SELECT line, reason FROM quarantine") == [
        (4, "same txn_id as a row already in the workspace, with different content")]


def test_a_row_file_is_its_ingest_run(write_csv: Callable[..., Path], tmp_path: Path,
                                      query: Query) -> None:
    path = write_csv("x.csv", [good_row("a"), good_row("b")])
    ingest(tmp_path / "ws", transactions=path, quiet=True)
    assert query("SELECT t.txn_id, r.file, t.source_line FROM transactions t "
                 "JOIN ingest_runs r USING (ingest_id) ORDER BY 1") == [
        ("a", str(path), 2), ("b", str(path), 3)]


def test_a_small_parquet_file_keeps_its_order(tmp_path: Path, query: Query) -> None:
    ids = [f"t{n}" for n in range(6, 0, -1)]
    path = tmp_path / "few.parquet"
    pq.write_table(pa.table({
        "txn_id": ids, "ts": ["2025-03-04T21:15:00Z"] * 6, "sender_id": ["s"] * 6,
        "beneficiary_id": ["b"] * 6, "amount": [1.5] * 6,
        "currency": ["usd", "EUR", "XXX", "USD", "php", "USD"]}), path)
    report = ingest(tmp_path / "ws", transactions=path, quiet=True)
    assert report.rows_quarantined == 1
    assert query("SELECT txn_id, source_line FROM transactions") == [
        ("t6", 1), ("t5", 2), ("t3", 4), ("t2", 5), ("t1", 6)]
    assert query("SELECT line, reason FROM quarantine") == [
        (3, "unknown currency 'XXX' (not in the rates table)")]


def test_same_bytes_under_another_name_are_rolled_back(
        write_csv: Callable[..., Path], tmp_path: Path, query: Query) -> None:
    rows = [good_row("t1"), good_row("t2"), "bad,nope,s,b,1,USD,,"]
    first = write_csv("a.csv", rows)
    ingest(tmp_path / "ws", transactions=first, quiet=True)
    copy = tmp_path / "copy.csv"
    copy.write_bytes(first.read_bytes())
    report = ingest(tmp_path / "ws", transactions=copy, quiet=True)
    assert (report.rows_read, report.rows_duplicate, report.rows_accepted) == (3, 3, 0)
    assert query("SELECT count(*) FROM transactions") == [(2,)]
    assert query("SELECT count(*) FROM quarantine") == [(1,)]
    assert query("SELECT ingest_id, file = ?, already_ingested FROM ingest_runs "
                 "ORDER BY 1".replace("?", f"'{copy}'")) == [(1, False, False), (2, True, True)]


def test_ingests_leave_each_files_row_groups_unmerged(tmp_path: Path) -> None:
    # merging the small row groups files leave behind cost seconds at every checkpoint of a
    # big ingest (docs/performance.md); each file's rows stay in their own row groups
    for k in range(3):
        path = tmp_path / f"day{k}.parquet"
        n = 1000
        pq.write_table(pa.table({
            "txn_id": [f"t{k}-{i}" for i in range(n)], "ts": ["2025-03-04T21:15:00Z"] * n,
            "sender_id": ["s"] * n, "beneficiary_id": ["b"] * n, "amount": [1.5] * n,
            "currency": ["USD"] * n}), path)
        ingest(tmp_path / "ws", transactions=path, quiet=True)
    groups = _stored(tmp_path / "ws", "SELECT row_group_id, sum(count) FROM "
                     "pragma_storage_info('transactions') WHERE column_name = 'txn_id' AND "
                     "segment_type = 'VARCHAR' GROUP BY 1 ORDER BY 1")
    assert [int(str(rows)) for _, rows in groups] == [1000, 1000, 1000]

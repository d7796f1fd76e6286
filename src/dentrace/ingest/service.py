"""The ingest use case: check every input's header, then load file by file into the warehouse.

Nothing loads until every file's header has passed; each file loads in one transaction and a
file already ingested (same bytes) is counted as duplicates without reading it again.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import duckdb

from dentrace.errors import ConfigError, InputError, WorkspaceError
from dentrace.ingest import files as readers
from dentrace.ingest.loader import FileCounts, judge_and_load
from dentrace.ingest.mapping import Mapping, load_mapping
from dentrace.ingest.progress_bar import file_progress
from dentrace.ingest.projection import Projection, project
from dentrace.ingest.rates import DEFAULT_REPORTING_CURRENCY, Rates, load_rates
from dentrace.ingest.readers.common import ROWS, STAGING
from dentrace.ingest.rules import TableRules, customer_rules, known_rules, transaction_rules
from dentrace.store.warehouse import (
    bound_memory,
    next_ingest_id,
    read_meta,
    write_meta,
)
from dentrace.store.warehouse_access import GATE_REST_S
from dentrace.store.workspace import Workspace

COUNT_KEYS = ("rows_read", "rows_accepted", "rows_quarantined", "rows_duplicate")

# Called with (file, units done, units in total) while files load: reading is the first
# half of a file's 1000 units, judging and writing the second.
IngestProgress = Callable[[str, int, int], None]


@dataclass
class IngestReport:
    """The outcome of one ``ingest`` call: per-file counts, totals and the currency setting."""

    files: list[FileCounts] = field(default_factory=list)
    reporting_currency: str = DEFAULT_REPORTING_CURRENCY
    rates_as_of: str = ""
    rates_source: str = ""

    def total(self, key: str) -> int:
        """Sum of one of ``COUNT_KEYS`` over all files."""
        return sum(int(getattr(f, key)) for f in self.files)

    @property
    def rows_read(self) -> int:
        return self.total("rows_read")

    @property
    def rows_accepted(self) -> int:
        return self.total("rows_accepted")

    @property
    def rows_quarantined(self) -> int:
        return self.total("rows_quarantined")

    @property
    def rows_duplicate(self) -> int:
        return self.total("rows_duplicate")

    def as_summary(self) -> dict[str, object]:
        """The ``summary.json`` content: the four totals, then per-file detail."""
        out: dict[str, object] = {k: self.total(k) for k in COUNT_KEYS}
        out["ingest_files"] = [f.as_dict() for f in self.files]
        out["reporting_currency"] = self.reporting_currency
        out["rates_as_of"] = self.rates_as_of
        return out


@dataclass(frozen=True)
class _Planned:
    rules: TableRules
    file: Path
    projection: Projection | None  # None until an XML file is read


def ingest(
    workspace: Path,
    transactions: Path | None = None,
    customers: Path | None = None,
    known: Path | None = None,
    mapping: Path | Mapping | None = None,
    rates: Path | None = None,
    reporting_currency: str | None = None,
    default_tz: str | None = None,
    progress: IngestProgress | None = None,
    quiet: bool = False,
) -> IngestReport:
    """Validate and load the given files into ``workspace``/warehouse.duckdb.

    Raises InputError (before anything loads) for a file without a usable header or
    without a required column, MappingError for a bad mapping file, ConfigError for an
    unknown time zone or reporting currency, WorkspaceError for a locked or foreign warehouse.
    Without ``progress`` and unless ``quiet``, a progress bar per file shows on stderr.
    """
    if progress is None and not quiet:
        with file_progress() as bar:
            return ingest(workspace, transactions, customers, known, mapping, rates,
                          reporting_currency, default_tz, progress=cast(IngestProgress, bar))
    if transactions is None and customers is None and known is None:
        raise ConfigError("nothing to ingest: give transactions, customers or known files")
    the_mapping = load_mapping(mapping) if isinstance(mapping, Path | str) else mapping
    the_mapping = the_mapping or Mapping()
    zone = default_tz or the_mapping.default_tz
    the_rates = load_rates(Path(rates) if rates else None)
    plan = _plan(the_mapping, zone, transactions, customers, known)
    workspace = Path(workspace)
    report: IngestReport | None = None
    files = list(plan)
    while report is None or files:
        # one turn holds the warehouse for as many files as no reader waits for it
        with _writing(workspace, plan, zone, the_rates, reporting_currency) as (con, turn):
            report, started, loaded = report or turn, time.time(), 0
            while files and not (loaded and Workspace(workspace).readers_waiting(started)):
                report.files.append(_load_file(con, files.pop(0), the_mapping, progress))
                loaded += 1
        if files:
            time.sleep(GATE_REST_S)  # the waiting readers get their turn
    _write_summary(workspace, report)
    return report


@contextmanager
def _writing(workspace: Path, plan: list[_Planned], zone: str | None, rates: Rates,
             currency: str | None) -> Iterator[tuple[duckdb.DuckDBPyConnection, IngestReport]]:
    """The warehouse opened for writing and set up for loading (memory cap, row groups,
    reporting currency, the rates table), with an empty report; closed after the block."""
    con = Workspace(workspace).open_warehouse(create=True)
    try:
        bound_memory(con, ingest_memory(plan))
        keep_row_groups(con)
        _check_zone(con, zone)
        yield con, _prepare(con, rates, currency)
    finally:
        con.close()


def keep_row_groups(con: duckdb.DuckDBPyConnection) -> None:
    """Checkpoints of this connection leave the stored row groups as they are (DuckDB's
    ``max_vacuum_tasks`` 0).

    A file's insert leaves partial row groups at its end (a Parquet row group of 1,048,576
    rows goes in as eight full ones and a 65,536-row tail); where two tails fit into one row
    group, DuckDB's checkpoint merges and rewrites them, one core at a time: 4.5-9.5 s at the
    end of an ingest of 30 files of 1.32M rows, 0.1 s for files whose tails do not fit
    together, so an ingest's cost followed how its files' row groups fall. Kept apart, the
    tails cost a scan nothing measurable, and the few rows an ingest deletes (clashing keys)
    stay marked deleted until a later checkpoint outside an ingest.
    """
    con.execute("SET max_vacuum_tasks = 0")


# DuckDB memory for an ingest: what one file needs, not what the warehouse holds (see below)
INGEST_MEMORY_FLOOR = 4 * 2**30
INGEST_MEMORY_PER_FILE_BYTE = 3


def ingest_memory(plan: list[_Planned]) -> int:
    """The DuckDB memory cap of an ingest: 4 GiB, or three times the largest input file.

    An ingest loads one file at a time, so its working memory follows the file. Left at the
    scan's cap, DuckDB keeps the warehouse blocks it writes cached up to that cap (12 GB
    into a 100M-payment year, against 1.8 GB at 10M), which crowds the warehouse file out of
    the operating system's cache that the next scan reads it from (docs/performance.md)."""
    largest = max((item.file.stat().st_size for item in plan), default=0)
    return max(INGEST_MEMORY_FLOOR, INGEST_MEMORY_PER_FILE_BYTE * largest)


def _plan(mapping: Mapping, zone: str | None, transactions: Path | None,
          customers: Path | None, known: Path | None) -> list[_Planned]:
    inputs = ((transactions, transaction_rules(mapping, zone)),
              (customers, customer_rules(mapping)), (known, known_rules(mapping)))
    plan: list[_Planned] = []
    for path, rules in inputs:
        if path is None:
            continue
        for file in readers.list_files(Path(path)):
            header = readers.read_header(file, mapping)
            projection = None if header is None else project(
                rules.table, header, mapping.for_table(rules.table.name), file,
                readers.numeric_columns(file))
            plan.append(_Planned(rules, file, projection))
    return plan


def _check_zone(con: duckdb.DuckDBPyConnection, zone: str | None) -> None:
    if zone is None:
        return
    found = con.execute("SELECT count(*) FROM pg_timezone_names() WHERE name = ?",
                        [zone]).fetchall()
    if not found[0][0]:
        raise ConfigError(f"unknown time zone '{zone}' (use an IANA name like Europe/Berlin)")


def _prepare(con: duckdb.DuckDBPyConnection, rates: Rates, wanted: str | None) -> IngestReport:
    """Fix the reporting currency, record the rates date and load the rates as a temp table."""
    held = read_meta(con).get("reporting_currency")
    if wanted and held and wanted.strip().upper() != held:
        raise WorkspaceError(f"this workspace reports in {held}; it cannot switch to {wanted}")
    code = rates.check_reporting(wanted or held or DEFAULT_REPORTING_CURRENCY)
    write_meta(con, "reporting_currency", code)
    write_meta(con, "rates_as_of", rates.as_of)
    con.execute("CREATE OR REPLACE TEMP TABLE _dt_rates (currency VARCHAR, factor DOUBLE)")
    con.executemany("INSERT INTO _dt_rates VALUES (?, ?)",
                    [[c, rates.convert_factor(c, code)] for c in rates.to_usd])
    return IngestReport(reporting_currency=code, rates_as_of=rates.as_of,
                        rates_source=rates.source)


def _fingerprint(file: Path) -> str:
    digest = hashlib.sha256()
    with open(file, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _load_file(con: duckdb.DuckDBPyConnection, item: _Planned, mapping: Mapping,
               progress: IngestProgress | None) -> FileCounts:
    """Stage the file (outside the transaction: a reader may try and fall back), then judge
    and load it in one transaction; a file already ingested is counted, not loaded.

    The file's SHA-256 is computed in a thread while it loads (hashlib, file reads and
    DuckDB all release the GIL), as the same bytes come back mostly under the same path:
    only then is it awaited before reading. The same bytes under another name are found
    after the load, which is rolled back.
    """
    table, file = item.rules.table.name, item.file
    ingest_id = next_ingest_id(con)
    with ThreadPoolExecutor(max_workers=1) as pool:
        sha = pool.submit(_fingerprint, file)
        try:
            seen = _seen(con, table, sha.result()) if _path_seen(con, table, file) else None
            projection = None if seen is not None else _stage(con, item, mapping, progress)
            con.begin()
            try:
                counts = (_judge_new(con, item, projection, ingest_id, sha, progress)
                          if projection is not None else
                          FileCounts(table, str(file), seen or 0, 0, 0, seen or 0, True))
                con.execute("INSERT INTO ingest_runs VALUES (?, ?, ?, ?, now()::TIMESTAMP, "
                            "?, ?, ?, ?, ?)", [ingest_id, table, str(file), sha.result(),
                                              counts.rows_read, counts.rows_accepted,
                                              counts.rows_quarantined, counts.rows_duplicate,
                                              counts.already_ingested])
                con.commit()
            except duckdb.Error as exc:
                con.rollback()
                raise InputError(f"cannot load ({exc})", file=file) from exc
            except BaseException:
                con.rollback()
                raise
        finally:
            con.execute(f"DROP VIEW IF EXISTS {STAGING}")
            con.execute(f"DROP TABLE IF EXISTS {ROWS}")
    if progress:
        progress(str(file), 1000, 1000)
    return counts


def _judge_new(con: duckdb.DuckDBPyConnection, item: _Planned, projection: Projection,
               ingest_id: int, sha: Future[str], progress: IngestProgress | None) -> FileCounts:
    """Judge and load a file not known by its path; should its bytes prove to be ingested
    already under another name, roll the load back and count its rows as duplicates."""
    table, file = item.rules.table.name, item.file
    counts = judge_and_load(con, item.rules, projection, file, ingest_id,
                            (lambda k: progress(str(file), 500 + 150 * k, 1000)) if progress
                            else None)
    seen = _seen(con, table, sha.result())
    if seen is None:
        return counts
    con.rollback()
    con.begin()
    return FileCounts(table, str(file), seen, 0, 0, seen, True)


def _path_seen(con: duckdb.DuckDBPyConnection, table: str, file: Path) -> bool:
    """Whether a file of this path was loaded into ``table`` before."""
    return bool(con.execute("SELECT count(*) FROM ingest_runs WHERE table_name = ? AND "
                            "file = ?", [table, str(file)]).fetchall()[0][0])


def _seen(con: duckdb.DuckDBPyConnection, table: str, sha: str) -> int | None:
    """The rows read from the file of this SHA-256 when first loaded, None if never."""
    rows = con.execute("SELECT rows_read FROM ingest_runs WHERE table_name = ? AND "
                       "file_sha256 = ? AND NOT already_ingested LIMIT 1", [table, sha]).fetchall()
    return int(rows[0][0]) if rows else None


def _stage(con: duckdb.DuckDBPyConnection, item: _Planned, mapping: Mapping,
           progress: IngestProgress | None) -> Projection:
    """Stage the file; its projection is the planned one unless the reader learns more (the
    columns of an XML file, the text columns of a Parquet file that need no full trim)."""
    label, table = str(item.file), item.rules.table
    names = readers.stage_file(
        con, item.file, mapping,
        (lambda done, total: progress(label, 500 * done // max(total, 1), 1000))
        if progress else None)
    planned = item.projection
    unpadded = readers.unpadded_starts(con, item.file, planned.sources if planned else frozenset())
    if planned is not None and not unpadded:
        return planned
    return project(table, names, mapping.for_table(table.name), item.file,
                   readers.numeric_columns(item.file), unpadded)


def _write_summary(workspace: Path, report: IngestReport) -> None:
    """Write the ingest counts into summary.json (atomically), keeping what later stages
    wrote there."""
    Workspace(workspace).merge_summary(report.as_summary())



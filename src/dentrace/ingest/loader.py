"""Judge one staged file set-based in DuckDB and load it: accept, quarantine or count as duplicate.

A row's verdict is its first failing rule, else a clash with an earlier row of the same key
(same content: duplicate; other content: quarantined), else accepted. Accepted rows go from the
staged file straight into the warehouse in one INSERT (no copy of the file in between); only the
rows whose key may clash are judged apart first, and the failing rows are read again at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from dentrace.ingest.projection import Projection
from dentrace.ingest.readers.common import STAGING, literal
from dentrace.ingest.rules import TableRules


@dataclass(frozen=True)
class FileCounts:
    """What became of one file's rows."""

    table: str
    file: str
    rows_read: int
    rows_accepted: int
    rows_quarantined: int
    rows_duplicate: int
    already_ingested: bool = False

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def checked_query(rules: TableRules, projection: Projection) -> str:
    """SELECT over the staging relation: helpers, first failing rule, warehouse columns."""
    outputs = ", ".join(f"{expr} AS {name}" for name, expr in rules.outputs.items())
    return f"SELECT q.*, {outputs} FROM ({_judged(rules, projection.select_list())}) q"


def _judged(rules: TableRules, select_list: str, source: str = STAGING) -> str:
    """``select_list`` over ``source`` (the staging relation or some of its rows), then the
    helpers and the first failing rule (``_dt_rule``, NULL when none) with its ``_dt_field``
    and ``_dt_reason``."""
    query = f"SELECT {select_list}, _dt_line, _dt_fault_field, _dt_fault_reason, _dt_raw " \
        f"FROM {source}"
    if rules.rates_join:
        query = (f"SELECT q.*, _dt_rates.factor AS _dt_factor FROM ({query}) q "
                 "LEFT JOIN _dt_rates ON _dt_rates.currency = upper(q._m_currency)")
    for name, expr in rules.helpers:
        query = f"SELECT q.*, {expr} AS {name} FROM ({query}) q"
    first_rule = " ".join(f"WHEN {r.when} THEN {n}" for n, r in enumerate(rules.rules, 1))
    field = " ".join(f"WHEN {n} THEN {literal(r.field)}" for n, r in enumerate(rules.rules, 1))
    reason = " ".join(f"WHEN {n} THEN {r.reason}" for n, r in enumerate(rules.rules, 1))
    query = (f"SELECT q.*, CASE WHEN _dt_fault_reason IS NOT NULL THEN 0 {first_rule} END "
             f"AS _dt_rule FROM ({query}) q")
    return (f"SELECT q.*, CASE _dt_rule WHEN 0 THEN _dt_fault_field {field} END AS _dt_field, "
            f"CASE _dt_rule WHEN 0 THEN _dt_fault_reason {reason} END AS _dt_reason "
            f"FROM ({query}) q")


def failing_query(rules: TableRules, projection: Projection, rows: str = STAGING) -> str:
    """The rows of ``rows`` (the staging relation or some of its rows) that fail a rule:
    ``_dt_line``, ``_dt_field``, ``_dt_reason`` and ``raw``."""
    query = f"SELECT * FROM ({_judged(rules, projection.select_list(), rows)}) q " \
        "WHERE _dt_rule IS NOT NULL"
    return (f"SELECT _dt_line, _dt_field, _dt_reason, {projection.raw_json()} AS raw "
            f"FROM ({query}) q")


KEYS = "_dt_keys"  # hashes of the keys that may clash: repeated in the file or already stored
CLASHES = "_dt_clashes"  # the valid rows with such a key, with their verdict
FAILING = "_dt_failing"  # the rows that broke a rule, ready for the quarantine


@dataclass(frozen=True)
class _ClashCounts:
    accepted: int = 0
    duplicate: int = 0
    conflict: int = 0


def _find_clash_keys(con: duckdb.DuckDBPyConnection, rules: TableRules,
                     projection: Projection) -> int:
    """Fill ``KEYS`` with the hashes of keys seen twice in the file or already in the
    workspace, over all rows (valid or not: a superset is safe); return how many.

    A 64-bit hash aggregate costs a fraction of one over strings; a collision only sends a
    few more rows down the careful path, which groups by the key itself.
    """
    key, table = rules.table.key, rules.table.name
    text = projection.columns[key]
    query = (f"SELECT hash(k) AS h FROM (SELECT {text} AS k FROM {STAGING}) WHERE k IS NOT NULL "
             "GROUP BY h HAVING count(*) > 1")
    stored = _stored_keys(con, table, key, f"SELECT {text} FROM {STAGING}")
    if stored:
        query += f" UNION SELECT hash({key}) FROM ({stored})"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {KEYS} AS {query}")
    return int(con.execute(f"SELECT count(*) FROM {KEYS}").fetchall()[0][0])


def _stored_keys(con: duckdb.DuckDBPyConnection, table: str, key: str, keys: str) -> str | None:
    """A query for the rows of ``table`` whose key is among ``keys`` (a one-column query),
    or None when none can be (the table is empty, or ``keys`` holds no key).

    The keys' range, given as constants, lets DuckDB skip every stored row group whose
    min/max lies outside it: a file of new, roughly ordered ids then reads a few row groups
    of the warehouse instead of all of them, so a load does not slow down as it grows.
    """
    if not _holds_rows(con, table):
        return None
    low, high = con.execute(f"SELECT min(k), max(k) FROM ({keys}) t(k)").fetchall()[0]
    if low is None:
        return None
    return (f"SELECT * FROM {table} WHERE {key} BETWEEN {literal(str(low))} AND "
            f"{literal(str(high))} AND {key} IN ({keys})")


def _judge_clashes(con: duckdb.DuckDBPyConnection, rules: TableRules,
                   checked: str) -> _ClashCounts:
    """Give each valid row whose key is in ``KEYS`` its verdict in ``CLASHES``: the first
    row of a key in the file is accepted unless the workspace holds the key; a later row (or
    one whose key is stored) is a duplicate when its content hash matches, else a conflict."""
    key, table = rules.table.key, rules.table.name
    hashed = ", ".join(rules.outputs)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _dt_rows_at_risk AS
        SELECT {hashed}, extra, _dt_line, hash({hashed}) AS content_hash FROM ({checked})
        WHERE _dt_rule IS NULL AND hash(_m_{key}) IN (SELECT h FROM {KEYS})""")
    stored = _stored_keys(con, table, key, f"SELECT {key} FROM _dt_rows_at_risk")
    seen = (f"SELECT {key}, any_value(content_hash) AS known_hash FROM ({stored}) GROUP BY {key}"
            if stored else
            f"SELECT NULL::VARCHAR AS {key}, NULL::UBIGINT AS known_hash WHERE false")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {CLASHES} AS
        WITH firsts AS (
            SELECT {key}, min(_dt_line) AS first_line, arg_min(content_hash, _dt_line) AS first_hash
            FROM _dt_rows_at_risk GROUP BY {key}),
        seen AS ({seen})
        SELECT r.*, f.first_line AS _dt_first_line, s.known_hash AS _dt_known_hash,
            CASE WHEN s.known_hash IS NOT NULL THEN
                    CASE WHEN s.known_hash = r.content_hash THEN 'duplicate' ELSE 'conflict' END
                WHEN r._dt_line = f.first_line THEN 'accept'
                WHEN r.content_hash = f.first_hash THEN 'duplicate' ELSE 'conflict' END
            AS _dt_verdict
        FROM _dt_rows_at_risk r JOIN firsts f ON f.{key} = r.{key}
        LEFT JOIN seen s ON s.{key} = r.{key}""")
    con.execute("DROP TABLE _dt_rows_at_risk")
    row = con.execute(f"""SELECT count(*) FILTER (_dt_verdict = 'accept'),
        count(*) FILTER (_dt_verdict = 'duplicate'), count(*) FILTER (_dt_verdict = 'conflict')
        FROM {CLASHES}""").fetchall()[0]
    return _ClashCounts(*(int(x) for x in row))


def _holds_rows(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether the warehouse table has any row (a first ingest needs no look-up in it)."""
    return bool(con.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchall()[0][0])


def _insert_accepted(con: duckdb.DuckDBPyConnection, rules: TableRules, checked: str,
                     file: str, ingest_id: int, clashes: bool) -> int:
    """Insert every valid row without a clash, plus the clashing rows judged accepted, in
    file order, straight from the staged file; return how many."""
    table, key = rules.table.name, rules.table.key
    hashed = ", ".join(rules.outputs)
    columns = [*rules.outputs, "extra", "content_hash", "source_file", "source_line", "ingest_id"]
    values = [*rules.outputs, "extra", f"hash({hashed})", literal(file), "_dt_line",
              str(ingest_id)]
    where = "_dt_rule IS NULL"
    if clashes:
        # The joins this needs may shuffle rows: sort them back into file order.
        where += (f" AND (hash(_m_{key}) NOT IN (SELECT h FROM {KEYS}) "
                  f"OR EXISTS (SELECT 1 FROM {CLASHES} c WHERE c._dt_verdict = 'accept' "
                  f"AND c._dt_line = q._dt_line AND c.{key} = q._m_{key})) ORDER BY _dt_line")
    row = con.execute(f"INSERT INTO {table} ({', '.join(columns)}) "
                      f"SELECT {', '.join(values)} FROM ({checked}) q WHERE {where}").fetchall()
    return int(row[0][0])


def _find_failing(con: duckdb.DuckDBPyConnection, rules: TableRules, projection: Projection,
                  ingest_id: int, failing: int) -> None:
    """Fill ``FAILING`` with the ``failing`` rows that broke a rule.

    They are among the rows whose line was not loaded (an anti-join on integers, before
    anything is prepared), so only those are trimmed, parsed and judged again. Lines are
    unique in CSV and Parquet; an XML file written on one line gives many rows one line,
    and then fewer rows are found: all rows are judged instead.
    """
    unloaded = (f"(SELECT s.* FROM {STAGING} s ANTI JOIN (SELECT source_line FROM "
                f"{rules.table.name} WHERE ingest_id = {ingest_id}) t "
                "ON s._dt_line = t.source_line)")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {FAILING} AS "
                f"{failing_query(rules, projection, unloaded)}")
    if con.execute(f"SELECT count(*) FROM {FAILING}").fetchall()[0][0] != failing:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {FAILING} AS "
                    f"{failing_query(rules, projection)}")


def _quarantine(con: duckdb.DuckDBPyConnection, rules: TableRules, file: str,
                ingest_id: int, failing: bool, clashes: bool) -> None:
    """Write the rows in ``FAILING`` (when ``failing``) and the conflicting clashes (when
    ``clashes``), in line order."""
    key, table = rules.table.key, rules.table.name
    parts = [f"SELECT * FROM {FAILING}"] if failing else []
    if clashes:
        stored = ", ".join(f"{literal(c)}, {c}" for c in rules.outputs)
        here = (f"'same {key} as line ' || _dt_first_line || ' of this file, "
                "with different content'")
        before = f"'same {key} as a row already in the workspace, with different content'"
        parts.append(f"""SELECT _dt_line, {literal(key)},
            CASE WHEN _dt_known_hash IS NOT NULL THEN {before} ELSE {here} END,
            CAST(json_object({stored}, 'extra', extra) AS VARCHAR)
            FROM {CLASHES} WHERE _dt_verdict = 'conflict'""")
    if parts:
        con.execute(f"""INSERT INTO quarantine
            SELECT {ingest_id}, {literal(table)}, {literal(file)}, _dt_line, _dt_field,
                _dt_reason, raw
            FROM ({' UNION ALL '.join(parts)}) q(_dt_line, _dt_field, _dt_reason, raw)
            ORDER BY _dt_line""")


def judge_and_load(
    con: duckdb.DuckDBPyConnection, rules: TableRules, projection: Projection,
    file: Path, ingest_id: int, step: Callable[[int], None] | None = None,
) -> FileCounts:
    """Judge the staged rows of ``file`` and write accepted and quarantined rows; ``step``
    hears 1, 2, 3 as judging, loading and quarantining finish."""
    table, name = rules.table.name, str(file)
    checked = checked_query(rules, projection)
    read = int(con.execute(f"SELECT count(*) FROM {STAGING}").fetchall()[0][0])
    clashes = _find_clash_keys(con, rules, projection) > 0
    judged = _judge_clashes(con, rules, checked) if clashes else _ClashCounts()
    if step:
        step(1)
    accepted = _insert_accepted(con, rules, checked, name, ingest_id, clashes)
    if step:
        step(2)
    # Every row is accepted, a clash or failing: the count of failing rows needs no pass.
    failing = read - accepted - judged.duplicate - judged.conflict
    if failing:
        _find_failing(con, rules, projection, ingest_id, failing)
    _quarantine(con, rules, name, ingest_id, failing > 0, judged.conflict > 0)
    if step:
        step(3)
    for temp in (KEYS, CLASHES, FAILING):
        con.execute(f"DROP TABLE IF EXISTS {temp}")
    return FileCounts(table, name, read, accepted, failing + judged.conflict, judged.duplicate)

"""Judge one staged file set-based in DuckDB and load it: accept, quarantine or count as duplicate.

A row's verdict is its first failing rule, else a clash with an earlier row of the same key
(same content: duplicate; other content: quarantined), else accepted. Every valid row goes from
the staged file straight into the warehouse in one INSERT (no copy of the file in between);
the keys that clash are then found among the loaded rows, which are cheap to read, and the
rows judged duplicate or conflicting are taken out again. The failing rows are read last.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from dentrace.ingest.projection import Projection
from dentrace.ingest.readers.common import ROW_IN_FILE, STAGING, literal
from dentrace.ingest.rules import REPLACEMENT, UNSAFE_CHARACTERS, TableRules
from dentrace.store.warehouse import flush_in_background


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
    rows_cleaned: int = 0  # accepted rows whose text had unsafe characters replaced

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def rates_lookup(con: duckdb.DuckDBPyConnection) -> str:
    """The factor of ``_m_currency`` from the temp table ``_dt_rates`` as one CASE, NULL for a
    code not in it.

    A CASE, not a join: a hash join may build on the staged rows when there are few of them
    and then hand them on in another order, while rows must go in in file order. Over the
    few dozen codes of a rates table it also costs less than the join (measured 0.07 against
    0.09 CPU-s per 2M rows). Factors go in as text cast to DOUBLE so they stay exact.
    """
    rates = con.execute("SELECT currency, factor FROM _dt_rates").fetchall()
    whens = " ".join(f"WHEN {literal(code)} THEN CAST({literal(repr(factor))} AS DOUBLE)"
                     for code, factor in rates)
    return f"CASE upper(_m_currency) {whens} END" if rates else "NULL::DOUBLE"


def checked_query(rules: TableRules, projection: Projection, rates: str) -> str:
    """SELECT over the staging relation: helpers, first failing rule, warehouse columns;
    ``rates`` is ``rates_lookup``'s CASE."""
    outputs = ", ".join(f"{expr} AS {name}" for name, expr in rules.outputs.items())
    return (f"SELECT q.*, {outputs} FROM "
            f"({_judged(rules, projection.select_list(), rates)}) q")


def _judged(rules: TableRules, select_list: str, rates: str, source: str = STAGING) -> str:
    """``select_list`` over ``source`` (the staging relation or some of its rows), then the
    helpers and the first failing rule (``_dt_rule``, NULL when none) with its ``_dt_field``
    and ``_dt_reason``."""
    query = f"SELECT {select_list}, _dt_line, _dt_fault_field, _dt_fault_reason, _dt_raw " \
        f"FROM {source}"
    if rules.rates_join:
        query = f"SELECT q.*, {rates} AS _dt_factor FROM ({query}) q"
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


def failing_query(rules: TableRules, projection: Projection, rates: str,
                  rows: str = STAGING) -> str:
    """The rows of ``rows`` (the staging relation or some of its rows) that fail a rule:
    ``_dt_line``, ``_dt_field``, ``_dt_reason`` and ``raw``."""
    query = f"SELECT * FROM ({_judged(rules, projection.select_list(), rates, rows)}) q " \
        "WHERE _dt_rule IS NOT NULL"
    return (f"SELECT _dt_line, _dt_field, _dt_reason, {projection.raw_json()} AS raw "
            f"FROM ({query}) q")


KEYS = "_dt_keys"  # hashes of the keys that clash: repeated in the file or already stored
CLASHES = "_dt_clashes"  # this file's loaded rows with such a key, with their verdict
FAILING = "_dt_failing"  # the rows that broke a rule, ready for the quarantine
UNLOADED = "_dt_unloaded"  # the staged rows not loaded, by ROW_IN_FILE


@dataclass(frozen=True)
class _ClashCounts:
    duplicate: int = 0
    conflict: int = 0


def _insert_valid(con: duckdb.DuckDBPyConnection, rules: TableRules, checked: str,
                  ingest_id: int) -> int:
    """Insert every row that passes the rules, in file order, straight from the staged
    file; return how many. Clashing keys are settled afterwards among the loaded rows."""
    columns = [*rules.outputs, "extra", "source_line", "ingest_id"]
    values = [*rules.outputs, "extra", "_dt_line", str(ingest_id)]
    row = con.execute(f"INSERT INTO {rules.table.name} ({', '.join(columns)}) "
                      f"SELECT {', '.join(values)} FROM ({checked}) q "
                      "WHERE _dt_rule IS NULL").fetchall()
    return int(row[0][0])


def _loaded(table: str, ingest_id: int) -> str:
    return f"(SELECT * FROM {table} WHERE ingest_id = {ingest_id})"


def _find_clash_keys(con: duckdb.DuckDBPyConnection, rules: TableRules, ingest_id: int,
                     earlier: bool) -> int:
    """Fill ``KEYS`` with the hashes of the keys loaded twice from this file or (when the
    workspace held rows before, ``earlier``) also held from an earlier file; return how many.

    A 64-bit hash aggregate costs a fraction of one over strings; a collision only sends a
    few more rows down the careful path, which groups by the key itself.
    """
    key, table = rules.table.key, rules.table.name
    query = (f"SELECT hash({key}) AS h FROM {_loaded(table, ingest_id)} GROUP BY h "
             "HAVING count(*) > 1")
    stored = _stored_keys(con, table, key, ingest_id, f"SELECT {key} FROM "
                          f"{_loaded(table, ingest_id)}") if earlier else None
    if stored:
        query += f" UNION SELECT hash({key}) FROM ({stored})"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {KEYS} AS {query}")
    return int(con.execute(f"SELECT count(*) FROM {KEYS}").fetchall()[0][0])


def _stored_keys(con: duckdb.DuckDBPyConnection, table: str, key: str, ingest_id: int,
                 keys: str) -> str | None:
    """A query for the rows of ``table`` from earlier files whose key is among ``keys`` (a
    one-column query), or None when ``keys`` holds no key.

    The keys' range, given as constants, lets DuckDB skip every stored row group whose
    min/max lies outside it: a file of new, roughly ordered ids then reads a few row groups
    of the warehouse instead of all of them, so a load does not slow down as it grows.
    """
    low, high = con.execute(f"SELECT min(k), max(k) FROM ({keys}) t(k)").fetchall()[0]
    if low is None:
        return None
    return (f"SELECT * FROM {table} WHERE {key} BETWEEN {literal(str(low))} AND "
            f"{literal(str(high))} AND ingest_id <> {ingest_id} AND {key} IN ({keys})")


def _judge_clashes(con: duckdb.DuckDBPyConnection, rules: TableRules, ingest_id: int,
                   earlier: bool) -> _ClashCounts:
    """Give each loaded row of this file whose key is in ``KEYS`` its verdict in ``CLASHES``
    and take out those not accepted: the first row of a key in the file stays unless an
    earlier file gave the key; a later row (or one whose key was stored) is a duplicate when
    its content (a hash of the stored columns) matches, else a conflict."""
    key, table = rules.table.key, rules.table.name
    hashed = ", ".join(rules.outputs)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _dt_rows_at_risk AS
        SELECT rowid AS _dt_row, {hashed}, extra, source_line AS _dt_line,
            hash({hashed}) AS content_hash FROM {table}
        WHERE ingest_id = {ingest_id} AND hash({key}) IN (SELECT h FROM {KEYS})""")
    stored = _stored_keys(con, table, key, ingest_id,
                          f"SELECT {key} FROM _dt_rows_at_risk") if earlier else None
    seen = (f"SELECT {key}, any_value(hash({hashed})) AS known_hash FROM ({stored}) "
            f"GROUP BY {key}" if stored else
            f"SELECT NULL::VARCHAR AS {key}, NULL::UBIGINT AS known_hash WHERE false")
    # Rows went in in file order, so the smallest rowid of a key is its first row.
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {CLASHES} AS
        WITH firsts AS (
            SELECT {key}, min(_dt_row) AS first_row, arg_min(_dt_line, _dt_row) AS first_line,
                arg_min(content_hash, _dt_row) AS first_hash
            FROM _dt_rows_at_risk GROUP BY {key}),
        seen AS ({seen})
        SELECT r.*, f.first_line AS _dt_first_line, s.known_hash AS _dt_known_hash,
            CASE WHEN s.known_hash IS NOT NULL THEN
                    CASE WHEN s.known_hash = r.content_hash THEN 'duplicate' ELSE 'conflict' END
                WHEN r._dt_row = f.first_row THEN 'accept'
                WHEN r.content_hash = f.first_hash THEN 'duplicate' ELSE 'conflict' END
            AS _dt_verdict
        FROM _dt_rows_at_risk r JOIN firsts f ON f.{key} = r.{key}
        LEFT JOIN seen s ON s.{key} = r.{key}""")
    con.execute("DROP TABLE _dt_rows_at_risk")
    con.execute(f"DELETE FROM {table} WHERE rowid IN "
                f"(SELECT _dt_row FROM {CLASHES} WHERE _dt_verdict <> 'accept')")
    row = con.execute(f"""SELECT count(*) FILTER (_dt_verdict = 'duplicate'),
        count(*) FILTER (_dt_verdict = 'conflict') FROM {CLASHES}""").fetchall()[0]
    return _ClashCounts(*(int(x) for x in row))


def _holds_rows(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether the warehouse table has any row (a first ingest needs no look-up in it)."""
    return bool(con.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchall()[0][0])


def _find_failing(con: duckdb.DuckDBPyConnection, rules: TableRules, projection: Projection,
                  rates: str, ingest_id: int, read: int, failing: int) -> None:
    """Fill ``FAILING`` with the ``failing`` rows that broke a rule.

    They are the rows whose line was not loaded, so only those are trimmed, parsed and
    judged again. Lines are unique in CSV and Parquet; an XML file written on one line
    gives many rows one line, and then fewer rows are found: all rows are judged instead.
    """
    unloaded = _unloaded(con, rules, ingest_id, read)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {FAILING} AS "
                f"{failing_query(rules, projection, rates, unloaded)}")
    if con.execute(f"SELECT count(*) FROM {FAILING}").fetchall()[0][0] != failing:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {FAILING} AS "
                    f"{failing_query(rules, projection, rates)}")


def _unloaded(con: duckdb.DuckDBPyConnection, rules: TableRules, ingest_id: int,
              read: int) -> str:
    """The staged rows whose line is not among this file's loaded rows (or, should a guess
    below be wrong, a set that misses some: ``_find_failing`` counts and judges all then).

    A reader that can seek (``ROW_IN_FILE``: Parquet, rows 1..``read``) gets the lines
    from the loaded rows alone: they went in in file order with consecutive rowids, so
    ``line - 1 - (rowid - first rowid)`` counts the lines missing before each row, and its
    first row per count ends a gap. That reads two integer columns, then decodes only the
    missing rows (0.07 against 0.57 CPU-s for 20k of 2M rows). Other staged rows are joined
    whole against the loaded lines, read once.
    """
    table = rules.table.name
    loaded = f"FROM {table} WHERE ingest_id = {ingest_id}"
    columns = [r[0] for r in con.execute(f"DESCRIBE {STAGING}").fetchall()]
    if ROW_IN_FILE not in columns:
        return (f"(SELECT s.* FROM {STAGING} s ANTI JOIN (SELECT source_line {loaded}) t "
                "ON s._dt_line = t.source_line)")
    first = con.execute(f"SELECT min(rowid) {loaded}").fetchall()[0][0]
    if first is None:
        return STAGING
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {UNLOADED} AS
        WITH runs AS (SELECT source_line - 1 - (rowid - {first}) AS missing,
                min(source_line) AS line, max(source_line) AS last {loaded} GROUP BY missing),
        lines AS (
            SELECT unnest(range(line - (missing - lag(missing, 1, 0) OVER (ORDER BY missing)),
                line)) AS line FROM runs
            UNION ALL SELECT unnest(range(max(last) + 1, {read} + 1)) FROM runs)
        SELECT line - 1 AS {ROW_IN_FILE} FROM lines""")
    return (f"(SELECT s.* FROM {STAGING} s SEMI JOIN {UNLOADED} u "
            f"ON s.{ROW_IN_FILE} = u.{ROW_IN_FILE})")


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
        # Reasons quote values as given; JSON escapes C0 controls but not U+FFFE/U+FFFF.
        safe = ", ".join(f"regexp_replace({c}, {literal(UNSAFE_CHARACTERS)}, "
                         f"{literal(REPLACEMENT)}, 'g')" for c in ("_dt_reason", "raw"))
        con.execute(f"""INSERT INTO quarantine
            SELECT {ingest_id}, {literal(table)}, {literal(file)}, _dt_line, _dt_field, {safe}
            FROM ({' UNION ALL '.join(parts)}) q(_dt_line, _dt_field, _dt_reason, raw)
            ORDER BY _dt_line""")


def _count_cleaned(con: duckdb.DuckDBPyConnection, rules: TableRules, projection: Projection,
                   ingest_id: int) -> int:
    """How many of this file's accepted rows had characters replaced (``rules.cleaned``).

    The loaded rows holding U+FFFD are found first, a cheap test that finds none in most
    files; as a file may hold U+FFFD itself, only those rows' staged text is then matched.
    """
    if not rules.cleaned:
        return 0
    marked = " OR ".join(f"contains({c}, {literal(REPLACEMENT)})" for c in rules.cleaned)
    lines = (f"SELECT source_line FROM {rules.table.name} WHERE ingest_id = {ingest_id} "
             f"AND ({marked})")
    if not con.execute(f"SELECT EXISTS ({lines})").fetchall()[0][0]:
        return 0
    unsafe = (f"regexp_matches(concat({', '.join(f'_m_{c}' for c in rules.cleaned)}), "
              f"{literal(UNSAFE_CHARACTERS)})")
    return int(con.execute(
        f"SELECT count(*) FROM (SELECT {projection.select_list()}, _dt_line FROM {STAGING}) q "
        f"WHERE _dt_line IN ({lines}) AND {unsafe}").fetchall()[0][0])


def judge_and_load(
    con: duckdb.DuckDBPyConnection, rules: TableRules, projection: Projection,
    file: Path, ingest_id: int, step: Callable[[int], None] | None = None,
) -> FileCounts:
    """Judge the staged rows of ``file`` and write accepted and quarantined rows; ``step``
    hears 1, 2, 3 as loading, judging and quarantining finish."""
    table, name = rules.table.name, str(file)
    read = int(con.execute(f"SELECT count(*) FROM {STAGING}").fetchall()[0][0])
    earlier = _holds_rows(con, table)
    rates = rates_lookup(con) if rules.rates_join else "NULL::DOUBLE"
    loaded = _insert_valid(con, rules, checked_query(rules, projection, rates), ingest_id)
    flushing = flush_in_background(con)
    if step:
        step(1)
    # Every row is loaded or failing: the count of failing rows needs no pass. They are
    # found by the lines not loaded, so before any clashing row is taken out again.
    failing = read - loaded
    if failing:
        _find_failing(con, rules, projection, rates, ingest_id, read, failing)
    clashes = _find_clash_keys(con, rules, ingest_id, earlier) > 0
    judged = _judge_clashes(con, rules, ingest_id, earlier) if clashes else _ClashCounts()
    if step:
        step(2)
    _quarantine(con, rules, name, ingest_id, failing > 0, judged.conflict > 0)
    cleaned = _count_cleaned(con, rules, projection, ingest_id)
    if step:
        step(3)
    for temp in (KEYS, CLASHES, FAILING, UNLOADED):
        con.execute(f"DROP TABLE IF EXISTS {temp}")
    flushing.join()
    return FileCounts(table, name, read, loaded - judged.duplicate - judged.conflict,
                      failing + judged.conflict, judged.duplicate, rows_cleaned=cleaned)

"""Judge one staged file set-based in DuckDB and load it: accept, quarantine or count as duplicate.

A row's verdict is its first failing rule, else a clash with an earlier row of the same key
(same content: duplicate; other content: quarantined), else accepted.
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
    query = (f"SELECT {projection.select_list()}, _dt_line, _dt_fault_field, _dt_fault_reason, "
             f"_dt_raw FROM {STAGING}")
    if rules.rates_join:
        query = (f"SELECT q.*, _dt_rates.factor AS _dt_factor FROM ({query}) q "
                 "LEFT JOIN _dt_rates ON _dt_rates.currency = upper(q._m_currency)")
    for name, expr in rules.helpers:
        query = f"SELECT q.*, {expr} AS {name} FROM ({query}) q"
    first_rule = " ".join(f"WHEN {r.when} THEN {n}" for n, r in enumerate(rules.rules, 1))
    field = " ".join(f"WHEN {n} THEN {literal(r.field)}" for n, r in enumerate(rules.rules, 1))
    reason = " ".join(f"WHEN {n} THEN {r.reason}" for n, r in enumerate(rules.rules, 1))
    outputs = ", ".join(f"{expr} AS {name}" for name, expr in rules.outputs.items())
    query = (f"SELECT q.*, CASE WHEN _dt_fault_reason IS NOT NULL THEN 0 {first_rule} END "
             f"AS _dt_rule FROM ({query}) q")
    return (f"SELECT q.*, CASE _dt_rule WHEN 0 THEN _dt_fault_field {field} END AS _dt_field, "
            f"CASE _dt_rule WHEN 0 THEN _dt_fault_reason {reason} END AS _dt_reason, "
            f"{outputs} FROM ({query}) q")


def _judge(con: duckdb.DuckDBPyConnection, rules: TableRules, projection: Projection) -> None:
    """Materialise each row's stored form and first failing rule, then the keys that clash.

    Clashes are found by aggregation, not a window over all rows: only keys seen twice in the
    file or already in the workspace land in ``_dt_clash``, which is small.
    """
    key, table = rules.table.key, rules.table.name
    hashed = ", ".join(rules.outputs)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _dt_judged AS
        SELECT {hashed}, extra, _dt_line, _dt_field, _dt_reason,
            CASE WHEN _dt_reason IS NULL THEN hash({hashed}) END AS content_hash,
            CASE WHEN _dt_reason IS NOT NULL THEN {projection.raw_json()} END AS _dt_qraw
        FROM ({checked_query(rules, projection)})""")
    # Keys seen twice are found by their 64-bit hash first (an integer aggregate costs a
    # fraction of one over strings); only rows whose hash repeats are grouped by the key.
    seen = (f"SELECT {key}, content_hash AS known_hash FROM {table} WHERE {key} IN "
            f"(SELECT {key} FROM _dt_judged WHERE _dt_reason IS NULL)"
            if _holds_rows(con, table) else
            f"SELECT NULL::VARCHAR AS {key}, NULL::UBIGINT AS known_hash WHERE false")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _dt_clash AS
        WITH repeated AS (
            SELECT hash({key}) AS key_hash FROM _dt_judged WHERE _dt_reason IS NULL
            GROUP BY ALL HAVING count(*) > 1),
        twice AS (
            SELECT {key}, min(_dt_line) AS first_line,
                arg_min(content_hash, _dt_line) AS first_hash
            FROM _dt_judged WHERE _dt_reason IS NULL
                AND hash({key}) IN (SELECT key_hash FROM repeated)
            GROUP BY {key} HAVING count(*) > 1),
        seen AS ({seen})
        SELECT coalesce(twice.{key}, seen.{key}) AS {key}, first_line, first_hash, known_hash
        FROM twice FULL JOIN seen ON twice.{key} = seen.{key}""")
    if not con.execute("SELECT count(*) FROM _dt_clash").fetchall()[0][0]:
        # The usual case: no key twice and none seen before; skip the join.
        con.execute("""CREATE OR REPLACE TEMP VIEW _dt_verdicts AS
            SELECT *, NULL::BIGINT AS _dt_first_line, NULL::UBIGINT AS _dt_known_hash,
                CASE WHEN _dt_reason IS NULL THEN 'accept' ELSE 'quarantine' END AS _dt_verdict
            FROM _dt_judged""")
        return
    con.execute(f"""CREATE OR REPLACE TEMP VIEW _dt_verdicts AS
        SELECT j.*, c.first_line AS _dt_first_line, c.known_hash AS _dt_known_hash,
            CASE WHEN j._dt_reason IS NOT NULL THEN 'quarantine'
                WHEN c.{key} IS NULL THEN 'accept'
                WHEN c.known_hash IS NOT NULL THEN
                    CASE WHEN c.known_hash = j.content_hash THEN 'duplicate' ELSE 'conflict' END
                WHEN j._dt_line = c.first_line THEN 'accept'
                WHEN j.content_hash = c.first_hash THEN 'duplicate' ELSE 'conflict' END
            AS _dt_verdict
        FROM _dt_judged j LEFT JOIN _dt_clash c ON j._dt_reason IS NULL AND c.{key} = j.{key}""")


def _holds_rows(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether the warehouse table has any row (a first ingest needs no look-up in it)."""
    return bool(con.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchall()[0][0])


def _quarantine(con: duckdb.DuckDBPyConnection, rules: TableRules, file: str,
                ingest_id: int) -> None:
    key, table = rules.table.key, rules.table.name
    stored = ", ".join(f"{literal(c)}, {c}" for c in rules.outputs)
    clash_here = (f"'same {key} as line ' || _dt_first_line || ' of this file, "
                  "with different content'")
    clash_before = f"'same {key} as a row already in the workspace, with different content'"
    con.execute(f"""INSERT INTO quarantine
        SELECT {ingest_id}, {literal(table)}, {literal(file)}, _dt_line,
            CASE _dt_verdict WHEN 'conflict' THEN {literal(key)} ELSE _dt_field END,
            CASE WHEN _dt_verdict = 'quarantine' THEN _dt_reason
                WHEN _dt_known_hash IS NOT NULL THEN {clash_before} ELSE {clash_here} END,
            coalesce(_dt_qraw, CAST(json_object({stored}, 'extra', extra) AS VARCHAR))
        FROM _dt_verdicts WHERE _dt_verdict IN ('quarantine', 'conflict') ORDER BY _dt_line""")


def judge_and_load(
    con: duckdb.DuckDBPyConnection, rules: TableRules, projection: Projection,
    file: Path, ingest_id: int, step: Callable[[int], None] | None = None,
) -> FileCounts:
    """Judge the staged rows of ``file`` and write accepted and quarantined rows; ``step``
    hears 1, 2, 3 as judging, loading and quarantining finish."""
    table, name = rules.table.name, literal(str(file))
    _judge(con, rules, projection)
    if step:
        step(1)
    columns = [*rules.outputs, "extra", "content_hash", "source_file", "source_line", "ingest_id"]
    values = [*rules.outputs, "extra", "content_hash", name, "_dt_line", str(ingest_id)]
    con.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} "
                "FROM _dt_verdicts WHERE _dt_verdict = 'accept'")
    if step:
        step(2)
    _quarantine(con, rules, str(file), ingest_id)
    if step:
        step(3)
    row = con.execute("""SELECT count(*), count(*) FILTER (_dt_verdict = 'accept'),
        count(*) FILTER (_dt_verdict IN ('quarantine', 'conflict')),
        count(*) FILTER (_dt_verdict = 'duplicate') FROM _dt_verdicts""").fetchall()[0]
    con.execute("DROP VIEW _dt_verdicts")
    con.execute("DROP TABLE _dt_clash")
    con.execute("DROP TABLE _dt_judged")
    read, accepted, quarantined, duplicate = (int(x) for x in row)
    return FileCounts(table, str(file), read, accepted, quarantined, duplicate)

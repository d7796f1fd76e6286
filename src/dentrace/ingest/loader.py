"""Judge one staged file set-based in DuckDB and load it: accept, quarantine or count as duplicate.

A row's verdict is its first failing rule, else a clash with an earlier row of the same key
(same content: duplicate; other content: quarantined), else accepted.
"""

from __future__ import annotations

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
                 "LEFT JOIN _dt_rates ON _dt_rates.currency = upper(trim(q._m_currency))")
    for name, expr in rules.helpers:
        query = f"SELECT q.*, {expr} AS {name} FROM ({query}) q"
    field = " ".join(f"WHEN {r.when} THEN {literal(r.field)}" for r in rules.rules)
    reason = " ".join(f"WHEN {r.when} THEN {r.reason}" for r in rules.rules)
    outputs = ", ".join(f"{expr} AS {name}" for name, expr in rules.outputs.items())
    return (f"SELECT q.*, CASE WHEN _dt_fault_reason IS NOT NULL THEN _dt_fault_field "
            f"{field} END AS _dt_field, CASE WHEN _dt_fault_reason IS NOT NULL THEN "
            f"_dt_fault_reason {reason} END AS _dt_reason, {outputs} FROM ({query}) q")


def _judged_sql(rules: TableRules, projection: Projection) -> str:
    key, table = rules.table.key, rules.table.name
    hashed = ", ".join(rules.outputs)
    window = f"PARTITION BY h.{key}, h._dt_reason IS NULL ORDER BY h._dt_line"
    clash_here = (f"'same {key} as line ' || _dt_first_line || ' of this file, "
                  "with different content'")
    clash_before = f"'same {key} as a row already in the workspace, with different content'"
    return f"""CREATE OR REPLACE TEMP TABLE _dt_judged AS
    WITH hashed AS (
        SELECT *, CASE WHEN _dt_reason IS NULL THEN hash({hashed}) END AS content_hash
        FROM ({checked_query(rules, projection)})),
    ranked AS (
        SELECT h.*, row_number() OVER ({window}) AS _dt_rn,
            first_value(h.content_hash) OVER ({window}) AS _dt_first_hash,
            first_value(h._dt_line) OVER ({window}) AS _dt_first_line,
            w.content_hash AS _dt_known_hash
        FROM hashed h LEFT JOIN (SELECT {key}, content_hash FROM {table}) w
            ON w.{key} = h.{key} AND h._dt_reason IS NULL),
    judged AS (
        SELECT *, CASE WHEN _dt_reason IS NOT NULL THEN 'quarantine'
            WHEN _dt_known_hash IS NOT NULL THEN
                CASE WHEN _dt_known_hash = content_hash THEN 'duplicate' ELSE 'conflict' END
            WHEN _dt_rn = 1 THEN 'accept'
            WHEN _dt_first_hash = content_hash THEN 'duplicate' ELSE 'conflict' END
            AS _dt_verdict
        FROM ranked)
    SELECT {hashed}, extra, content_hash, _dt_line, _dt_verdict,
        CASE _dt_verdict WHEN 'quarantine' THEN _dt_field WHEN 'conflict' THEN {literal(key)}
            END AS _dt_qfield,
        CASE _dt_verdict WHEN 'quarantine' THEN _dt_reason WHEN 'conflict' THEN
            CASE WHEN _dt_known_hash IS NOT NULL THEN {clash_before} ELSE {clash_here} END
            END AS _dt_qreason,
        CASE WHEN _dt_verdict IN ('quarantine', 'conflict') THEN {projection.raw_json()}
            END AS _dt_qraw
    FROM judged"""


def judge_and_load(
    con: duckdb.DuckDBPyConnection, rules: TableRules, projection: Projection,
    file: Path, ingest_id: int,
) -> FileCounts:
    """Judge the staged rows of ``file`` and write accepted and quarantined rows."""
    table, name = rules.table.name, literal(str(file))
    con.execute(_judged_sql(rules, projection))
    columns = [*rules.outputs, "extra", "content_hash", "source_file", "source_line", "ingest_id"]
    values = [*rules.outputs, "extra", "content_hash", name, "_dt_line", str(ingest_id)]
    con.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} "
                "FROM _dt_judged WHERE _dt_verdict = 'accept'")
    con.execute(f"""INSERT INTO quarantine SELECT {ingest_id}, {literal(table)}, {name},
        _dt_line, _dt_qfield, _dt_qreason, _dt_qraw
        FROM _dt_judged WHERE _dt_qreason IS NOT NULL ORDER BY _dt_line""")
    row = con.execute("""SELECT count(*), count(*) FILTER (_dt_verdict = 'accept'),
        count(*) FILTER (_dt_verdict IN ('quarantine', 'conflict')),
        count(*) FILTER (_dt_verdict = 'duplicate') FROM _dt_judged""").fetchone()
    assert row is not None
    con.execute("DROP TABLE _dt_judged")
    read, accepted, quarantined, duplicate = (int(x) for x in row)
    return FileCounts(table, str(file), read, accepted, quarantined, duplicate)

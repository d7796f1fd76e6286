"""Parquet columns typed as numbers load exactly as the same values given as text would."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dentrace.ingest import ingest
from dentrace.ingest.readers.parquet_reader import numeric_columns

# amount as DOUBLE (with a negative, a NaN, a zero and one above the largest accepted), an
# integer extra column, a repeated id.
ROWS = """SELECT * FROM (VALUES
    ('t1', '2025-03-04T21:15:00+10:00', 's1', 'b1', 12.5::DOUBLE, 'usd', 7::BIGINT, 'ok'),
    ('t2', '2025-03-04T21:15:00Z', 's1', 'b1', -1.0::DOUBLE, 'USD', 8::BIGINT, 'negative'),
    ('t3', '2025-03-04T21:15:00-05:00', 's1', 'b1', 'nan'::DOUBLE, 'EUR', 9::BIGINT, 'nan'),
    ('t4', '2025-03-04T21:15:00+0530', 's2', 'b2', 0.0::DOUBLE, 'EUR', NULL, 'zero'),
    ('t5', '2025-03-04T21:15:00+02', 's2', 'b2', 1e20::DOUBLE, 'EUR', 10::BIGINT, 'big'),
    ('t1', '2025-03-04T21:15:00+10:00', 's1', 'b1', 13.0::DOUBLE, 'USD', 7::BIGINT, 'clash'),
    ('t6', '2025-03-04T21:15:00+10:00', 's1', 'b1', NULL, 'USD', 11::BIGINT, 'no amount'))
    t(txn_id, ts, sender_id, beneficiary_id, amount, currency, device, memo)"""

TYPES = {
    "double": "amount AS amount",
    "decimal": "TRY_CAST(amount AS DECIMAL(18, 4)) AS amount",
    "bigint": "TRY_CAST(round(amount) AS BIGINT) AS amount",
    "float": "CAST(amount AS FLOAT) AS amount",
}


def _write(path: Path, amount: str, as_text: bool) -> Path:
    con = duckdb.connect()
    # The text file holds what DuckDB prints for the typed value (the old staging cast).
    source = f"SELECT * REPLACE ({amount}) FROM ({ROWS})"
    if as_text:
        source = ("SELECT * REPLACE (CAST(amount AS VARCHAR) AS amount, "
                  f"CAST(device AS VARCHAR) AS device) FROM ({source})")
    con.execute(f"COPY ({source}) TO '{path}' (FORMAT parquet)")
    con.close()
    return path


def _loaded(workspace: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    con = duckdb.connect(str(workspace / "warehouse.duckdb"), read_only=True)
    try:
        kept = con.execute("SELECT * FROM transactions "
                           "ORDER BY source_line").fetchall()
        bad = con.execute("SELECT line, field, reason, raw FROM quarantine ORDER BY line")
        return kept, bad.fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("kind", list(TYPES))
def test_typed_amount_loads_as_its_text_would(tmp_path: Path, kind: str) -> None:
    typed = _write(tmp_path / "typed.parquet", TYPES[kind], as_text=False)
    text = _write(tmp_path / "text.parquet", TYPES[kind], as_text=True)
    first = ingest(tmp_path / "a", transactions=typed, quiet=True)
    second = ingest(tmp_path / "b", transactions=text, quiet=True)
    assert first.as_summary()["rows_accepted"] == second.as_summary()["rows_accepted"]
    assert _loaded(tmp_path / "a") == _loaded(tmp_path / "b")
    assert first.rows_read == 7 == first.rows_accepted + first.rows_quarantined


def test_typed_double_verdicts_and_raw_text(tmp_path: Path) -> None:
    path = _write(tmp_path / "t.parquet", TYPES["double"], as_text=False)
    report = ingest(tmp_path / "ws", transactions=path, quiet=True)
    kept, bad = _loaded(tmp_path / "ws")
    assert (report.rows_accepted, report.rows_quarantined) == (1, 6)
    assert [(row[0], row[6], row[15]) for row in kept] == [("t1", 12.5, '{"device":"7"}')]
    reasons = {line: (field, reason) for line, field, reason, _ in bad}
    assert reasons == {
        2: ("amount", "non-positive amount: -1.0"), 3: ("amount", "non-numeric amount: nan"),
        4: ("amount", "non-positive amount: 0.0"),
        5: ("amount", "amount above 10,000,000,000,000, the largest accepted: 1e+20"),
        6: ("txn_id", "same txn_id as line 1 of this file, with different content"),
        7: ("amount", "missing required field")}
    raw = {line: str(text) for line, _, _, text in bad}
    assert '"amount":"-1.0"' in raw[2] and '"extra":"{\\"device\\":\\"8\\"}"' in raw[2]

def test_numeric_columns_leave_out_text_and_float32(tmp_path: Path) -> None:
    path = _write(tmp_path / "f.parquet", TYPES["float"], as_text=False)
    assert numeric_columns(path) == frozenset({"device"})
    path = _write(tmp_path / "d.parquet", TYPES["decimal"], as_text=False)
    assert numeric_columns(path) == frozenset({"amount", "device"})

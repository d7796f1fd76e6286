"""Every CSV dentrace writes is safe to open in a spreadsheet: a cell a spreadsheet would run as a
formula gets a leading apostrophe, in the shared writer and in each writer that uses it."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa

from dentrace import cases
from dentrace.auth import add_user
from dentrace.store.sql import open_store
from dentrace.synth.writer import TableFile
from dentrace.writing.csvsafe import neutralise, neutralise_table, write_csv

ATTACK = "=cmd|' /C calc'!A0"
RISKY = [ATTACK, "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_every_formula_start_is_neutralised_and_plain_cells_kept(tmp_path: Path) -> None:
    out = tmp_path / "cells.csv"
    assert write_csv(out, ["value", "n"], [(text, 5) for text in [*RISKY, "plain", "a=b"]]) == 8
    rows = _rows(out)[1:]
    assert [r[0] for r in rows] == [*("'" + t for t in RISKY), "plain", "a=b"]
    assert {r[1] for r in rows} == {"5"}
    assert neutralise(-3.5) == -3.5 and neutralise(None) is None
    write_csv(out, ["value"], [("lone \ud800 surrogate",)])
    assert _rows(out)[1] == ["lone ? surrogate"]


def test_an_arrow_table_is_neutralised_column_by_column() -> None:
    table = pa.table({"memo": [ATTACK, "rent", None], "amount": [-1.5, 2.0, 3.0]})
    safe = neutralise_table(table)
    assert safe.column("memo").to_pylist() == ["'" + ATTACK, "rent", None]
    assert safe.column("amount").to_pylist() == [-1.5, 2.0, 3.0]


def test_known_labels_csv_neutralises_a_party_id(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        ana = add_user(store, "ana", "analyst", "correct-horse-battery-staple")
        sue = add_user(store, "sue", "supervisor", "correct-horse-battery-staple")
        case = cases.open_case(store, ana, "Spreadsheet attack", [(ATTACK, "payer")])
        cases.start_investigation(store, ana, case.id)
        cases.submit_for_approval(store, ana, case.id)
        cases.approve_case(store, sue, case.id)
        out = tmp_path / "known.csv"
        assert cases.write_known_csv(store, out) == 1
    rows = _rows(out)
    assert rows[1][:2] == ["'" + ATTACK, "offender"]
    assert not list(tmp_path.glob(".known.csv*")), "no temporary file is left"


def test_synthetic_world_csv_neutralises_memos(tmp_path: Path) -> None:
    table = pa.table({"txn_id": ["TX1", "TX2"], "memo": [ATTACK, "gift"],
                      "amount": [10.0, -20.0]})
    written = TableFile(tmp_path / "transactions.csv", "csv")
    written.write(table)
    written.write(table)
    written.close()
    rows = _rows(tmp_path / "transactions.csv")
    assert rows[0] == ["txn_id", "memo", "amount"]
    assert [r[1] for r in rows[1:]] == ["'" + ATTACK, "gift"] * 2
    assert [r[2] for r in rows[1:]] == ["10.00", "-20.00"] * 2

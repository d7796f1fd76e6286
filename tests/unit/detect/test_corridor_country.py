"""The corridor country an explanation names: the one of most corridor payments, the first in
alphabetical order among equals, whatever order the payments are read in."""

from __future__ import annotations

import duckdb
import pytest

from dentrace.detect.explain import corridor_countries
from dentrace.features.build import FLAGS_TABLE

# (sender, beneficiary, beneficiary country, corridor payment)
_ROWS = [("p1", "b1", "TH", True), ("p1", "b2", "PH", True), ("p1", "b1", "TH", True),
         ("p1", "b2", "PH", True), ("p1", "b3", "VN", True), ("p1", "b4", "CA", False),
         ("p1", "b4", "CA", False), ("p1", "b4", "CA", False), ("p1", "b5", None, True),
         ("p1", "b5", None, True), ("p1", "b5", None, True),
         ("p2", "b6", "VN", True), ("p2", "b1", "TH", True), ("p2", "b6", "VN", True)]


@pytest.mark.parametrize("order", [1, -1])
def test_most_paid_country_with_ties_broken_alphabetically(order: int) -> None:
    con = duckdb.connect()
    con.execute(f"CREATE TABLE {FLAGS_TABLE} (sender_id VARCHAR, beneficiary_id VARCHAR, "
                "beneficiary_country VARCHAR, is_corridor BOOLEAN)")
    con.executemany(f"INSERT INTO {FLAGS_TABLE} VALUES (?, ?, ?, ?)", _ROWS[::order])
    # p1: TH 2, PH 2 (a tie: PH), VN 1; its non-corridor CA and unknown countries do not count
    assert corridor_countries(con, "payer", ["p1", "p2", "p9"]) == {"p1": "PH", "p2": "VN"}
    assert corridor_countries(con, "facilitator", ["b5", "b6"]) == {"b6": "VN"}

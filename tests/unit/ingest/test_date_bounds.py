"""Customer and known-outcome dates keep the years transactions keep (contract.validity):
year 0000 or 10000 is quarantined naming the field, not loaded for the exporters to fail on."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from dentrace.contract import validity
from dentrace.ingest import ingest

Query = Callable[[str], list[tuple[object, ...]]]


def test_customer_and_known_dates_outside_the_years_are_quarantined(
        tmp_path: Path, query: Query) -> None:
    customers = tmp_path / "customers.csv"
    customers.write_text("customer_id,name,birth_date,customer_since\n"
                         "c1,A,1900-01-01,2100-12-31\n"  # 2: the edges, kept
                         "c2,B,0000-01-01,2020-01-01\n"  # 3
                         "c3,C,1899-12-31,2020-01-01\n"  # 4
                         "c4,D,1980-05-05,2101-01-01\n"  # 5
                         "c5,E,1980-05-05,10000-01-01\n", encoding="utf-8")  # 6
    known = tmp_path / "known.csv"
    known.write_text("party_id,label,as_of\np1,offender,2024-01-01\np2,cleared,0000-01-01\n",
                     encoding="utf-8")
    report = ingest(tmp_path / "ws", customers=customers, known=known, quiet=True)
    assert (report.rows_accepted, report.rows_quarantined) == (2, 5)
    assert query("SELECT customer_id FROM customers") == [("c1",)]
    assert query("SELECT party_id FROM known") == [("p1",)]
    assert query("SELECT table_name, line, field, reason FROM quarantine "
                 "ORDER BY table_name, line") == [
        ("customers", 3, "birth_date", f"{validity.DATE_RANGE}: 0000-01-01"),
        ("customers", 4, "birth_date", f"{validity.DATE_RANGE}: 1899-12-31"),
        ("customers", 5, "customer_since", f"{validity.DATE_RANGE}: 2101-01-01"),
        ("customers", 6, "customer_since", f"{validity.DATE_RANGE}: 10000-01-01"),
        ("known", 3, "as_of", f"{validity.DATE_RANGE}: 0000-01-01"),
    ]

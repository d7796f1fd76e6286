"""Small hand-built warehouses for the feature, indicator, graph and scan tests: an offender
paying several unrelated women in PH at night, a diaspora family, a charity donor, a shopper."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import duckdb
import pandas as pd

COLUMNS = [
    "txn_id", "ts_utc", "ts_local", "utc_offset_min", "sender_id", "beneficiary_id", "amount",
    "currency", "amount_ref", "sender_name", "sender_country", "beneficiary_name",
    "beneficiary_country", "channel", "memo",
]
START = datetime(2024, 1, 1)


def payment(txn: str, sender: str, beneficiary: str, day: float, amount: float, *,
            hour: int = 12, sender_name: str = "John Smith", beneficiary_name: str = "Ana Reyes",
            sender_country: str = "AU", beneficiary_country: str = "PH",
            channel: str = "remittance", memo: str | None = None) -> dict[str, Any]:
    """One payment row; ts_local is ``hour`` o'clock and the sender is at UTC+10."""
    local = START + timedelta(days=day, hours=hour)
    return {
        "txn_id": txn, "ts_utc": local - timedelta(hours=10), "ts_local": local,
        "utc_offset_min": 600, "sender_id": sender, "beneficiary_id": beneficiary,
        "amount": amount, "currency": "USD", "amount_ref": amount, "sender_name": sender_name,
        "sender_country": sender_country, "beneficiary_name": beneficiary_name,
        "beneficiary_country": beneficiary_country, "channel": channel, "memo": memo,
    }


def offender(sender: str, n: int = 30, beneficiaries: int = 6, prefix: str = "o",
             facilitators: list[str] | None = None) -> list[dict[str, Any]]:
    """Small, frequent, rising, night payments to several unrelated beneficiaries."""
    names = ["Maria Cruz", "Joy Dela Pena", "Liza Garcia", "Ann Ramos", "Mae Lopez", "Grace Tan"]
    targets = facilitators or [f"{sender}-b{i}" for i in range(beneficiaries)]
    rows = []
    for i in range(n):
        rows.append(payment(
            f"{prefix}{sender}-{i}", sender, targets[i % len(targets)], day=i * 6.0 + (i % 3),
            amount=float(20 + i * 2), hour=23 if i % 4 else 2, sender_name="Peter Miller",
            beneficiary_name=names[i % len(names)],
            memo="add me on telegram @maria" if i % 5 == 0 else None,
        ))
    return rows


def family(sender: str, months: int = 12) -> list[dict[str, Any]]:
    """Monthly remittance of about US$300 to the same kin, daytime."""
    return [
        payment(f"f{sender}-{m}", sender, f"{sender}-mum", day=m * 30.0, amount=300.0 + m,
                hour=10, sender_name="Jose Santos", beneficiary_name="Lorna Santos",
                memo="for mama")
        for m in range(months)
    ]


def charity_donor(sender: str, charity: str = "charity-1") -> list[dict[str, Any]]:
    """Identical fixed monthly donation to a children's charity in PH."""
    return [
        payment(f"c{sender}-{m}", sender, charity, day=m * 30.0 + 1, amount=50.0, hour=9,
                sender_name=f"Donor {sender}", beneficiary_name="Hope For Kids Foundation",
                channel="transfer", memo="monthly donation")
        for m in range(12)
    ]


def shopper(sender: str) -> list[dict[str, Any]]:
    """Domestic card spend only."""
    return [
        payment(f"s{sender}-{i}", sender, "shop-1", day=float(i), amount=35.0, hour=18,
                beneficiary_name="Coles Supermarket", beneficiary_country="AU", channel="card")
        for i in range(20)
    ]


def warehouse(rows: list[dict[str, Any]], known: list[tuple[str, str]] | None = None,
              customers: list[dict[str, Any]] | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB warehouse with the workspace tables filled from ``rows``."""
    con = duckdb.connect()
    frame = pd.DataFrame(rows, columns=COLUMNS)
    con.register("rows_view", frame)
    con.execute("CREATE TABLE transactions AS SELECT * FROM rows_view")
    con.execute("CREATE TABLE meta(key VARCHAR, value VARCHAR)")
    con.execute("INSERT INTO meta VALUES ('reporting_currency', 'USD')")
    known_frame = pd.DataFrame(known or [], columns=["party_id", "label"])
    con.register("known_view", known_frame)
    con.execute("CREATE TABLE known AS SELECT party_id::VARCHAR AS party_id, label::VARCHAR AS "
                "label, NULL::DATE AS as_of FROM known_view")
    if customers is not None:
        con.register("customers_view", pd.DataFrame(customers))
        con.execute("CREATE TABLE customers AS SELECT * FROM customers_view")
    return con


def mixed_world() -> list[dict[str, Any]]:
    """Eight offenders sharing six facilitators (one den), a lone offender with his own
    beneficiaries, plus families, charity donors and shoppers."""
    rows: list[dict[str, Any]] = []
    shared = [f"fac-{i}" for i in range(1, 7)]
    for k in range(8):
        rows += offender(f"off{k}", n=28, facilitators=[*shared, f"off{k}-own"], prefix=f"x{k}")
    rows += offender("lone", n=30, beneficiaries=6)
    for k in range(5):
        rows += family(f"fam{k}")
        rows += charity_donor(f"don{k}")
        rows += shopper(f"shop{k}")
    return rows

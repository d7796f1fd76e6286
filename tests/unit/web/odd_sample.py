"""Hostile additions to the web sample: payments with script-like memos, parties with odd ids.

An attacker who can send a payment chooses its memo, and banks' party ids hold any character.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from dentrace.cases import import_alerts
from dentrace.store.sql import Store
from dentrace.store.warehouse import open_warehouse

HOSTILE_MEMOS = {
    "TP10": "<!--<script>",
    "TP11": "</script><script>alert(1)</script>",
    "TP12": "a & b > c \u2028 line \u2029 para ' \"quoted\"",
}
# '/' splits paths, '?' and '#' end them, '%' escapes, '..' climbs; 'a/payments' would be
# read as the payments of a party 'a' by a router that decodes %2F first.
ODD_IDS = ("a/b", "../x", "a?b#c", "名前 1", "100%", "x%2Fy", "a/payments")


def set_memos(workspace: Path, memos: dict[str, str] = HOSTILE_MEMOS) -> None:
    """Give the sample payments ``memos`` (txn id -> memo)."""
    con = open_warehouse(workspace)
    try:
        for txn_id, memo in memos.items():
            con.execute("UPDATE transactions SET memo = ? WHERE txn_id = ?", [memo, txn_id])
    finally:
        con.close()


def add_odd_parties(workspace: Path, store: Store) -> None:
    """Each odd id pays the facilitator F1 once (a copy of TP10) and has a new alert."""
    con = open_warehouse(workspace)
    try:
        for n, party_id in enumerate(ODD_IDS):
            con.execute("INSERT INTO transactions SELECT * REPLACE (? AS txn_id, ? AS sender_id) "
                        "FROM transactions WHERE txn_id = 'TP10'", [f"TODD{n}", party_id])
    finally:
        con.close()
    alerts = pa.table({
        "party_id": list(ODD_IDS), "role": ["payer"] * len(ODD_IDS),
        "score": [0.5 - n / 100 for n in range(len(ODD_IDS))], "alert": [True] * len(ODD_IDS),
        "reasons": ["NIGHT"] * len(ODD_IDS),
        "explanation": ["NIGHT: 1 of 1 corridor payments at night"] * len(ODD_IDS),
        "txn_ids": [[f"TODD{n}"] for n in range(len(ODD_IDS))],
    })
    path = workspace / "odd-alerts.parquet"
    pq.write_table(alerts, path)
    import_alerts(store, path)

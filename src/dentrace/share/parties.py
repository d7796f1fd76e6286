"""The local parties a workspace knows, with the name and country each is most often written
with: what signals are made from (export) and matched against (match)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dentrace.store.workspace import Workspace

_SEEN = """
WITH seen AS (
    SELECT sender_id AS party_id, sender_name AS name, sender_country AS country
    FROM transactions
    UNION ALL
    SELECT beneficiary_id, beneficiary_name, beneficiary_country FROM transactions
)
SELECT CAST(party_id AS VARCHAR) AS party_id, mode(name) AS name, mode(country) AS country
FROM seen GROUP BY party_id
"""
_CUSTOMERS = "SELECT CAST(customer_id AS VARCHAR) AS party_id, name, country FROM customers"


def _has_table(con: object, name: str) -> bool:
    rows = con.execute(  # type: ignore[attr-defined]
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
    ).fetchall()
    return bool(rows and rows[0][0])


def local_parties(workspace: Path) -> pd.DataFrame:
    """``party_id``, ``name``, ``country`` of every sender, beneficiary and customer; the KYC
    name and country win over the ones written on payments."""
    con = Workspace(workspace).open_warehouse(read_only=True)
    try:
        seen = con.execute(_SEEN).df() if _has_table(con, "transactions") else None
        kyc = con.execute(_CUSTOMERS).df() if _has_table(con, "customers") else None
    finally:
        con.close()
    frames = [f for f in (kyc, seen) if f is not None and len(f)]
    if not frames:
        return pd.DataFrame({"party_id": pd.Series(dtype=str), "name": pd.Series(dtype=str),
                             "country": pd.Series(dtype=str)})
    merged = pd.concat(frames, ignore_index=True)
    # first non-null per party: KYC rows come first
    out = merged.groupby("party_id", sort=True, as_index=False).first()
    return out[["party_id", "name", "country"]].reset_index(drop=True)

"""Rows for ingest tests: the contract header and a valid transaction line."""

from __future__ import annotations

HEADER = "txn_id,ts,sender_id,beneficiary_id,amount,currency,channel,memo"


def good_row(txn_id: str, amount: str = "10.00", currency: str = "USD") -> str:
    """A valid transaction line for HEADER."""
    return f"{txn_id},2025-03-04T21:15:00+10:00,s1,b1,{amount},{currency},wallet,hi"

"""A small ingested workspace with hand-written payments, a known file and a scan's alerts, and
two members' keys: what the share tests export from and match against."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from dentrace.ingest import ingest
from dentrace.share import add_consortium_key, new_signing_key
from dentrace.share.keys import ConsortiumKeys, SigningIdentity

PAYMENTS = [
    # txn, sender, beneficiary, sender name, beneficiary name, beneficiary country
    ("t1", "DE89370400440532013000", "+63 917 555 0101", "Karl Weber", "Maria Santos", "PH"),
    ("t2", "0012345678", "+63 917 555 0101", "Anna Schmidt", "Maria Santos", "PH"),
    ("t3", "0012345678", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", "Anna Schmidt",
     "Somchai Srisuk", "TH"),
    ("t4", "0099999999", "PH-ACC-7788", "Klaus Meyer", "Jose =cmd|' /C calc'!A0 Reyes", "PH"),
    ("t5", "0099999999", "acct\u202e<script>1</script>", "Klaus Meyer",
     "Ana \u0000\x1b[2J Cruz", "PH"),
]


def write_payments(path: Path, payments: list[tuple[str, ...]]) -> Path:
    """A transactions CSV of (txn, sender, beneficiary, sender name, beneficiary name,
    beneficiary country) rows, one evening's remittances from Germany."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [{"txn_id": t, "ts": "2025-03-01T22:15:00+01:00", "sender_id": s,
             "beneficiary_id": b, "amount": "25.00", "currency": "EUR", "sender_name": sn,
             "sender_country": "DE", "beneficiary_name": bn, "beneficiary_country": bc,
             "channel": "remittance", "memo": "family support"}
            for t, s, b, sn, bn, bc in payments]
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def write_world(folder: Path) -> Path:
    write_payments(folder / "transactions.csv", PAYMENTS)
    pd.DataFrame([{"party_id": "PH-ACC-7788", "label": "facilitator", "as_of": "2025-02-01"},
                  {"party_id": "0099999999", "label": "cleared", "as_of": "2025-02-01"}]
                 ).to_csv(folder / "known.csv", index=False)
    return folder


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    world = write_world(tmp_path / "world")
    folder = tmp_path / "ws"
    ingest(folder, transactions=world / "transactions.csv", known=world / "known.csv",
           quiet=True)
    pd.DataFrame({"party_id": ["+63 917 555 0101", "0012345678", "0099999999"],
                  "role": ["facilitator", "payer", "payer"], "score": [0.9, 0.8, 0.7]}
                 ).to_parquet(folder / "alerts.parquet")
    return folder


@pytest.fixture
def consortium(tmp_path: Path) -> tuple[Path, ConsortiumKeys]:
    path = tmp_path / "keys" / "consortium.toml"
    return path, add_consortium_key(path, "2026-12")


@pytest.fixture
def bank_a(tmp_path: Path) -> SigningIdentity:
    return new_signing_key("BANK-A", tmp_path / "keys" / "bank-a.pem")


@pytest.fixture
def senders_file(tmp_path: Path, bank_a: SigningIdentity) -> Path:
    path = tmp_path / "keys" / "senders.toml"
    path.write_text(f'[senders]\n"BANK-A" = "{bank_a.public_text()}"\n', encoding="utf-8")
    return path

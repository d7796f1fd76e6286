"""Toy workspaces for the detection tests: hand-built payments written as contract CSV files
and loaded through the real ingest, so scan runs on a genuine warehouse."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.unit.features.toy_payments import mixed_world


def write_contract_csv(rows: list[dict], path: Path) -> Path:
    """The toy rows as a transactions file of the input contract (ts with its UTC offset)."""
    frame = pd.DataFrame(rows)
    frame["ts"] = frame["ts_local"].dt.strftime("%Y-%m-%dT%H:%M:%S") + "+10:00"
    columns = ["txn_id", "ts", "sender_id", "beneficiary_id", "amount", "currency",
               "sender_name", "sender_country", "beneficiary_name", "beneficiary_country",
               "channel", "memo"]
    frame[columns].to_csv(path, index=False)
    return path


def make_workspace(tmp: Path, rows: list[dict], known: list[tuple[str, str, str]] | None = None
                   ) -> Path:
    """Ingest ``rows`` (and a known file of (party_id, label, as_of)) into tmp/ws."""
    from dentrace.ingest import ingest

    transactions = write_contract_csv(rows, tmp / "transactions.csv")
    known_file = None
    if known:
        known_file = tmp / "known.csv"
        pd.DataFrame(known, columns=["party_id", "label", "as_of"]).to_csv(known_file,
                                                                           index=False)
    ingest(tmp / "ws", transactions=transactions, known=known_file, quiet=True)
    return tmp / "ws"


@pytest.fixture
def toy_workspace(tmp_path: Path) -> Path:
    return make_workspace(tmp_path, mixed_world())


def generated_history(tmp: Path) -> tuple[Path, pd.DataFrame]:
    """A synthetic world (seed 7001, scale 0.01) but its last 7 UTC days ingested into tmp/ws,
    scanned in full and its party state built by an incremental scan; returns the workspace
    and those last days' payments (contract columns, also written to tmp/day.csv)."""
    from dentrace.detect.incremental import scan_incremental
    from dentrace.detect.scan import scan
    from dentrace.ingest import ingest
    from dentrace.synth import generate_world

    world = tmp / "world"
    generate_world(world, seed=7001, scale=0.01, fmt="csv")
    payments = pd.read_csv(world / "transactions" / "part-00000.csv", dtype=str,
                           keep_default_na=False)
    day = pd.to_datetime(payments["ts"], utc=True, format="ISO8601").dt.floor("D")
    last = day > day.max() - pd.Timedelta(days=7)
    payments.loc[~last].to_csv(tmp / "history.csv", index=False)
    payments.loc[last].to_csv(tmp / "day.csv", index=False)
    workspace = tmp / "ws"
    ingest(workspace, transactions=tmp / "history.csv", customers=world / "customers.csv",
           quiet=True)
    scan(workspace)
    scan_incremental(workspace, full_scan_share=None)
    return workspace, payments.loc[last]

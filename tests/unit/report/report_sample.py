"""A small synthetic workspace for the report tests: a world generated, ingested and scanned,
its alerts imported, one case approved for reporting (four eyes) and one left pending."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dentrace import cases
from dentrace.auth import Account, add_user
from dentrace.detect import scan
from dentrace.ingest import ingest
from dentrace.store.sql import open_store
from dentrace.synth import generate_world

PASSWORD = "correct-horse-battery-staple"


@dataclass(frozen=True)
class Sample:
    """The workspace, its approved and pending case ids and the users who worked them."""

    workspace: Path
    approved_case: int
    pending_case: int
    analyst: Account
    supervisor: Account
    alerted_party: str


def build(folder: Path) -> Sample:
    """Generate, ingest and scan a 1% world, then work two cases through the workflow."""
    world = folder / "world"
    generate_world(world, seed=11, scale=0.01, fmt="parquet")
    ingest(folder, transactions=world / "transactions", customers=world / "customers.parquet",
           known=world / "known.parquet", quiet=True)
    scan(folder)
    alerts = pd.read_parquet(folder / "alerts.parquet")
    with open_store(folder) as store:
        cases.import_alerts(store, folder / "alerts.parquet")
        ana = add_user(store, "ana", "analyst", PASSWORD)
        sam = add_user(store, "sam", "supervisor", PASSWORD)
        queue = cases.list_alerts(store, ana)
        payers = [a for a in queue if a.role == "payer"]
        approved = cases.escalate_alerts(store, ana, [payers[0].id], title="Night payer")
        cases.start_investigation(store, ana, approved.id)
        cases.add_note(store, ana, approved.id, "Payments match the den's collectors.")
        cases.submit_for_approval(store, ana, approved.id)
        cases.approve_case(store, sam, approved.id)
        pending = cases.escalate_alerts(store, ana, [payers[1].id], title="Second payer")
        cases.start_investigation(store, ana, pending.id)
        cases.submit_for_approval(store, ana, pending.id)
    return Sample(folder, approved.id, pending.id, ana, sam, str(alerts["party_id"].iloc[-1]))

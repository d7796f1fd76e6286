"""A small generated world with hostile rows added (party ids, names, memos, codes holding markup,
controls, direction marks and 100 kB text), ingested, scanned and worked into an approved case.

Each hostile party copies the payments of one of the world's offenders, so the scan alerts it on
its own behaviour; further rows carry text that must be quarantined (ids XML cannot hold, bytes
that are not UTF-8, an unknown currency).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dentrace import cases
from dentrace.auth import Account, add_user
from dentrace.detect import scan
from dentrace.ingest import IngestReport, ingest
from dentrace.store.sql import open_store
from dentrace.synth import generate_world
from tests.unit.robustness.hostile_strategies import BIG, encoded

PASSWORD = "correct-horse-battery-staple"
BIG_ID = ("<b>&amp;[/]\u202e" * BIG)[:BIG]
# Ids the cases store can hold (at most 128 characters); BIG_ID, which it cannot, is quarantined.
PARTIES = (
    "<script>alert('P')</script>[/]<!--",
    "\u202eRLO\u2066[bold]iso\u2069 \u200bzw\u200d",
    "=cmd|' /C calc'!A0 ${7*7} {{7*7}} %s%n",
    "a/b?c#d%2F%25 ]]> & 名前 🎁 \\",
)
CASE_PARTIES = PARTIES
MEMOS = ("GIFT\x01\x1b[31mred\x1b[0m", "<!--<script>", "]]>&amp;[/][bold]", "\u2028\u2029\x85",
         "\ufffe\uffff\x00", ("$\\frac{1}{$ <i>" * BIG)[:BIG], "=HYPERLINK(\"http://x\")")
NAMES = ("Ana\x0bReyes\ufffe", "[red]Bob[/red] \u202eSmith", "<b>Carl</b> & Co",
         "${jndi:ldap://x}", "Dina \u200b\u2066Cruz\u2069")
TITLE = "[/] <script>alert(1)</script> \u202eevil\u202c ]]> ${x} {{y}} =cmd|'x'!A0 \x1b[2J"
NOTE = "Note: <!--<script>\u2028]]>&[/][bold]\x1b[31m\ufffd\n" + "\u202e<i>" * 3000
# Rows ingest must quarantine: ids XML cannot hold, bytes not UTF-8, an unknown currency,
# an offset followed by a direction mark, an id longer than 128 characters (BIG_ID).
BAD_IDS = ("Q\x01ctl", "Q\x00nul", "Q\ufffenon", "Q\ud800sur")


@dataclass(frozen=True)
class HostileWorld:
    """The scanned workspace, its approved case of hostile parties and the users on it."""

    workspace: Path
    case_id: int
    analyst: Account
    supervisor: Account
    report: IngestReport  # the hostile files' ingest
    copied: str  # the offender whose payments the hostile parties copy


def _offender(world: Path) -> str:
    """The world's unlabelled offending payer with the fewest payments (20 or more)."""
    truth = pd.read_parquet(world / "truth.parquet")
    known = set(pd.read_parquet(world / "known.parquet")["party_id"])
    payers = truth[truth["is_positive"] & (truth["role"] == "payer")
                   & ~truth["party_id"].isin(known)]["party_id"]
    txns = pd.read_parquet(world / "transactions", columns=["sender_id"])
    counts = txns[txns["sender_id"].isin(payers)].groupby("sender_id").size()
    return str(counts[counts >= 20].sort_values(kind="stable").index[0])


Rows = list[dict[str, object]]


def _csv(path: Path, rows: Rows) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows({k: "" if v is None else str(v) for k, v in row.items()} for row in rows)
    path.write_bytes(encoded(buffer.getvalue()))  # a surrogate becomes invalid UTF-8
    return path


def _records(path: Path, column: str, value: str) -> Rows:
    frame = pd.read_parquet(path)
    rows: Rows = frame[frame[column] == value].astype(object).to_dict("records")
    return [{k: None if pd.isna(v) else v for k, v in row.items()} for row in rows]


def _hostile_payments(world: Path, offender: str) -> Rows:
    own = _records(world / "transactions", "sender_id", offender)
    rows = [{**row, "txn_id": f"H{n}-{row['txn_id']}", "sender_id": party,
             "sender_name": NAMES[n % len(NAMES)], "memo": MEMOS[(n + k) % len(MEMOS)]}
            for n, party in enumerate(PARTIES) for k, row in enumerate(own)]
    bad = [{**own[0], "txn_id": txn_id} for txn_id in BAD_IDS]
    bad.append({**own[0], "txn_id": "Q-currency", "currency": "US\u202eD"})
    bad.append({**own[0], "txn_id": "Q-long-id", "sender_id": BIG_ID})
    bad.append({**own[0], "txn_id": "Q-ts", "ts": "2025-03-04T21:15:00+10:00\u202e"})
    # codes are cleaned, not quarantined: this row loads
    bad.append({**own[0], "txn_id": "C-codes", "sender_country": "<b>\x01",
                "channel": "[/]\u2066wallet"})
    return rows + bad


def _hostile_customers(world: Path, offender: str) -> Rows:
    (own,) = _records(world / "customers.parquet", "customer_id", offender)
    return [{**own, "customer_id": party, "name": NAMES[n % len(NAMES)],
             "occupation": MEMOS[n]} for n, party in enumerate(PARTIES)]


def build(folder: Path) -> HostileWorld:
    """Generate (1%), ingest, add and ingest the hostile rows, scan, then open a case of the
    hostile parties' alerts and approve it (four eyes)."""
    world = folder / "world"
    generate_world(world, seed=11, scale=0.01, fmt="parquet")
    ingest(folder, transactions=world / "transactions", customers=world / "customers.parquet",
           known=world / "known.parquet", quiet=True)
    offender = _offender(world)
    report = ingest(folder, quiet=True,
                    transactions=_csv(folder / "hostile.csv", _hostile_payments(world, offender)),
                    customers=_csv(folder / "hostile-kyc.csv",
                                   _hostile_customers(world, offender)))
    scan(folder)
    with open_store(folder) as store:
        cases.import_alerts(store, folder / "alerts.parquet")
        ana = add_user(store, "ana", "analyst", PASSWORD)
        sam = add_user(store, "sam", "supervisor", PASSWORD)
        alerts = [a.id for a in cases.list_alerts(store, ana) if a.party_id in CASE_PARTIES]
        case = cases.escalate_alerts(store, ana, alerts, title=TITLE, note=TITLE)
        cases.start_investigation(store, ana, case.id)
        cases.add_note(store, ana, case.id, NOTE)
        cases.submit_for_approval(store, ana, case.id)
        cases.approve_case(store, sam, case.id)
    return HostileWorld(folder, case.id, ana, sam, report, offender)

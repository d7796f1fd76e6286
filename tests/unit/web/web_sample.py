"""A tiny hand-made workspace for the web tests: warehouse, scan outputs, cases store and users.

Three night-time payers send small sums to one facilitator in PH; a family remitter sends monthly.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from fastapi.testclient import TestClient

from dentrace.auth import add_user, get_account, issue_token
from dentrace.cases import import_alerts
from dentrace.contract.alert import AlertRecord, Counterparty, Reason, details_json
from dentrace.store.sql import Store, open_store
from dentrace.store.warehouse import open_warehouse, write_meta

PASSWORD = "correct-horse-battery-staple"
USERS = {"ana": "analyst", "sam": "supervisor", "sue": "supervisor", "adam": "admin",
         "gate": "screener"}
START = datetime(2025, 3, 1, 23, 10)


def _payments() -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for n, payer in enumerate(("P1", "P2", "P3")):
        for k in range(6):
            when = START + timedelta(days=5 * k + n, hours=k % 3)
            rows.append((f"T{payer}{k}", when, payer, "F1", 20.0 + 10 * k, "AU", "PH"))
    for k in range(4):
        rows.append((f"TP4{k}", datetime(2025, 1 + k, 15, 12, 0), "P4", "B4", 300.0, "AU",
                     "PH"))
    rows.append(("TP5", datetime(2025, 4, 2, 1, 30), "P5", "F1", 45.0, "US", "PH"))
    rows.append(("TF1", datetime(2025, 4, 3, 9, 0), "F1", "F9", 500.0, "PH", "PH"))
    return rows


def _write_warehouse(workspace: Path) -> None:
    con = open_warehouse(workspace, create=True)
    for i, (txn, when, sender, beneficiary, amount, s_cty, b_cty) in enumerate(_payments()):
        con.execute(
            "INSERT INTO transactions VALUES (?, ?, ?, 0, ?, ?, ?, 'AUD', ?, ?, ?, ?, ?, "
            "'remittance', ?, NULL, ?, 1)",
            [txn, when, when, sender, beneficiary, amount, amount, f"name {sender}", s_cty,
             f"name {beneficiary}", b_cty, "gift" if sender != "P4" else "family support",
             i + 2])
    customers = [("P1", "Alan Smith", "1961-04-02", "M", "AU", "AU", "engineer", "2015-06-01"),
                 ("P2", "Brian Jones", "1958-11-20", "M", "AU", "GB", "retired", "2012-01-10"),
                 ("P3", "Carl White", "1970-02-14", "M", "AU", "AU", "driver", "2019-09-09"),
                 ("P4", "Dina Reyes", "1985-07-07", "F", "AU", "PH", "nurse", "2016-03-03")]
    for i, row in enumerate(customers):
        con.execute("INSERT INTO customers VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, 2)",
                    [*row, i + 2])
    con.execute("INSERT INTO known VALUES ('F9', 'facilitator', '2024-12-01', NULL, 2, 3)")
    con.execute("INSERT INTO ingest_runs VALUES (1, 'transactions', 'tx.csv', '', now(), 0, 0, "
                "0, 0, false), (2, 'customers', 'c.csv', '', now(), 0, 0, 0, 0, false), "
                "(3, 'known', 'known.csv', '', now(), 0, 0, 0, 0, false)")
    write_meta(con, "reporting_currency", "AUD")
    con.close()


def _write_scan(workspace: Path) -> None:
    parties = {
        "party_id": ["P1", "P2", "F1", "P3", "P4"],
        "role": ["payer", "payer", "facilitator", "payer", "payer"],
        "score": [0.93, 0.81, 0.88, 0.55, 0.12],
        "alert": [True, True, True, True, False],
        "reasons": ["NIGHT;SMALL_CORRIDOR;ESCALATION", "NIGHT;SMALL_CORRIDOR", "FAN_IN",
                    "SMALL_CORRIDOR", ""],
    }
    pq.write_table(pa.table(parties), workspace / "parties.parquet")
    alerted = {k: v[:4] for k, v in parties.items()}
    alerted["explanation"] = [
        "NIGHT: 6 of 6 corridor payments between 22:00 and 05:00; SMALL_CORRIDOR: 6 payments "
        "of AUD 20–70 to PH; ESCALATION: amounts rose from AUD 20 to AUD 70",
        "NIGHT: 6 of 6 corridor payments at night; SMALL_CORRIDOR: 6 payments to PH",
        "FAN_IN: receives small payments from 4 unrelated foreign payers",
        "SMALL_CORRIDOR: 6 payments of AUD 20–70 to PH",
    ]
    alerted["txn_ids"] = [[f"T{p}{k}" for k in range(6)] if p != "F1" else ["TP10", "TP20"]
                          for p in alerted["party_id"]]
    # P1 and F1 as a scan writes them now (structured reasons); P2 and P3 as an older scan
    # wrote them (codes and explanation only)
    alerted["reason_details"] = [details_json(_p1()), None, details_json(_f1()), None]
    pq.write_table(pa.table(alerted), workspace / "alerts.parquet")


def _p1() -> AlertRecord:
    ids = tuple(f"TP1{k}" for k in range(6))
    f1 = (Counterparty(party_id="F1", name="name F1", payments=6),)
    return AlertRecord(party_id="P1", role="payer", score=0.93, attribution="rules", reasons=(
        Reason(code="NIGHT", text="6 of 6 corridor payments between 22:00 and 05:00",
               values={"corridor_night_share": 1.0}, counterparties=f1, txn_ids=ids,
               strength=1.0, contribution=0.41),
        Reason(code="SMALL_CORRIDOR", text="6 payments of AUD 20–70 to PH",
               values={"n_corridor": 6.0}, counterparties=f1, txn_ids=ids, strength=0.8,
               contribution=0.33),
        Reason(code="ESCALATION", text="amounts rose from AUD 20 to AUD 70",
               values={"amount_rank_corr": 1.0}, counterparties=f1, txn_ids=ids,
               strength=0.5, contribution=0.19)))


def _f1() -> AlertRecord:
    payers = tuple(Counterparty(party_id=p, name=f"name {p}", payments=6)
                   for p in ("P1", "P2", "P3"))
    return AlertRecord(party_id="F1", role="facilitator", score=0.88, attribution="rules",
                       reasons=(Reason(code="FAN_IN", text="receives small payments from 4 "
                                       "unrelated foreign payers", counterparties=payers,
                                       txn_ids=("TP10", "TP20"), strength=0.9,
                                       contribution=0.88),))


def build(workspace: Path, database_url: str | None = None) -> Store:
    """Write the sample workspace and return its migrated cases store with users and alerts."""
    workspace.mkdir(parents=True, exist_ok=True)
    _write_warehouse(workspace)
    _write_scan(workspace)
    store = open_store(workspace, database_url)
    for name, role in USERS.items():
        add_user(store, name, role, PASSWORD)
    import_alerts(store, workspace / "alerts.parquet")
    return store


def issue_tokens(store: Store) -> dict[str, str]:
    """A bearer token per sample user, issued without a password check (tests only)."""
    return {name: issue_token(store, get_account(store, name), lifetime=timedelta(hours=6))
            for name in USERS}


# Filled by the session fixture ``sample_template`` (conftest.py) with ``issue_tokens``.
TOKENS: dict[str, str] = {}


def bearer(username: str) -> dict[str, str]:
    """Authorization header with the sample user's pre-issued token."""
    return {"Authorization": f"Bearer {TOKENS[username]}"}


def token_for(client: TestClient, username: str) -> dict[str, str]:
    """Authorization header of a fresh token from the OAuth2 password flow."""
    answer = client.post("/api/v1/auth/token",
                         data={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}

"""The party page's payment table (issue 19): filters, sorting by column and the CSV export of
exactly what the table shows, with the rules static/js/party.js follows."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from dentrace.web.payment_table import TableView, arrange
from tests.unit.web.web_sample import bearer

PAYMENTS = [
    {"txn_id": "T3", "ts_utc": "2025-03-03", "direction": "sent", "sender_id": "A",
     "beneficiary_id": "Zed", "beneficiary_name": "Zoë Ñ", "amount": 5.0, "amount_ref": 5.0,
     "memo": "Rent", "channel": "card", "sender_country": "AU", "beneficiary_country": "PH"},
    {"txn_id": "T2", "ts_utc": "2025-03-02", "direction": "received", "sender_id": "Bob",
     "beneficiary_id": "A", "sender_name": "Bob", "amount": 50.0, "amount_ref": 50.0,
     "memo": None, "channel": "wallet", "sender_country": None, "beneficiary_country": "AU"},
    {"txn_id": "T1", "ts_utc": "2025-03-01", "direction": "sent", "sender_id": "A",
     "beneficiary_id": "Amy", "beneficiary_name": None, "amount": 50.0, "amount_ref": 50.0,
     "memo": "gift", "channel": None, "sender_country": "AU", "beneficiary_country": "AU"},
]


def _ids(view: TableView, flagged: frozenset[str] = frozenset()) -> list[str]:
    return [p["txn_id"] for p in arrange(PAYMENTS, view, set(flagged))]


def test_filters_keep_what_matches_in_any_case() -> None:
    assert _ids(TableView()) == ["T3", "T2", "T1"]
    assert _ids(TableView(text="zoë")) == ["T3"]  # the counterparty's name, any case
    assert _ids(TableView(text="  RENT ")) == ["T3"]
    assert _ids(TableView(text="wallet")) == ["T2"]
    assert _ids(TableView(text="t1")) == ["T1"]
    assert _ids(TableView(text="am")) == ["T1"]  # Amy; "A", the party itself, is no match
    assert _ids(TableView(direction="received")) == ["T2"]
    assert _ids(TableView(flagged_only=True), frozenset({"T1", "T9"})) == ["T1"]


def test_sorting_is_stable_and_puts_empty_values_last() -> None:
    assert _ids(TableView(sort="-amount")) == ["T2", "T1", "T3"]  # ties keep newest first
    assert _ids(TableView(sort="amount")) == ["T3", "T2", "T1"]
    assert _ids(TableView(sort="channel")) == ["T3", "T2", "T1"]
    assert _ids(TableView(sort="-channel")) == ["T2", "T3", "T1"]
    assert _ids(TableView(sort="counterparty")) == ["T1", "T2", "T3"]
    assert _ids(TableView(sort="ts_utc")) == ["T1", "T2", "T3"]
    assert _ids(TableView(sort="memo")) == ["T3", "T1", "T2"]


def _export(client: TestClient, **params: str) -> list[dict[str, str]]:
    answer = client.get("/api/v1/parties/F1/payments.csv", params=params,
                        headers=bearer("ana"))
    assert answer.status_code == 200, answer.text
    return list(csv.DictReader(io.StringIO(answer.text)))


def test_the_export_is_the_table_as_filtered_and_sorted(client: TestClient) -> None:
    every = _export(client)
    assert len(every) == 20
    sent = _export(client, direction="sent")
    assert [r["txn_id"] for r in sent] == ["TF1"]
    from_p2 = _export(client, q="p2")
    assert {r["sender_id"] for r in from_p2} == {"P2"} and len(from_p2) == 6
    biggest = _export(client, sort="-amount_ref")
    assert biggest[0]["txn_id"] == "TF1"
    amounts = [float(r["amount_ref"]) for r in biggest]
    assert amounts == sorted(amounts, reverse=True)
    behind = _export(client, flagged="true", sort="txn_id")
    assert [r["txn_id"] for r in behind] == ["TP10", "TP20"]  # the alert's own payments
    answer = client.get("/api/v1/parties/F1/payments.csv", params={"sort": "secret"},
                        headers=bearer("ana"))
    assert answer.status_code == 422

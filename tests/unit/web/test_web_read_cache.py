"""The party screens' read cache (issue 19, speed): its pair table draws the very network the
warehouse query draws, and nothing cached outlives the payments it was computed from."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from dentrace.graph.ego import PartyScores, as_json, collect_edges, ego_network
from dentrace.store.warehouse import open_warehouse
from dentrace.web.read_cache import PairTable, PartyRows
from tests.unit.graph.test_ego_order import _den_world, _scores
from tests.unit.web.web_sample import bearer


@pytest.mark.parametrize(("hops", "max_edges"), [(1, 2000), (2, 2000), (2, 6), (3, 4)])
def test_the_pair_table_draws_the_warehouse_network(hops: int, max_edges: int) -> None:
    from tests.unit.features.toy_payments import warehouse

    con = warehouse(_den_world())
    try:
        pairs = PairTable.build(con)
        scored = PartyScores.of(_scores())
        cached = ego_network(con, "off", hops, max_edges=max_edges, pairs=pairs, scored=scored)
        queried = ego_network(con, "off", hops, _scores(), None, max_edges=max_edges)
        assert as_json(cached, "off", hops) == as_json(queried, "off", hops)
        pd.testing.assert_frame_equal(collect_edges(con, "den", hops, pairs=pairs),
                                      collect_edges(con, "den", hops), check_dtype=False)
    finally:
        con.close()


def _pay(workspace: Path, txn: str, sender: str, beneficiary: str, country: str) -> None:
    """One more payment, as an ingest run adds it (a new run id: a new generation)."""
    con = open_warehouse(workspace)
    when = datetime(2025, 6, 1, 12, 0)
    run = con.execute("SELECT max(ingest_id) + 1 FROM ingest_runs").fetchall()[0][0]
    con.execute("INSERT INTO transactions VALUES (?, ?, ?, 0, ?, ?, 10.0, 'AUD', 10.0, NULL, "
                "?, NULL, 'PH', 'remittance', 'x', NULL, 300, ?)",
                [txn, when, when, sender, beneficiary, country, run])
    con.execute("INSERT INTO ingest_runs VALUES (?, 'transactions', 'more.csv', '', now(), 1, "
                "1, 0, 0, false)", [run])
    con.close()


def test_an_ingest_is_seen_by_the_network_and_the_countries(client: TestClient,
                                                            workspace: Path) -> None:
    before = client.get("/api/v1/parties/F9/network", headers=bearer("ana")).json()
    assert "NEW1" not in {n["id"] for n in before["nodes"]}
    queue = client.get("/api/v1/alerts", headers=bearer("ana")).json()["items"]
    assert {a["party_id"]: a["country"] for a in queue}["F1"] == "PH"
    _pay(workspace, "TNEW1", "NEW1", "F9", "NZ")
    after = client.get("/api/v1/parties/F9/network", headers=bearer("ana")).json()
    assert "NEW1" in {n["id"] for n in after["nodes"]}
    assert {"source": "NEW1", "target": "F9", "payments": 1, "amount": 10.0} in after["edges"]
    paid = client.get("/api/v1/parties/F9/payments", headers=bearer("ana")).json()
    assert paid["total"] == 2 and paid["items"][0]["txn_id"] == "TNEW1"
    assert client.get("/api/v1/parties/NEW1", headers=bearer("ana")).status_code == 200


def test_party_rows_list_each_payment_once_per_party() -> None:
    from tests.unit.features.toy_payments import payment, warehouse

    con = warehouse([payment("t1", "a", "b", 0, 5.0), payment("t2", "a", "a", 1, 6.0),
                     payment("t3", "c", "a", 2, 7.0)])
    try:
        rows = PartyRows.build(con)
        txn = {r: t for r, t in con.execute("SELECT rowid, txn_id FROM transactions").fetchall()}
        assert sorted(txn[r] for r in rows.of("a")) == ["t1", "t2", "t3"]
        assert [txn[r] for r in rows.of("b")] == ["t1"] and rows.of("nobody") == []
    finally:
        con.close()


def test_case_marks_are_fresh_on_a_remembered_network(client: TestClient) -> None:
    first = client.get("/api/v1/parties/P1/network", headers=bearer("ana")).json()
    assert not any(n["in_case"] for n in first["nodes"])
    queue = client.get("/api/v1/alerts", params={"party_id": "P2"}, headers=bearer("ana"))
    alert_id = queue.json()["items"][0]["id"]
    client.post(f"/api/v1/alerts/{alert_id}/disposition", headers=bearer("ana"),
                json={"decision": "escalate", "reason": "den"})
    again = client.get("/api/v1/parties/P1/network", headers=bearer("ana")).json()
    assert {n["id"] for n in again["nodes"] if n["in_case"]} == {"P2"}

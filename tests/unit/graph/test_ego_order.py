"""The ego network is one answer per workspace: the same nodes, edges and names on every build
and whatever order the payments were loaded in, and a cut keeps the den's other collectors.
"""

from __future__ import annotations

import random
from typing import Any

import pandas as pd

from dentrace.graph.ego import as_json, collect_edges, ego_network
from tests.unit.features.toy_payments import payment, warehouse

COLLECTORS = [f"col{i}" for i in range(5)]
SHOPPERS = [f"shopper{i:02d}" for i in range(40)]


def _den_world() -> list[dict[str, Any]]:
    """``off`` pays the den ``den`` and a busy shop; the den's other payers are the collectors
    (high scores, small sums); the shop has 40 ordinary customers paying as often as they do."""
    rows = [payment(f"o-den-{i}", "off", "den", i, 30.0) for i in range(3)]
    rows += [payment(f"o-shop-{i}", "off", "shop", i, 80.0) for i in range(6)]
    for k, collector in enumerate(COLLECTORS):
        rows.append(payment(f"c{k}", collector, "den", k, 25.0 + k))
    for k, shopper in enumerate(SHOPPERS):
        # Names differ between a shopper's payments: any row's name would not be one answer.
        rows += [payment(f"s{k}-{j}", shopper, "shop", k + j, 60.0, sender_name=f"Name {j}")
                 for j in range(2)]
    return rows


def _scores() -> pd.DataFrame:
    scored = ["off", "den", *COLLECTORS, *SHOPPERS]
    score = [0.95, 0.9, *[0.8 + i / 100 for i in range(5)], *[0.05] * len(SHOPPERS)]
    return pd.DataFrame({"party_id": scored, "score": score, "alert": [s > 0.5 for s in score]})


def _network(rows: list[dict[str, Any]], max_edges: int) -> dict[str, Any]:
    con = warehouse(rows)
    try:
        return as_json(ego_network(con, "off", 2, _scores(), None, max_edges=max_edges), "off", 2)
    finally:
        con.close()


def test_the_network_is_the_same_on_ten_builds() -> None:
    rows = _den_world()
    first = _network(rows, max_edges=20)
    for _ in range(9):
        assert _network(rows, max_edges=20) == first


def test_the_network_does_not_depend_on_the_order_payments_were_loaded() -> None:
    rows = _den_world()
    expected = _network(rows, max_edges=20)
    for seed in range(6):
        shuffled = rows[:]
        random.Random(seed).shuffle(shuffled)
        assert _network(shuffled, max_edges=20) == expected, f"seed {seed}"


def test_a_cut_keeps_the_den_s_other_collectors_first() -> None:
    network = _network(_den_world(), max_edges=20)
    ids = {n["party_id"] for n in network["nodes"]}
    assert set(COLLECTORS) <= ids  # the most interesting second-hop parties survive the cut
    assert len(ids) < 3 + len(COLLECTORS) + len(SHOPPERS)  # and there was a cut


def test_without_scores_the_largest_amounts_are_kept() -> None:
    rows = _den_world()
    rows.append(payment("big", "whale", "shop", 3, 5000.0))
    con = warehouse(rows)
    try:
        edges = collect_edges(con, "off", 2, max_edges=6)
    finally:
        con.close()
    assert ("whale", "shop") in set(zip(edges["source"], edges["target"], strict=True))

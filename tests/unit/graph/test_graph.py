"""Graph evidence on toy graphs: fan-in, propagation without self-leak, dens, ego export."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from dentrace.graph.dens import find_dens
from dentrace.graph.network import GraphSettings, network_features
from dentrace.graph.propagation import propagate_known


def _pairs(edges: list[tuple[str, str]], unrelated: bool = True) -> pd.DataFrame:
    return pd.DataFrame({"sender_id": [s for s, _ in edges],
                         "beneficiary_id": [b for _, b in edges],
                         "pair_payments": 3, "pair_corridor": True,
                         "pair_unrelated_small": unrelated})


def _two_dens() -> pd.DataFrame:
    edges = [(f"p{i}", f"a{j}") for i in range(6) for j in range(3)]  # den A: 6 payers x 3
    edges += [(f"q{i}", f"b{j}") for i in range(5) for j in range(2)]  # den B: 5 payers x 2
    edges += [("p0", "b0")]  # one crossing payer does not merge the dens
    return _pairs(edges)


def test_dens_are_communities_of_shared_payers() -> None:
    dens = find_dens(_two_dens(), 3, 2, 60)
    assert dens.loc["a0", "den_id"] == dens.loc["a2", "den_id"]
    assert dens.loc["b0", "den_id"] == dens.loc["b1", "den_id"] != dens.loc["a0", "den_id"]
    assert dens.loc["a0", "den_size"] == 3 and dens.loc["b1", "den_size"] == 2
    assert dens.loc["a0", "den_id"] == "den-0001"  # largest first


def test_family_payers_make_no_den() -> None:
    assert find_dens(_pairs([(f"p{i}", f"a{j}") for i in range(4) for j in range(2)],
                            unrelated=False), 3, 2, 60).empty


def test_propagation_never_feeds_a_party_its_own_label() -> None:
    pairs = _pairs([("p1", "f1"), ("p2", "f1"), ("p3", "f2"), ("p4", "f3")])
    alone = pd.DataFrame({"party_id": ["p4"], "label": ["offender"]})
    risk = propagate_known(pairs, alone, folds=5)
    assert risk["p4"] == 0.0  # its only seed is itself: nothing left once it is excluded
    known = pd.DataFrame({"party_id": ["p1"], "label": ["offender"]})
    risk = propagate_known(pairs, known, folds=5)
    assert risk["p2"] > risk["p3"] and risk["f1"] > risk["f2"]


def test_network_features_fan_in_and_known_links() -> None:
    known = pd.DataFrame({"party_id": ["a0", "p1"], "label": ["facilitator", "offender"]})
    payer, fac = network_features(_two_dens(), known, GraphSettings())
    assert payer.loc["p1", "pays_fan_in_max"] == 5  # six payers of a0 minus itself
    assert payer.loc["p1", "known_facilitators_paid"] == 1
    assert payer.loc["p2", "known_offender_co_payers"] == 3  # p1 pays a0, a1, a2 as well
    assert fac.loc["a1", "known_offender_payers"] == 1
    assert fac.loc["a0", "known_facilitator_neighbours"] == 0  # its own label is left out
    assert fac.loc["a1", "known_facilitator_neighbours"] == 6
    assert fac.loc["a0", "den_size"] == 3


def test_ego_export_writes_graphml_and_json(tmp_path: Path) -> None:
    from dentrace.graph.ego import ego_network, export_ego
    from tests.unit.features.toy_payments import mixed_world, warehouse

    con = warehouse(mixed_world())
    known = pd.DataFrame({"party_id": ["fac-1"], "label": ["facilitator"]})
    parties = pd.DataFrame({"party_id": ["off1"], "role": ["payer"], "score": [0.9],
                            "alert": [True]})
    graph = ego_network(con, "off1", 2, parties, known)
    written = export_ego(graph, "off1", 2, tmp_path / "ego")
    assert [p.suffix for p in written] == [".graphml", ".json"]
    data = json.loads(written[1].read_text())
    nodes = {n["party_id"]: n for n in data["nodes"]}
    assert nodes["off1"]["ego"] and nodes["off1"]["score"] == 0.9
    assert nodes["fac-1"]["known"] == "facilitator" and nodes["fac-1"]["role"] == "facilitator"
    assert "off2" in nodes  # two hops: off1 -> fac-1 <- off2
    assert all(e["payments"] > 0 for e in data["edges"])


def test_payer_profiles_leave_the_payer_out() -> None:
    from dentrace.graph.profile import payer_profiles

    corridor = _pairs([("p1", "f1"), ("p2", "f1"), ("p3", "f1"), ("p4", "f2")])
    payers = pd.DataFrame({"amount_rank_corr": [0.9, 0.3, 0.6, 0.1],
                           "corridor_per_30d": [4.0, 2.0, 3.0, 1.0]},
                          index=["p1", "p2", "p3", "p4"])
    facilitator, payer = payer_profiles(corridor, payers)
    assert facilitator.loc["f1", "payers_escalation_mean"] == pytest.approx(0.6)
    assert payer.loc["p1", "co_payers_escalation"] == pytest.approx(0.45)  # (0.3 + 0.6) / 2
    assert payer.loc["p1", "co_payers_rate"] == pytest.approx(2.5)
    assert pd.isna(payer.loc["p4", "co_payers_escalation"])  # nobody else pays f2

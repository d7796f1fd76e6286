"""What the case page shows beyond the case record: every party's score, reasons and totals,
a small network around its parties (the party page's ego networks, merged) and the payments it
holds, shaped for the templates and for the timeline and network scripts the party page uses.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import HTTPException

from dentrace.cases import CaseView
from dentrace.web import figures
from dentrace.web.api.parties import party_summary
from dentrace.web.deps import AppContext

NETWORK_PARTIES = 6  # the case's riskiest parties whose direct counterparties are drawn
STORY_PARTIES = 60   # parties described one by one (a larger case lists the rest by id)


def merged_network(networks: Iterable[dict[str, Any]], centres: list[str]) -> dict[str, Any]:
    """One network from the ego networks of several parties: each node once, at its smallest
    hop from any centre (the centres at hop 0, all in focus), each link once."""
    nodes: dict[str, dict[str, Any]] = {}
    edges: dict[tuple[str, str], dict[str, Any]] = {}
    truncated = False
    for network in networks:
        truncated = truncated or bool(network.get("truncated"))
        for node in network["nodes"]:
            node = {**node, "focus": node["id"] in centres,
                    "hop": 0 if node["id"] in centres else node["hop"]}
            held = nodes.get(node["id"])
            if held is None or node["hop"] < held["hop"]:
                nodes[node["id"]] = node
        for edge in network["edges"]:
            edges.setdefault((edge["source"], edge["target"]), edge)
    ordered = sorted(nodes.values(), key=lambda n: (n["hop"], n["id"]))
    return {"party_id": centres[0] if centres else "", "hops": 1, "nodes": ordered,
            "edges": [edges[k] for k in sorted(edges)], "truncated": truncated}


def _totals(payments: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    per: dict[str, dict[str, float]] = {}
    for p in payments:
        for party, side in ((p["sender_id"], "sent"), (p["beneficiary_id"], "received")):
            row = per.setdefault(party, {"sent": 0.0, "received": 0.0, "payments": 0})
            row[side] += float(p["amount_ref"] or 0.0)
            row["payments"] += 1
    return per


def case_story(context: AppContext, case: CaseView,
               payments: list[dict[str, Any]]) -> dict[str, Any]:
    """Parties with reasons and totals, overall totals, the network and the timeline data."""
    totals = _totals(payments)
    parties = []
    for party_id, role in case.parties[:STORY_PARTIES]:
        try:
            summary = party_summary(context, party_id)
        except HTTPException:  # a party gone from the data is still in the case
            summary = {"score": None, "reason_details": [], "explanation": None, "known": None}
        parties.append({"party_id": party_id, "role": role, "score": summary["score"],
                        "reasons": summary["reason_details"],
                        "explanation": summary["explanation"], "known": summary["known"],
                        **totals.get(party_id, {"sent": 0.0, "received": 0.0, "payments": 0})})
    ranked = sorted(parties, key=lambda p: (-(p["score"] or 0.0), p["party_id"]))
    centres = [p["party_id"] for p in ranked[:NETWORK_PARTIES]]
    in_case = {p for p, _ in case.parties}
    network = merged_network(
        (figures.ego_network(context.evidence, pid, 1, case_parties=in_case) for pid in centres),
        centres)
    amounts = [float(p["amount_ref"] or 0.0) for p in payments]
    overall = {"payments": len(payments), "amount": round(sum(amounts), 2),
               "first": payments[0]["ts_utc"][:10] if payments else None,
               "last": payments[-1]["ts_utc"][:10] if payments else None,
               "payers": len({p["sender_id"] for p in payments}),
               "beneficiaries": len({p["beneficiary_id"] for p in payments})}
    return {"parties": parties, "more_parties": max(0, len(case.parties) - STORY_PARTIES),
            "totals": overall, "network": network}

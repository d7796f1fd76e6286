"""The data behind the investigator's charts: a party's ego network and the overview figures.

Both read the warehouse and scan outputs through ``Evidence``; they shape, they do not score.
"""

from __future__ import annotations

import itertools
from typing import Any

import duckdb
import pandas as pd

from dentrace.errors import InputError
from dentrace.graph import ego
from dentrace.store.workspace import ALERTS_FILE, PARTIES_FILE
from dentrace.web.evidence import Evidence

MAX_NETWORK_NODES = 90
AMOUNT_BANDS = (0, 25, 50, 100, 250, 500, 1000)


def _known(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("SELECT CAST(party_id AS VARCHAR) AS party_id, lower(label) AS label, "
                       "as_of FROM known ORDER BY as_of DESC NULLS LAST").df()


def _trim(nodes: list[dict[str, Any]], limit: int) -> tuple[list[dict[str, Any]], bool]:
    """Keep the nearest, then riskiest, then most paid parties when there are too many to
    read (ids break ties: the same network on every load)."""
    if len(nodes) <= limit:
        return nodes, False
    ranked = sorted(nodes, key=lambda n: (n["hop"], -(n["score"] or 0.0), -n["amount"], n["id"]))
    return ranked[:limit], True


def ego_network(evidence: Evidence, party_id: str, hops: int = 2,
                case_parties: set[str] | None = None) -> dict[str, Any]:
    """Payers and beneficiaries up to ``hops`` payments away, as Cytoscape-ready nodes/edges.

    The graph comes from ``dentrace.graph.ego``; past ``MAX_NETWORK_NODES`` the outer ring is
    cut (``truncated`` says so) to keep the picture readable. A network is computed once per
    warehouse generation and scan (the party page and the network API ask for the same one);
    which parties are in a case is marked on each call, as cases change at any time.
    """
    marked = case_parties or set()
    with evidence.connect() as con:
        drawn = evidence.cache.remember(
            con, evidence.space.warehouse,
            ("network", evidence.scan_stamp(), party_id, hops),
            lambda: _network(con, evidence, party_id, hops))
    nodes = [{**node, "in_case": node["id"] in marked} for node in drawn["nodes"]]
    return {**drawn, "nodes": nodes, "edges": [dict(e) for e in drawn["edges"]]}


def _network(con: duckdb.DuckDBPyConnection, evidence: Evidence, party_id: str,
             hops: int) -> dict[str, Any]:
    try:
        graph = ego.ego_network(con, party_id, hops, known=_known(con),
                                pairs=evidence.pair_table(), scored=evidence.scan_scores())
    except InputError:  # no payments: the party stands alone
        alone = {"id": party_id, "hop": 0, "score": None, "alert": False, "role": None,
                 "known": None, "focus": True, "name": None, "amount": 0.0, "payments": 0}
        return {"party_id": party_id, "hops": hops, "nodes": [alone], "edges": [],
                "truncated": False}
    centre = graph.vs.find(party_id=party_id).index
    hop_of = graph.distances(source=[centre], mode="all")[0]
    attrs = {name: graph.vs[name] for name in ("party_id", "name", "score", "alert", "role",
                                                "known")}
    # Totals over the links drawn (the whole network), for the node's tooltip and the cut.
    amounts = graph.strength(mode="all", weights="amount_ref", loops=False)
    counts = graph.strength(mode="all", weights="payments", loops=False)
    nodes = [
        {"id": pid, "name": name or None, "hop": int(hop), "score": score if score >= 0 else None,
         "alert": bool(alert), "role": role or None, "known": known or None,
         "focus": pid == party_id, "amount": round(float(amount), 2),
         "payments": int(count)}
        for pid, name, hop, score, alert, role, known, amount, count in zip(
            attrs["party_id"], attrs["name"], hop_of, attrs["score"], attrs["alert"],
            attrs["role"], attrs["known"], amounts, counts, strict=True)
    ]
    nodes, truncated = _trim(nodes, MAX_NETWORK_NODES)
    kept = {n["id"] for n in nodes}
    ids = attrs["party_id"]
    links = [{"source": ids[s], "target": ids[t], "payments": int(n), "amount": float(a)}
             for (s, t), n, a in zip(graph.get_edgelist(), graph.es["payments"],
                                     graph.es["amount_ref"], strict=True)]
    links = [e for e in links if e["source"] in kept and e["target"] in kept]
    nodes.sort(key=lambda n: (n["hop"], n["id"]))
    return {"party_id": party_id, "hops": hops, "nodes": nodes, "edges": links,
            "truncated": truncated}


def _alerted_payments(evidence: Evidence) -> str:
    """SQL of the payments behind the scan's alerts (their ``txn_ids``; none without a scan)."""
    path = evidence.parquet_path(ALERTS_FILE)
    if path is None:
        return "SELECT * FROM transactions WHERE false"
    quoted = path.replace("'", "''")
    return (f"SELECT * FROM transactions WHERE txn_id IN (SELECT unnest(txn_ids) FROM "
            f"read_parquet('{quoted}'))")


def overview(evidence: Evidence, top: int = 10) -> dict[str, Any]:
    """Flagged payments over time, top corridors, amount bands and the busiest facilitators."""
    alerted = _alerted_payments(evidence)
    bands = AMOUNT_BANDS
    band_case = " ".join(f"WHEN amount_ref < {hi} THEN '{lo}–{hi}'"
                         for lo, hi in itertools.pairwise(bands))
    band_sql = f"CASE {band_case} ELSE '{bands[-1]}+' END"
    with evidence.connect() as con:
        months = con.execute(
            f"SELECT strftime(date_trunc('month', ts_utc), '%Y-%m') AS month, count(*), "
            f"count(DISTINCT sender_id) FROM ({alerted}) GROUP BY month ORDER BY month"
        ).fetchall()
        corridors = con.execute(
            f"SELECT coalesce(sender_country, '?') || ' → ' || coalesce(beneficiary_country, '?')"
            f" AS corridor, count(*) AS n, sum(amount_ref) FROM ({alerted}) GROUP BY corridor "
            f"ORDER BY n DESC, corridor LIMIT {int(top)}").fetchall()
        amounts = con.execute(
            f"SELECT {band_sql} AS band, min(amount_ref) AS lo, count(*) FILTER (WHERE "
            f"txn_id IN (SELECT txn_id FROM ({alerted}))), count(*) FROM transactions "
            "GROUP BY band ORDER BY lo").fetchall()
        facilitators = _top_facilitators(con, evidence, top)
        currency = evidence.reporting_currency()
    return {
        "reporting_currency": currency,
        "over_time": [{"month": m, "payments": int(n), "payers": int(p)} for m, n, p in months],
        "corridors": [{"corridor": c, "payments": int(n), "amount": round(float(a or 0), 2)}
                      for c, n, a in corridors],
        "amounts": _all_bands(amounts),
        "facilitators": facilitators,
    }


def _band_names() -> list[str]:
    names = [f"{lo}–{hi}" for lo, hi in itertools.pairwise(AMOUNT_BANDS)]
    return [*names, f"{AMOUNT_BANDS[-1]}+"]


def _all_bands(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """Every amount band in order, with zeros where no payment falls."""
    found = {str(band): (int(alerted), int(every)) for band, _, alerted, every in rows}
    return [{"band": name, "alerted": found.get(name, (0, 0))[0], "all": found.get(name, (0, 0))[1]}
            for name in _band_names()]


def _top_facilitators(con: duckdb.DuckDBPyConnection, evidence: Evidence,
                      top: int) -> list[dict[str, Any]]:
    path = evidence.parquet_path(PARTIES_FILE)
    if path is None:
        return []
    rows = con.execute(
        "WITH f AS (SELECT party_id, max(score) AS score FROM read_parquet($p) WHERE role = "
        "'facilitator' AND alert GROUP BY party_id) SELECT f.party_id, f.score, "
        "count(DISTINCT t.sender_id), count(t.txn_id), sum(t.amount_ref) FROM f "
        "LEFT JOIN transactions t ON t.beneficiary_id = f.party_id "
        "GROUP BY f.party_id, f.score ORDER BY 3 DESC, f.score DESC, f.party_id LIMIT $n",
        {"p": path, "n": top}).fetchall()
    return [{"party_id": str(p), "score": round(float(s), 3), "payers": int(n),
             "payments": int(c), "amount": round(float(a or 0), 2)} for p, s, n, c, a in rows]

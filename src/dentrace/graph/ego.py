"""The ego network of one party for investigators: every payer–beneficiary edge within N hops
(capped to the most relevant edges), with roles, scores and known labels, as GraphML and JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import igraph as ig
import pandas as pd

from dentrace.errors import InputError
from dentrace.writing.files import whole_file, write_whole
from dentrace.writing.xmltext import xml_text

# min() rather than any_value(): a party's name is then one answer whatever order the
# payments were loaded or scanned in (any_value took the first row a thread met).
# Two IN filters, not a join ON sender OR beneficiary: DuckDB runs an OR join as a nested loop
# (10.6 s for the 877 parties two hops from a busy beneficiary of a scale-1 world; 0.4 s now).
EDGE_SQL = """
SELECT sender_id AS source, beneficiary_id AS target, count(*) AS payments,
       sum(amount_ref) AS amount_ref, min(ts_utc) AS first_payment, max(ts_utc) AS last_payment,
       min(sender_name) AS source_name, min(beneficiary_name) AS target_name,
       min(sender_country) AS source_country,
       min(beneficiary_country) AS target_country
FROM transactions
WHERE sender_id IN (SELECT party_id FROM _dentrace_frontier)
   OR beneficiary_id IN (SELECT party_id FROM _dentrace_frontier)
GROUP BY sender_id, beneficiary_id
ORDER BY amount_ref DESC NULLS LAST, payments DESC, source, target
"""
# (source, target) is unique after the GROUP BY: every sort below ends on it, a total order.
RANK_COLUMNS = ["_seen_link", "_far_score", "amount_ref", "payments", "source", "target"]
RANK_ASCENDING = [False, False, False, False, True, True]


class EdgeSource(Protocol):
    """Where the per-pair totals come from: the warehouse (``WarehouseEdges``) or a table of
    every pair built once (the investigator app's cache)."""

    def edges_touching(self, parties: set[str]) -> pd.DataFrame:
        """The ``EDGE_SQL`` columns of every pair with a payer or beneficiary in ``parties``."""
        ...


@dataclass(frozen=True)
class WarehouseEdges:
    """Pairs read from the payments of a DuckDB connection, one query per hop."""

    con: Any

    def edges_touching(self, parties: set[str]) -> pd.DataFrame:
        self.con.register("_dentrace_frontier", pd.DataFrame({"party_id": sorted(parties)}))
        try:
            return self.con.execute(EDGE_SQL).df()
        finally:
            self.con.unregister("_dentrace_frontier")


@dataclass(frozen=True)
class PartyScores:
    """Best score and whether any row alerted, per party id, of a scan's parties table
    (computed once per scan by callers that draw many networks)."""

    best: pd.DataFrame  # index party_id (str); columns score (float, NaN: none), alert (bool)

    @classmethod
    def of(cls, parties: pd.DataFrame | None) -> PartyScores:
        if parties is None or parties.empty:
            empty = pd.DataFrame({"score": pd.Series(dtype=float),
                                  "alert": pd.Series(dtype=bool)})
            return cls(empty.rename_axis("party_id"))
        best = parties.assign(party_id=parties["party_id"].astype(str)).groupby("party_id").agg(
            score=("score", "max"), alert=("alert", "any"))
        return cls(best)

    @property
    def scores(self) -> pd.Series:
        """Best score by party id, parties without a score left out."""
        return self.best["score"].dropna().astype(float)


def _most_relevant(found: pd.DataFrame, seen: set[str], scores: pd.Series,
                   max_edges: int) -> pd.DataFrame:
    """The ``max_edges`` most relevant edges of ``found``: first those between parties already
    in the network (they add no node), then by the score of the party they would add (a den's
    other collectors), then by amount and count, then by ids.
    """
    source, target = found["source"].astype(str), found["target"].astype(str)
    source_new, target_new = ~source.isin(seen), ~target.isin(seen)
    unscored = -1.0
    source_score = source.map(scores).astype(float).fillna(unscored)
    target_score = target.map(scores).astype(float).fillna(unscored)
    far = pd.concat([source_score.where(source_new, unscored),
                     target_score.where(target_new, unscored)], axis=1).max(axis=1)
    ranked = found.assign(_seen_link=~(source_new | target_new),
                          _far_score=far.fillna(unscored))
    ranked = ranked.sort_values(RANK_COLUMNS, ascending=RANK_ASCENDING, kind="stable",
                                na_position="last")
    return ranked.head(max_edges).drop(columns=["_seen_link", "_far_score"])


def collect_edges(con: Any, party: str, hops: int, max_edges: int = 2000,
                  scores: Mapping[str, float] | pd.Series | None = None, *,
                  pairs: EdgeSource | None = None) -> pd.DataFrame:
    """Edges within ``hops`` of ``party``; each hop keeps at most ``max_edges`` most relevant
    (see ``_most_relevant``: ``scores`` by party id, highest first, then amounts). The pairs
    come from ``pairs`` when given, else from the payments of the DuckDB connection ``con``.

    The answer depends only on the payments, not on the order they were stored in.
    """
    known_scores = pd.Series(scores if scores is not None else {}, dtype=float)
    source: EdgeSource = pairs if pairs is not None else WarehouseEdges(con)
    seen: set[str] = {party}
    frontier = {party}
    edges = pd.DataFrame()
    for _ in range(max(hops, 1)):
        found = _most_relevant(source.edges_touching(frontier), seen, known_scores, max_edges)
        edges = pd.concat([edges, found]).drop_duplicates(["source", "target"])
        reached = set(found["source"].astype(str)) | set(found["target"].astype(str))
        frontier = reached - seen
        seen |= reached
        if not frontier:
            break
    if edges.empty:
        raise InputError(f"party '{party}' has no payments in this workspace", field="party")
    return edges.reset_index(drop=True)


def party_scores(parties: pd.DataFrame | None) -> dict[str, float]:
    """Best scan score of each party id (payer and facilitator rows of one party)."""
    return {str(k): float(v) for k, v in PartyScores.of(parties).scores.items()}


def _nodes(edges: pd.DataFrame, scored: PartyScores,
           known: pd.DataFrame | None) -> pd.DataFrame:
    senders = edges[["source", "source_name", "source_country"]].set_axis(
        ["party_id", "name", "country"], axis=1).assign(pays=True, receives=False)
    receivers = edges[["target", "target_name", "target_country"]].set_axis(
        ["party_id", "name", "country"], axis=1).assign(pays=False, receives=True)
    nodes = pd.concat([senders, receivers]).groupby("party_id", sort=True).agg(
        name=("name", "first"), country=("country", "first"), pays=("pays", "any"),
        receives=("receives", "any"))
    nodes["role"] = nodes["pays"].map({True: "payer", False: ""}).str.cat(
        nodes["receives"].map({True: "facilitator", False: ""}), sep="+").str.strip("+")
    nodes["score"] = scored.best["score"].reindex(nodes.index).astype(float)
    nodes["alert"] = scored.best["alert"].reindex(nodes.index).fillna(False).astype(bool)
    labels = (known.assign(party_id=known["party_id"].astype(str)).groupby("party_id")["label"]
              .first() if known is not None and not known.empty else pd.Series(dtype=str))
    nodes["known"] = labels.reindex(nodes.index).fillna("")
    return nodes.drop(columns=["pays", "receives"]).reset_index()


def ego_network(con: Any, party: str, hops: int = 2, parties: pd.DataFrame | None = None,
                known: pd.DataFrame | None = None, max_edges: int = 2000, *,
                pairs: EdgeSource | None = None, scored: PartyScores | None = None) -> ig.Graph:
    """The directed ego graph of ``party``: payer -> beneficiary edges with their totals.

    ``pairs`` and ``scored`` (``PartyScores.of(parties)``) save a caller drawing many networks
    a query of every payment and a pass over the parties per call.
    """
    scored = scored if scored is not None else PartyScores.of(parties)
    edges = collect_edges(con, party, hops, max_edges, scored.scores, pairs=pairs)
    nodes = _nodes(edges, scored, known)
    index = {p: i for i, p in enumerate(nodes["party_id"])}
    graph = ig.Graph(directed=True, n=len(nodes),
                     edges=[(index[s], index[t]) for s, t in zip(edges["source"], edges["target"],
                                                                   strict=True)])
    for name in ("party_id", "name", "country", "role", "known"):
        graph.vs[name] = nodes[name].fillna("").astype(str).tolist()
    graph.vs["score"] = nodes["score"].fillna(-1.0).astype(float).tolist()
    graph.vs["alert"] = nodes["alert"].astype(bool).tolist()
    graph.vs["ego"] = [p == party for p in nodes["party_id"]]
    graph.es["payments"] = edges["payments"].astype(int).tolist()
    graph.es["amount_ref"] = edges["amount_ref"].astype(float).round(2).tolist()
    graph.es["first_payment"] = edges["first_payment"].astype(str).tolist()
    graph.es["last_payment"] = edges["last_payment"].astype(str).tolist()
    return graph


def as_json(graph: ig.Graph, party: str, hops: int) -> dict[str, Any]:
    """Nodes and edges as plain lists (score -1 means not scanned)."""
    nodes = [{key: v[key] for key in graph.vs.attributes()} for v in graph.vs]
    edges = [{"source": graph.vs[e.source]["party_id"], "target": graph.vs[e.target]["party_id"],
              **{key: e[key] for key in graph.es.attributes()}} for e in graph.es]
    return {"party": party, "hops": hops, "nodes": nodes, "edges": edges}


def _xml_safe(graph: ig.Graph) -> ig.Graph:
    """A copy of ``graph`` whose text attributes hold only characters XML can hold (igraph
    stops writing GraphML half-way at the first control character)."""
    safe = graph.copy()
    for sequence in (safe.vs, safe.es):
        for name in sequence.attributes():
            values = sequence[name]
            if any(isinstance(v, str) for v in values):
                sequence[name] = [xml_text(v) if isinstance(v, str) else v for v in values]
    return safe


def export_ego(graph: ig.Graph, party: str, hops: int, out: Path) -> list[Path]:
    """Write OUT.graphml and OUT.json (OUT's own suffix is replaced); return both paths.

    Each file is written whole, so a failure leaves neither a partial file nor a stale one
    presented as new. The JSON keeps the data exactly (JSON escapes any character).
    """
    out = Path(out)
    graphml, js = out.with_suffix(".graphml"), out.with_suffix(".json")
    with whole_file(graphml) as temporary:
        _xml_safe(graph).write_graphml(str(temporary))
    write_whole(js, json.dumps(as_json(graph, party, hops), indent=2, default=str) + "\n")
    return [graphml, js]

"""Risk propagated from known offenders and facilitators over the corridor graph, by personalised
PageRank computed in folds so that a party's own label never feeds its own score."""

from __future__ import annotations

import zlib

import igraph as ig
import numpy as np
import pandas as pd


def _fold(party_ids: pd.Index, folds: int) -> np.ndarray:
    """A stable fold number per party (same id, same fold, whatever the run)."""
    return np.fromiter((zlib.crc32(str(p).encode()) % folds for p in party_ids), dtype="int64",
                       count=len(party_ids))


def propagate_known(
    corridor: pd.DataFrame, known: pd.DataFrame | None, damping: float = 0.85, folds: int = 5
) -> pd.Series:
    """Known-label risk per party id, scaled so 1.0 is the uniform share of a node.

    Every party is assigned a fold; its value comes from the PageRank restarted only at the
    known positives outside its fold, so a known party's label is excluded from its own value.
    """
    if known is None or known.empty or corridor.empty:
        return pd.Series(dtype="float64")
    positives = set(known.loc[known["label"].isin(["offender", "facilitator"]), "party_id"])
    codes, names = pd.factorize(
        pd.concat([corridor["sender_id"], corridor["beneficiary_id"]], ignore_index=True)
    )
    n = len(names)
    half = len(corridor)
    graph = ig.Graph(n=n, edges=np.column_stack([codes[:half], codes[half:]]).tolist())
    weights = corridor["pair_payments"].astype(float).tolist()
    seed = np.asarray(names.isin(list(positives)))
    if not seed.any():
        return pd.Series(dtype="float64")
    node_fold = _fold(pd.Index(names), max(folds, 2))
    risk = np.zeros(n)
    for k in range(max(folds, 2)):
        reset = (seed & (node_fold != k)).astype(float)
        in_fold = node_fold == k
        if reset.sum() == 0 or not in_fold.any():
            continue
        rank = graph.personalized_pagerank(
            directed=False, damping=damping, reset=reset.tolist(), weights=weights
        )
        risk[in_fold] = np.asarray(rank)[in_fold] * n
    return pd.Series(risk, index=pd.Index(names, name="party_id"), dtype="float64")

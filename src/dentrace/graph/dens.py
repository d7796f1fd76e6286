"""Dens: facilitators that look like one operation, found as communities of the facilitator
projection in which two beneficiaries are linked by the unrelated small payers they share."""

from __future__ import annotations

import random

import igraph as ig
import pandas as pd

DEN_COLUMNS = ["den_id", "den_size", "shared_payer_facilitators"]


def facilitator_projection(
    corridor: pd.DataFrame, min_shared: int, max_per_payer: int
) -> pd.DataFrame:
    """Edges (a, b, shared) between beneficiaries sharing at least ``min_shared`` payers."""
    unrelated = corridor["pair_unrelated_small"].astype(bool)
    links = corridor.loc[unrelated, ["sender_id", "beneficiary_id"]]
    fan = links.groupby("beneficiary_id")["sender_id"].transform("size")
    links = links.loc[fan >= min_shared]
    spread = links.groupby("sender_id")["beneficiary_id"].transform("size")
    links = links.loc[(spread >= 2) & (spread <= max_per_payer)]
    if links.empty:
        return pd.DataFrame(columns=["a", "b", "shared"])
    both = links.merge(links, on="sender_id", suffixes=("_a", "_b"))
    both = both.loc[both["beneficiary_id_a"] < both["beneficiary_id_b"]]
    edges = both.groupby(["beneficiary_id_a", "beneficiary_id_b"]).size().rename("shared")
    edges = edges.loc[edges >= min_shared].reset_index()
    return edges.rename(columns={"beneficiary_id_a": "a", "beneficiary_id_b": "b"})


def find_dens(
    corridor: pd.DataFrame, min_fan_in: int, min_shared: int, max_per_payer: int
) -> pd.DataFrame:
    """den_id, den_size and projection degree per facilitator linked to at least one other.

    ``corridor`` holds corridor pairs (sender_id, beneficiary_id, pair_unrelated_small).
    Communities come from multilevel modularity on shared-payer weights; ids are ordered by
    size then first member so they are stable for the same data.
    """
    edges = facilitator_projection(corridor, min_shared, max_per_payer)
    if edges.empty:
        return pd.DataFrame(columns=DEN_COLUMNS).rename_axis("beneficiary_id")
    names = pd.Index(pd.unique(pd.concat([edges["a"], edges["b"]], ignore_index=True)))
    graph = ig.Graph(
        n=len(names),
        edges=list(zip(names.get_indexer(edges["a"]), names.get_indexer(edges["b"]), strict=True)),
    )
    graph.es["weight"] = edges["shared"].astype(float).tolist()
    # multilevel visits nodes in random order: a fixed seed keeps dens (and den_size) the
    # same from one scan of the same data to the next; igraph's default generator is restored
    ig.set_random_number_generator(random.Random(0))
    try:
        members = graph.community_multilevel(weights="weight").membership
    finally:
        ig.set_random_number_generator(random)
    frame = pd.DataFrame({"beneficiary_id": names, "community": members,
                          "shared_payer_facilitators": graph.degree()})
    sizes = frame.groupby("community")["beneficiary_id"].agg(["size", "min"])
    order = sizes.sort_values(["size", "min"], ascending=[False, True]).index
    label = {community: f"den-{rank:04d}" for rank, community in enumerate(order, start=1)}
    frame["den_id"] = frame["community"].map(label)
    frame["den_size"] = frame["community"].map(sizes["size"]).astype("float64")
    frame["shared_payer_facilitators"] = frame["shared_payer_facilitators"].astype("float64")
    del min_fan_in  # the projection already requires shared unrelated small payers
    return frame.set_index("beneficiary_id")[DEN_COLUMNS]

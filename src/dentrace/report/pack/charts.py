"""The evidence pack's pictures as PNG: the payments over time and the case's payment network
(payer → beneficiary edges one hop around the case's parties, igraph layout, matplotlib)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import igraph as ig
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from dentrace.errors import InputError
from dentrace.graph.ego import collect_edges
from dentrace.report.material import Material
from dentrace.store.workspace import Workspace
from dentrace.writing.files import whole_file
from dentrace.writing.xmltext import xml_text

MAX_EDGES_PER_PARTY = 40
CASE_COLOUR, CLIENT_COLOUR, OTHER_COLOUR = "#c0392b", "#2e86c1", "#95a5a6"


def chart_label(value: object) -> str:
    """A party id or name as matplotlib prints it literally: ``$`` would start mathtext (a
    malformed formula fails the whole picture) and control characters have no glyph."""
    return xml_text(str(value)).replace("$", r"\$")


def _save(fig: Any, path: Path) -> Path:
    with whole_file(path) as temporary:
        fig.savefig(temporary, format="png")
    plt.close(fig)
    return path


def timeline_png(material: Material, path: Path) -> Path:
    """Each payment as a dot (time × amount in the reporting currency), one colour a payer."""
    txns = material.transactions
    fig, ax = plt.subplots(figsize=(9, 3.6), dpi=110)
    for payer, rows in txns.groupby("sender_id", sort=True):
        ax.scatter(pd.to_datetime(rows["ts_local"]), rows["amount_ref"], s=22, alpha=0.8,
                   label=chart_label(payer))
    ax.set_ylabel(f"amount ({material.reporting_currency})")
    ax.set_title(f"Payments over time (sender's local time), {len(txns)} payments")
    ax.grid(alpha=0.3)
    ax.margins(x=0.05, y=0.2)
    ax.set_ylim(bottom=0)
    if txns["sender_id"].nunique() <= 8:
        ax.legend(title="payer", fontsize=7, title_fontsize=8, loc="upper left",
                  bbox_to_anchor=(1.01, 1.0))
    fig.autofmt_xdate()
    fig.tight_layout()
    return _save(fig, path)


def _edges(material: Material, workspace: Path) -> pd.DataFrame:
    """The case's own payments plus each case party's strongest edges one hop out."""
    own = material.transactions.groupby(["sender_id", "beneficiary_id"], as_index=False).agg(
        payments=("txn_id", "count")).rename(columns={"sender_id": "source",
                                                       "beneficiary_id": "target"})
    frames = [own]
    con = Workspace(workspace).open_warehouse(read_only=True)
    try:
        for party_id, _role in material.parties:
            try:
                found = collect_edges(con, party_id, 1, MAX_EDGES_PER_PARTY)
            except InputError:  # a party with no payments adds no edges
                continue
            frames.append(found[["source", "target", "payments"]])
    finally:
        con.close()
    edges = pd.concat(frames).astype({"source": str, "target": str})
    return edges.groupby(["source", "target"], as_index=False)["payments"].max()


def network_png(material: Material, workspace: Path, path: Path) -> Path:
    """The payment network around the case: case parties red, our clients blue, others grey."""
    edges = _edges(material, workspace)
    names = sorted(set(edges["source"]) | set(edges["target"]))
    index = {n: i for i, n in enumerate(names)}
    graph = ig.Graph(directed=True, n=len(names),
                     edges=[(index[s], index[t]) for s, t in zip(edges["source"],
                                                                  edges["target"], strict=True)])
    random.seed(len(names))  # igraph draws from Python's random: same case, same picture
    coords = graph.layout_fruchterman_reingold(niter=500).coords
    case_ids = {p for p, _ in material.parties}
    clients = set(material.customers["customer_id"].astype(str))
    fig, ax = plt.subplots(figsize=(8, 6.5), dpi=110)
    for (s, t), weight in zip(graph.get_edgelist(), edges["payments"], strict=True):
        (x0, y0), (x1, y1) = coords[s], coords[t]
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0), arrowprops={
            "arrowstyle": "-|>", "color": "#7f8c8d", "alpha": 0.6,
            "lw": 0.6 + min(float(weight), 20.0) / 6.0})
    colours = [CASE_COLOUR if n in case_ids else CLIENT_COLOUR if n in clients else OTHER_COLOUR
               for n in names]
    ax.scatter([c[0] for c in coords], [c[1] for c in coords], s=[160 if n in case_ids else 60
                                                                 for n in names],
               c=colours, zorder=3, edgecolors="white")
    for name, (x, y) in zip(names, coords, strict=True):
        if name in case_ids or len(names) <= 30:
            ax.annotate(chart_label(name), (x, y), fontsize=6, xytext=(4, 4),
                        textcoords="offset points")
    ax.set_title(f"Payment network: {len(names)} accounts, {len(edges)} payer → beneficiary "
                 "links\nred: case parties, blue: our clients, grey: others")
    ax.set_axis_off()
    fig.tight_layout()
    return _save(fig, path)

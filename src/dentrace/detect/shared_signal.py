"""SHARED_SIGNAL: other institutions flag this party (issue 21). Corroboration, never an alert
on its own: it raises the score only of a party a local indicator already points at.

A party's shared weight is ``1 - prod(1 - w)`` over the institutions flagging it, each with the
weight of its strongest signal (``WEIGHTS``, halved for a match on the name alone); a party
with at least one local reason has its score raised to ``score + (1 - score) * weight`` before
the alert threshold is chosen, so at a fixed alert budget corroborated parties move up the
queue and others down. A party with no local reason keeps its score, and no reason list is
ever made of SHARED_SIGNAL alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from dentrace.detect.explain import SHARED_REASON
from dentrace.detect.indicators import Context
from dentrace.store.shared_signals import read_matches

SHARED_DESCRIPTION: Final = (
    "Flagged by other institutions of the signal-sharing consortium (matched on a keyed "
    "identifier token or a name encoding); evidence to review, never an alert on its own.")
# judgement, not fitted: a score's distance to 1 is multiplied by (1 - weight), so a confirmed
# case elsewhere moves a party past others whose gap to 1 is up to 10 times smaller; model
# scores crowd near 1, and a weaker weight reorders nothing at a fixed alert budget
# (benchmarks/share.py federation measures the effect on recall)
WEIGHTS: Final = {"alerted": 0.6, "known": 0.75, "confirmed": 0.9}
# a match on the name alone (no identifier) counts half: common names collide
NAME_FACTOR: Final = 0.5


def shared_weights(matches: pd.DataFrame) -> pd.Series:
    """Per party id, its shared weight in [0, 1) (empty when nothing was matched)."""
    if not len(matches):
        return pd.Series(dtype="float64")
    weight = matches["strength"].map(WEIGHTS).fillna(0.0) * np.where(
        matches["matched_on"] == "name", NAME_FACTOR, 1.0)
    strongest = weight.groupby([matches["party_id"], matches["sender"]]).max()
    keep = (1.0 - strongest).groupby(level=0).prod()
    return (1.0 - keep).astype("float64")


def shared_counts(matches: pd.DataFrame) -> dict[str, tuple[int, int]]:
    """Per party id: (institutions flagging it, institutions that confirmed it by a case)."""
    if not len(matches):
        return {}
    per = matches.groupby(["party_id", "sender"])["strength"].agg(
        lambda s: "confirmed" in set(s))
    counts = per.groupby(level=0).agg(["size", "sum"])
    return {str(p): (int(n), int(m)) for p, (n, m) in counts.iterrows()}


def corroborate(ids: pd.Index, scores: np.ndarray, reasons: list[list[str]],
                weights: Mapping[str, float] | pd.Series | None
                ) -> tuple[np.ndarray, list[list[str]]]:
    """Scores raised and SHARED_SIGNAL added for the parties with a local reason and a shared
    weight; everything else as given (new lists, the inputs are not changed)."""
    if weights is None or not len(weights):
        return scores, reasons
    weight = pd.Series(weights, dtype="float64").reindex(ids.astype(str)).fillna(0.0)
    local = np.array([bool(r) for r in reasons], dtype=bool)
    applies = local & (weight.to_numpy() > 0)
    raised = np.where(applies, scores + (1.0 - scores) * weight.to_numpy(), scores)
    return raised, [[*r, SHARED_REASON] if a else list(r)
                    for r, a in zip(reasons, applies, strict=True)]


def with_shared(workspace: Path, options: dict[str, Any]) -> dict[str, Any]:
    """The scan options with the workspace's shared weights and counts (``dentrace share
    match``'s results; none when it never ran)."""
    matches = read_matches(workspace)
    return {**options, "shared": shared_weights(matches),
            "shared_counts": shared_counts(matches)}


def shared_context(context: Context, options: dict[str, Any]) -> Context:
    """``context`` with the counts the SHARED_SIGNAL explanation gives."""
    return replace(context, shared=options.get("shared_counts") or {})

"""DuckDB against Spark on one workspace, feature column by feature column and score by score,
and the world variations at the edges where two engines may read the same data differently.

``edge_world`` changes a generated world the way an independent one may differ from ours in
the places engines disagree on: names spelled differently per payment, ties in time and
amount, payments at midnight and on the night-hour edges, blank optional values, non-ASCII
ids. ``compare_engines`` scans a workspace with both engines and returns the differences;
tests/integration/spark/test_engines_agree.py and benchmarks/engines_agree.py use both.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dentrace.evaluate.perturb import World
from dentrace.store.workspace import Workspace

# ids no default world has: accents, Cyrillic, CJK, half-width kana, an apostrophe and a
# space, a dotted capital I and a sharp s (whose upper/lower forms change length)
ODD_IDS = ("Ñandú-{}", "Жук-{}", "王{}", "ﾃｽﾄ{}", "o'brien {}", "İstanbul-{}", "straße{}")
# local clock times on the edges of the night hours (22-05) and of the day
EDGE_TIMES = ("00:00:00", "22:00:00", "21:59:59", "04:59:59", "05:00:00", "23:59:59")
OPTIONAL_TEXT = ("memo", "channel", "sender_country", "beneficiary_name", "sender_name")


def _respelled(names: pd.Series, rng: np.random.Generator) -> list[Any]:
    """Each name upper-cased, lower-cased, suffixed or with its words reversed, at random."""
    out: list[Any] = []
    for name in names:
        if not isinstance(name, str):
            out.append(name)
            continue
        kind = int(rng.integers(4))
        out.append([name.upper(), name.lower(), f"{name} Jr",
                    " ".join(reversed(name.split()))][kind])
    return out


def _ties(t: pd.DataFrame, rng: np.random.Generator, share: float) -> pd.DataFrame:
    """Some payments take the timestamp, others the amount, of the sender's previous one."""
    n = len(t)
    for column in ("ts", "amount"):
        previous = t.groupby("sender_id")[column].shift(1)
        hit = (rng.random(n) < share) & previous.notna().to_numpy()
        t.loc[hit, column] = previous[hit]
    return t


def _edge_times(t: pd.DataFrame, rng: np.random.Generator, share: float) -> pd.DataFrame:
    """Some payments moved to a clock time on an edge, keeping their date and UTC offset."""
    text = t["ts"].astype(str)
    hit = (rng.random(len(t)) < share) & (text.str.len() >= 25).to_numpy()  # ISO with offset
    times = rng.choice(np.array(EDGE_TIMES), len(t))
    t.loc[hit, "ts"] = [f"{s[:11]}{h}{s[19:]}" for s, h in zip(text[hit], times[hit],
                                                                  strict=True)]
    return t


def _rename(world: World, t: pd.DataFrame, mapping: dict[str, str]) -> World:
    def change(values: pd.Series) -> pd.Series:
        return values.map(lambda v: mapping.get(v, v))

    for column in ("sender_id", "beneficiary_id"):
        t[column] = change(t[column])
    known = world.known
    if known is not None:
        known = known.assign(party_id=change(known["party_id"].astype(str)))
    customers = world.customers
    if customers is not None:
        customers = customers.assign(customer_id=change(customers["customer_id"].astype(str)))
    truth = world.truth.assign(party_id=change(world.truth["party_id"].astype(str)))
    return replace(world, transactions=t, known=known, customers=customers, truth=truth)


def edge_world(world: World, rng: np.random.Generator, share: float = 0.15) -> World:
    """``world`` with about ``share`` of its payments moved to the edges named above."""
    t = world.transactions.copy()
    n = len(t)
    respell = rng.random(n) < 2 * share
    t.loc[respell, "sender_name"] = _respelled(t.loc[respell, "sender_name"], rng)
    t = _edge_times(_ties(t, rng, share), rng, share)
    for column in OPTIONAL_TEXT:
        if column in t.columns:
            blank = rng.random(n) < share / 5
            t.loc[blank, column] = rng.choice(np.array(["", " ", "\t"]), int(blank.sum()))
    parties = pd.unique(pd.concat([t["sender_id"], t["beneficiary_id"]]).astype(str))
    chosen = parties[rng.random(len(parties)) < share]
    mapping = {p: ODD_IDS[i % len(ODD_IDS)].format(p) for i, p in enumerate(chosen)}
    return _rename(world, t, mapping)


@dataclass(frozen=True)
class EngineComparison:
    """What scanning one workspace with both engines gave: per feature column the largest
    differences, per role the largest score difference, and whether alerts matched."""

    features: pd.DataFrame  # role, column, max_abs, max_rel, nan_mismatch, unequal
    scores: pd.DataFrame  # role, max_abs, over_1e-4, over_1e-2, parties
    same_parties: bool
    same_alerts: bool

    def worst_feature(self) -> float:
        """The largest relative feature difference (NaN on one side only counts as inf)."""
        if self.features.empty:
            return 0.0
        return float(self.features["max_rel"].max())

    def worst_score(self) -> float:
        return float(self.scores["max_abs"].max()) if len(self.scores) else 0.0


def feature_differences(duck: dict[str, pd.DataFrame], spark: dict[str, pd.DataFrame]
                        ) -> pd.DataFrame:
    """Per role and feature column: the largest absolute difference, the largest difference
    relative to max(1, |DuckDB value|), the rows NaN on one side only and the unequal rows."""
    rows = []
    for role, ours in duck.items():
        theirs = spark[role].reindex(index=ours.index)
        for column in ours.columns:
            x = ours[column].to_numpy(dtype="float64")
            y = (theirs[column].to_numpy(dtype="float64") if column in theirs.columns
                 else np.full(len(x), np.nan))
            one_nan = np.isnan(x) != np.isnan(y)
            both = ~np.isnan(x) & ~np.isnan(y)
            gap = np.abs(x - y)[both]
            rel = gap / np.maximum(1.0, np.abs(x[both]))
            rows.append({
                "role": role, "column": column,
                "max_abs": float(gap.max()) if len(gap) else 0.0,
                "max_rel": np.inf if one_nan.any() else (float(rel.max()) if len(rel) else 0.0),
                "nan_mismatch": int(one_nan.sum()),
                "unequal": int(one_nan.sum() + (gap > 0).sum()),
            })
    return pd.DataFrame(rows, columns=["role", "column", "max_abs", "max_rel", "nan_mismatch",
                                       "unequal"])


def score_differences(duck: pd.DataFrame, spark: pd.DataFrame) -> pd.DataFrame:
    """Per role, the largest |Δscore| of the parties tables of two scans and how many
    parties differ by more than 1e-4 and 1e-2."""
    merged = duck.merge(spark, on=["party_id", "role"], suffixes=("_d", "_s"))
    gap = (merged["score_d"] - merged["score_s"]).abs()
    return pd.DataFrame([
        {"role": role, "max_abs": float(g.max()) if len(g) else 0.0,
         "over_1e-4": int((g > 1e-4).sum()), "over_1e-2": int((g > 1e-2).sum()),
         "parties": len(g)}
        for role, g in gap.groupby(merged["role"])])


@contextmanager
def recording_features() -> Iterator[list[dict[str, pd.DataFrame]]]:
    """Within the block, every scan's feature frames are appended to the yielded list (the
    feature build of ``detect.scan`` is wrapped, so a scan builds them only once)."""
    # the module, not the ``scan`` function that dentrace.detect exports under its name
    scan_module: Any = importlib.import_module("dentrace.detect.scan")
    built: list[dict[str, pd.DataFrame]] = []
    original = scan_module.build_party_features

    def build(*args: Any, **kwargs: Any) -> dict[str, pd.DataFrame]:
        frames = original(*args, **kwargs)
        built.append({role: frame.copy() for role, frame in frames.items()})
        return frames

    scan_module.build_party_features = build
    try:
        yield built
    finally:
        scan_module.build_party_features = original


def compare_engines(workspace: Path, session: Any, **scan_options: Any) -> EngineComparison:
    """Scan ``workspace`` (without writing) with DuckDB and with Spark on ``session`` over a
    fresh export of its lake, and compare the two."""
    from dentrace.detect.scan import scan
    from dentrace.engine import SparkEngine, export_lake

    with recording_features() as built:
        duck = scan(workspace, write=False, **scan_options)
        lake = export_lake(workspace)
        spark = scan(workspace, write=False,
                     engine=SparkEngine(session, lake, Workspace(workspace).spark_scratch),
                     **scan_options)
    same_parties = (set(zip(duck.parties["party_id"], duck.parties["role"], strict=True))
                    == set(zip(spark.parties["party_id"], spark.parties["role"], strict=True)))
    alerted = [set(zip(r.parties.loc[r.parties["alert"], "party_id"],
                       r.parties.loc[r.parties["alert"], "role"], strict=True))
               for r in (duck, spark)]
    return EngineComparison(feature_differences(built[0], built[1]),
                            score_differences(duck.parties, spark.parties),
                            same_parties, alerted[0] == alerted[1])

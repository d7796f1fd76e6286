"""DuckDB and Spark agree per feature column (within 1e-6) and per score on randomised worlds:
generator seeds and known-list sizes outside the defaults, other currencies and stamps, and
the edges where engines read data differently (evaluate.engines.edge_world: names spelled
per payment, ties in time and amount, night-hour and midnight stamps, blank values,
non-ASCII ids), one of them scanned by a Spark session set to a zone other than UTC."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from dentrace.evaluate.engines import EngineComparison, compare_engines, edge_world
from dentrace.evaluate.perturb import PERTURBATIONS, read_world, write_world

pytestmark = [pytest.mark.spark, pytest.mark.slow]

# relative to max(1, |value|): a total of 10^6 may differ by its summation order (~1e-10)
FEATURE_TOLERANCE = 1e-6
SCORE_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Variation:
    """One randomised world: generator seed and known-list shares, perturbations applied in
    order, the edge share, and the Spark session's time zone during the scan."""

    seed: int
    known_offenders: float
    known_facilitators: float
    perturbations: tuple[str, ...]
    edges: float
    spark_zone: str = "UTC"


VARIATIONS = {
    "many-known-edges": Variation(4101, 0.7, 0.6, (), 0.2),
    "php-utc-stamps-edges": Variation(4202, 0.4, 0.4, ("currency_php", "utc_offsets"), 0.15),
    "mixed-ids-zone": Variation(4303, 0.5, 0.5, ("ids_reformatted", "channel_vocabulary",
                                                 "currency_mixed"), 0.15,
                                spark_zone="America/New_York"),
}


def _workspace(root: Path, v: Variation) -> Path:
    from dentrace.ingest import ingest
    from dentrace.synth import generate_world

    generate_world(root / "base", seed=v.seed, scale=0.01, fmt="parquet",
                   known_offenders=v.known_offenders, known_facilitators=v.known_facilitators)
    rng = np.random.default_rng(v.seed)
    world = read_world(root / "base")
    for name in v.perturbations:
        world = PERTURBATIONS[name].apply(world, rng)
    world = write_world(edge_world(world, rng, v.edges), root / "world")
    meta = json.loads((world / "world.json").read_text("utf-8"))
    ingest(root / "ws", transactions=world / "transactions",
           customers=world / "customers.parquet", known=world / "known.parquet",
           reporting_currency=meta.get("reporting_currency"), quiet=True)
    return root / "ws"


@pytest.fixture(scope="module", params=sorted(VARIATIONS))
def compared(request: pytest.FixtureRequest, session: Any,
             tmp_path_factory: pytest.TempPathFactory) -> EngineComparison:
    variation = VARIATIONS[request.param]
    workspace = _workspace(tmp_path_factory.mktemp(request.param), variation)
    zone = "spark.sql.session.timeZone"
    session.conf.set(zone, variation.spark_zone)
    try:
        return compare_engines(workspace, session)
    finally:
        session.conf.set(zone, "UTC")


def test_every_feature_column_agrees(compared: EngineComparison) -> None:
    features = compared.features
    assert len(features) > 60, "both roles' feature columns compared"
    off = features.loc[features["max_rel"] > FEATURE_TOLERANCE]
    assert off.empty, "\n" + off.to_string()


def test_scores_parties_and_alerts_agree(compared: EngineComparison) -> None:
    assert compared.same_parties and compared.same_alerts
    assert set(compared.scores["role"]) == {"payer", "facilitator"}
    assert compared.worst_score() <= SCORE_TOLERANCE, "\n" + compared.scores.to_string()

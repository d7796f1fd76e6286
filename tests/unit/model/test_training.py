"""Training on tiny generated worlds works, beats chance, and evaluation runs end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dentrace.evaluate.run import evaluate_world
from dentrace.evaluate.training import train
from dentrace.model.shipped import SHIPPED_DIR, load_scorer, load_shipped_scorer
from dentrace.synth import generate_world

pytestmark = pytest.mark.slow
SCALE = 0.03


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("train")
    report = train([101, 102], SCALE, root / "work", root / "model", rounds=60,
                   progress=lambda _m: None)
    assert [p.name for p in report.saved] == ["payer.json", "payer_stage2.json",
                                              "facilitator.json"]
    return root / "model"


def test_training_on_tiny_worlds_writes_a_model_that_beats_chance(trained: Path) -> None:
    payer = load_scorer(trained, "payer")
    assert payer.metadata_["training_seeds"] == [101, 102]
    assert set(payer.calibrations_) == {"with_known", "no_known"}
    held_out = payer.metadata_["held_out"]
    chance = held_out["positives"] / held_out["rows"]
    assert held_out["average_precision_no_known"] > 5 * chance
    second = load_scorer(trained, "payer", "payer_stage2")
    assert {"co_payers_score_max", "co_payers_score_mean"} <= set(second.feature_names_)
    assert "co_payers_score_max" not in payer.feature_names_
    assert second.metadata_["held_out"]["average_precision_no_known"] > 5 * chance


def test_evaluate_a_tiny_unseen_world_end_to_end(trained: Path, tmp_path: Path) -> None:
    world = tmp_path / "world"
    generate_world(world, seed=1001, scale=SCALE)
    evaluation = evaluate_world(world, tmp_path / "eval", scan_options={"model_dir": trained})
    for metrics in evaluation.metrics.values():
        assert metrics.known_excluded > 0
        assert metrics.average_precision > 5 * metrics.chance_precision
    assert (tmp_path / "eval" / "pr_curve.png").stat().st_size > 1000
    assert "## Targets" in (tmp_path / "eval" / "report.md").read_text()
    figures = json.loads((tmp_path / "eval" / "metrics.json").read_text())
    assert figures["seed"] == 1001 and figures["known_file"]
    assert not any("WARNING" in note for note in evaluation.notes)


def test_the_shipped_model_loads_from_package_data() -> None:
    if not (SHIPPED_DIR / "payer.json").exists():
        pytest.fail(f"no shipped model in {SHIPPED_DIR}: run `dentrace train`")
    for role, name in (("payer", None), ("payer", "payer_stage2"), ("facilitator", None)):
        scorer = load_shipped_scorer(role, name=name)
        assert scorer is not None and scorer.feature_names_
        assert all(s in range(100, 200) for s in scorer.metadata_["training_seeds"])

"""The learned scorer, its calibration, saving/loading and PU adaptation on made-up features."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score

from dentrace.errors import ConfigError
from dentrace.model.adapt import blend_weight, fit_positive_unlabelled
from dentrace.model.base import Scorer
from dentrace.model.calibration import PlattCalibration, thresholds_for_precision
from dentrace.model.institution import InstitutionScorer
from dentrace.model.scorer import LearnedScorer
from dentrace.model.seeds import check_training_seeds, seen_in_training
from dentrace.model.shipped import load_scorer, load_shipped_scorer, save_scorer


def _parties(n: int, seed: int, base_rate: float = 0.05) -> tuple[pd.DataFrame, np.ndarray]:
    """Parties whose label depends on two of four features, plus noise."""
    rng = np.random.default_rng(seed)
    labels = rng.random(n) < base_rate
    features = pd.DataFrame({
        "corridor_payments": rng.poisson(3 + 12 * labels),
        "night_share": np.clip(rng.normal(0.2 + 0.35 * labels, 0.2), 0, 1),
        "noise": rng.normal(size=n),
        "flag": rng.random(n) < 0.5,
    }, index=pd.Index([f"p{seed}-{i}" for i in range(n)], name="party_id"))
    return features, labels.astype(int)


def _trained(tmp_path: Path | None = None) -> LearnedScorer:
    features, labels = _parties(3000, 1)
    scorer = LearnedScorer(role="payer", rounds=60).fit(features, labels)
    held, held_labels = _parties(2000, 2)
    for setting in ("with_known", "no_known"):
        calibration = PlattCalibration.fit(scorer.raw_score(held), held_labels)
        scorer.calibrations_[setting] = calibration
        scorer.thresholds_[setting] = thresholds_for_precision(
            calibration.apply(scorer.raw_score(held)), held_labels)
    return scorer


def test_learned_scorer_beats_chance_and_is_a_probability() -> None:
    scorer = _trained()
    test, labels = _parties(2000, 3)
    scores = scorer.score(test)
    assert scores.min() >= 0 and scores.max() <= 1
    assert average_precision_score(labels, scores) > 3 * labels.mean()
    # calibrated: mean probability close to the base rate
    assert abs(scores.mean() - labels.mean()) < 0.03
    assert scorer.feature_importance()["corridor_payments"] > scorer.feature_importance()["noise"]


def test_scorer_tolerates_missing_and_extra_columns() -> None:
    scorer = _trained()
    test, _ = _parties(50, 4)
    scores = scorer.score(test.drop(columns=["noise"]).assign(unknown=1.0))
    assert scores.shape == (50,)


def test_platt_calibration_is_monotone_and_matches_the_base_rate() -> None:
    rng = np.random.default_rng(0)
    labels = rng.random(4000) < 0.1
    raw = np.clip(rng.normal(0.3 + 0.4 * labels, 0.15), 0.01, 0.99)
    calibration = PlattCalibration.fit(raw, labels)
    out = calibration.apply(np.array([0.05, 0.3, 0.6, 0.9]))
    assert np.all(np.diff(out) > 0)
    assert calibration.apply(raw).mean() == pytest.approx(labels.mean(), abs=0.01)
    assert PlattCalibration.identity().apply(np.array([0.3]))[0] == pytest.approx(0.3)


def test_thresholds_for_precision_pick_the_most_recall() -> None:
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
    labels = np.array([1, 1, 0, 1, 0])
    table = thresholds_for_precision(scores, labels, targets=(0.7, 1.0))
    # the cut lies half-way (log-odds) between the last party let in and the next one down
    assert table["1.0"]["threshold"] == pytest.approx(0.7534, abs=1e-4)
    assert (table["1.0"]["recall"], table["1.0"]["precision"]) == (2 / 3, 1.0)
    assert table["0.7"]["threshold"] == pytest.approx(0.5505, abs=1e-4)


def test_a_wide_gap_puts_the_threshold_in_its_middle() -> None:
    scores = np.array([0.999, 0.99, 0.98, 0.1, 0.05])
    labels = np.array([1, 1, 1, 0, 0])
    cut = thresholds_for_precision(scores, labels, targets=(0.95,))["0.95"]["threshold"]
    assert 0.5 < cut < 0.9  # not on the lowest positive (0.98): unseen positives score lower
    last = thresholds_for_precision(scores[:3], labels[:3], targets=(0.95,))["0.95"]
    assert last["threshold"] == 0.98  # nothing below: the lowest positive itself


def test_save_and_load_give_the_same_scores(tmp_path: Path) -> None:
    scorer = _trained()
    save_scorer(scorer, tmp_path, {"training_seeds": [101, 102]})
    loaded = load_scorer(tmp_path, "payer")
    test, _ = _parties(300, 5)
    assert np.allclose(loaded.score(test), scorer.score(test))
    assert loaded.metadata_["training_seeds"] == [101, 102]
    assert loaded.threshold_for_precision(0.8) == scorer.threshold_for_precision(0.8)
    assert load_shipped_scorer("facilitator", tmp_path) is None


def test_broken_metadata_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "payer.json").write_text("{}")
    (tmp_path / "payer.lgb").write_text("")
    with pytest.raises(ConfigError, match=r"payer\.json"):
        load_scorer(tmp_path, "payer")


def test_positive_unlabelled_recovers_hidden_positives() -> None:
    features, labels = _parties(3000, 6, base_rate=0.05)
    rng = np.random.default_rng(0)
    known = (labels == 1) & (rng.random(len(labels)) < 0.3)
    fit = fit_positive_unlabelled(features.astype(float).to_numpy(), known)
    assert fit is not None and 0 < fit.label_frequency <= 1
    hidden = ~known
    ap = average_precision_score(labels[hidden], fit.probability[hidden])
    assert ap > 3 * labels[hidden].mean()
    assert fit_positive_unlabelled(features.to_numpy(), np.zeros(len(labels), bool)) is None


def test_institution_scorer_follows_the_contract(tmp_path: Path) -> None:
    save_scorer(_trained(), tmp_path, {})
    features, labels = _parties(2000, 7)
    known = np.where((labels == 1) & (np.arange(len(labels)) % 3 == 0), 1.0, np.nan)
    scorer = InstitutionScorer(role="payer", model_dir=tmp_path)
    assert isinstance(scorer, Scorer)
    scores = scorer.fit(features, known).score(features)
    assert scorer.weight_ == blend_weight(int(np.nansum(known)))
    hidden = np.isnan(known)
    assert average_precision_score(labels[hidden], scores[hidden]) > 3 * labels[hidden].mean()
    plain = InstitutionScorer(role="payer", model_dir=tmp_path).fit(features, None)
    assert plain.weight_ == 0.0
    # the institution's labels only raise scores: no unlabelled party falls below the model
    assert np.all(scores >= plain.score(features) - 1e-12)
    assert np.any(scores > plain.score(features) + 1e-6)
    with pytest.raises(ConfigError, match="dentrace train"):
        InstitutionScorer(role="facilitator", model_dir=tmp_path).fit(features, None)


def test_training_seeds_never_overlap_evaluation_seeds() -> None:
    assert check_training_seeds([101, 102]) == [101, 102]
    with pytest.raises(ConfigError, match="1000"):
        check_training_seeds([101, 1001])
    with pytest.raises(ConfigError, match="two seeds"):
        check_training_seeds([101])
    assert seen_in_training(150, []) and not seen_in_training(1001, [101])

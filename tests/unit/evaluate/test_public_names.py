"""The public surface of evaluate and model is exactly what their __all__ lists."""

from __future__ import annotations

import dentrace.evaluate as evaluate
import dentrace.model as model


def test_evaluate_public_names() -> None:
    assert sorted(evaluate.__all__) == [
        "PopulationRate", "RoleMetrics", "TargetCheck", "check_targets", "count_customers",
        "measure", "measure_role", "read_known_ids", "read_truth", "write_outputs"]
    assert all(hasattr(evaluate, name) for name in evaluate.__all__)


def test_model_public_names() -> None:
    assert sorted(model.__all__) == [
        "DEFAULT_TRAINING_SEEDS", "InstitutionScorer", "LearnedScorer", "TRAINING_SEEDS",
        "check_training_seeds", "load_shipped_scorer", "save_scorer", "shipped_model_exists"]
    assert all(hasattr(model, name) for name in model.__all__)

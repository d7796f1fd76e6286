"""The learned score: LightGBM per role, calibrated, shipped as package data, and adapted to an
institution's own known cases by positive-unlabelled learning (see docs/model-card.md)."""

from dentrace.model.institution import InstitutionScorer
from dentrace.model.scorer import LearnedScorer
from dentrace.model.seeds import DEFAULT_TRAINING_SEEDS, TRAINING_SEEDS, check_training_seeds
from dentrace.model.shipped import load_shipped_scorer, save_scorer, shipped_model_exists

__all__ = [
    "DEFAULT_TRAINING_SEEDS",
    "TRAINING_SEEDS",
    "InstitutionScorer",
    "LearnedScorer",
    "check_training_seeds",
    "load_shipped_scorer",
    "save_scorer",
    "shipped_model_exists",
]

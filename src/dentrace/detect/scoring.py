"""Which scorer scan uses per role: the shipped learned model when one exists (adapted to the
institution's known labels), otherwise the rule scorer; one hook, ``load_scorer(role)``, and
``load_second_stage(role)`` for the payer stage that reads its co-payers' first-stage scores."""

from __future__ import annotations

from pathlib import Path

from dentrace.detect.config import DetectConfig
from dentrace.detect.rules import IndicatorScorer
from dentrace.errors import ConfigError
from dentrace.model.base import Scorer

SCORERS = ("auto", "rules", "model")


def load_scorer(role: str, config: DetectConfig | None = None, kind: str = "auto",
                model_dir: Path | None = None) -> Scorer:
    """The scorer of ``role``: ``kind`` 'rules', 'model' or 'auto' (model if shipped)."""
    if kind not in SCORERS:
        raise ConfigError(f"scorer '{kind}': choose one of {', '.join(SCORERS)}")
    if kind != "rules":
        from dentrace.model import InstitutionScorer, shipped_model_exists

        if shipped_model_exists(role, model_dir):
            return InstitutionScorer(role=role, model_dir=model_dir)
        if kind == "model":
            raise ConfigError(f"no trained {role} model found: run `dentrace train` first")
    return IndicatorScorer(role=role, config=config)


def load_second_stage(role: str, kind: str = "auto",
                      model_dir: Path | None = None) -> Scorer | None:
    """The second-stage scorer of ``role`` (payers: ``payer_stage2``, reading the co-payer
    columns of ``detect.payer_suspicion``), or None: rules, or no such model shipped."""
    if kind == "rules":
        return None
    from dentrace.model import InstitutionScorer, shipped_model_exists
    from dentrace.model.shipped import STAGE2

    name = STAGE2.get(role)
    if name is None or not shipped_model_exists(role, model_dir, name):
        return None
    return InstitutionScorer(role=role, model_dir=model_dir, model_name=name)

"""The public surface of dentrace.detect is exactly what it declares (httpx-style)."""

from __future__ import annotations

import dentrace.detect as detect
from dentrace.detect import scan
from dentrace.model.base import Scorer


def test_all_is_the_public_api() -> None:
    assert sorted(detect.__all__) == sorted([
        "BaseScorer", "DetectConfig", "IndicatorScorer", "ScanResult", "Scorer", "check_scores",
        "labels_for", "load_config", "load_scorer", "scan",
    ])
    assert callable(scan)


def test_rule_scorer_meets_the_scorer_contract() -> None:
    scorer = detect.load_scorer("payer", kind="rules")
    assert isinstance(scorer, Scorer)
    assert scorer.get_params()["role"] == "payer"

"""Detection: the indicator catalogue, the scorer contract, scan orchestration and thresholds.

Public names are re-exported here; ``scan`` is the one entry point the CLI, web and evaluation call.
"""

from __future__ import annotations

from dentrace.detect.config import DetectConfig, load_config
from dentrace.detect.rules import IndicatorScorer
from dentrace.detect.scan import ScanResult, scan
from dentrace.detect.scoring import load_scorer
from dentrace.model.base import BaseScorer, Scorer, check_scores, labels_for

__all__ = [
    "BaseScorer",
    "DetectConfig",
    "IndicatorScorer",
    "ScanResult",
    "Scorer",
    "check_scores",
    "labels_for",
    "load_config",
    "load_scorer",
    "scan",
]

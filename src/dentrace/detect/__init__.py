"""Detection: the indicator catalogue, the scorer contract, scan orchestration and thresholds.

Public names are re-exported here; ``scan`` is the one entry point the CLI, web and evaluation call.
"""

from __future__ import annotations

from dentrace.detect.scorer import BaseScorer, Scorer, check_scores, labels_for

__all__ = ["BaseScorer", "Scorer", "check_scores", "labels_for"]

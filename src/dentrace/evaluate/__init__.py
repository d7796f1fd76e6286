"""Measure a scan against a synthetic world's truth file: precision, recall, alert workload.

Public names: ``measure`` (figures per role), ``check_targets``, ``write_outputs`` and the
file readers; ``dentrace.evaluate.run.evaluate_world`` ingests, scans and measures a world.
"""

from dentrace.evaluate.metrics import PopulationRate, RoleMetrics, measure, measure_role
from dentrace.evaluate.report import TargetCheck, check_targets, write_outputs
from dentrace.evaluate.world_files import count_customers, read_known_ids, read_truth

__all__ = [
    "PopulationRate",
    "RoleMetrics",
    "TargetCheck",
    "check_targets",
    "count_customers",
    "measure",
    "measure_role",
    "read_known_ids",
    "read_truth",
    "write_outputs",
]

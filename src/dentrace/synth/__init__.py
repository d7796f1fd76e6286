"""Synthetic worlds: one institution's year of payments by honest and criminal populations,
written in the contract format with a separate truth file.

Public names: ``generate_world`` (the CLI, the demo and the tests call it), ``WorldSummary``
and ``POPULATIONS``.
"""

from dentrace.synth.plan import POPULATIONS
from dentrace.synth.world import WorldSummary, generate_world

__all__ = ["POPULATIONS", "WorldSummary", "generate_world"]

"""Behavioural features per party (payer, facilitator) over time windows, written as Ibis
expressions over the warehouse ``transactions`` table (DuckDB now, Spark later)."""

from __future__ import annotations

from dentrace.features.build import build_party_features, read_known
from dentrace.features.settings import FeatureSettings

__all__ = ["FeatureSettings", "build_party_features", "read_known"]

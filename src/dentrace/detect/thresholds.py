"""Alert thresholds: by alert budget (alerts per 10k customers), by target precision, or the
configured default; known parties never use up the budget."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from dentrace.errors import ConfigError


@dataclass(frozen=True)
class Threshold:
    """The score threshold of one role and how it was chosen."""

    value: float
    rule: str  # 'budget' | 'precision' | 'default'
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "rule": self.rule, "detail": self.detail}


def by_budget(scores: np.ndarray, budget: float, customers: int) -> Threshold:
    """The threshold letting at most ``budget`` alerts per 10k customers through."""
    if budget <= 0:
        raise ConfigError(f"--alert-budget must be positive, got {budget}")
    allowed = int(np.floor(budget * max(customers, 1) / 10_000))
    ordered = np.sort(scores)[::-1]
    if allowed <= 0 or ordered.size == 0:
        return Threshold(np.inf, "budget", f"{budget:g} per 10k of {customers} customers: none")
    value = ordered[min(allowed, ordered.size) - 1]
    # ties at the cut could exceed the budget: step just above them when they would
    if allowed < ordered.size and ordered[allowed] == value:
        value = np.nextafter(value, np.inf)
    value = max(float(value), 1e-9)
    return Threshold(value, "budget", f"{budget:g} per 10k of {customers} customers = {allowed}")


def by_expected_precision(scores: np.ndarray, target: float) -> Threshold:
    """Lowest threshold whose alerted scores average at least ``target`` (calibrated scores)."""
    if not 0 < target < 1:
        raise ConfigError(f"--target-precision must be between 0 and 1, got {target}")
    ordered = np.sort(scores)[::-1]
    if ordered.size == 0:
        return Threshold(np.inf, "precision", f"{target:g}: no parties")
    running = np.cumsum(ordered) / np.arange(1, ordered.size + 1)
    ok = np.nonzero(running >= target)[0]
    if ok.size == 0:
        return Threshold(np.inf, "precision", f"{target:g}: no threshold reaches it")
    return Threshold(float(ordered[ok[-1]]), "precision",
                     f"{target:g} expected from calibrated scores")


def choose(scores: np.ndarray, scorer: Any, default: float, customers: int,
           budget: float | None, target_precision: float | None) -> Threshold:
    """Budget wins over target precision, which wins over the default threshold."""
    if budget is not None:
        return by_budget(scores, budget, customers)
    if target_precision is not None:
        held_out = getattr(scorer, "threshold_for_precision", lambda _t: None)(target_precision)
        if held_out is not None:
            return Threshold(float(held_out), "precision",
                             f"{target_precision:g} on the model's held-out world")
        return by_expected_precision(scores, target_precision)
    return Threshold(float(default), "default", "scoring.threshold of the config")

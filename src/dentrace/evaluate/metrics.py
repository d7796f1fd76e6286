"""Precision, recall, average precision and alert workload of a scan against a world's truth.

Pure functions over DataFrames: the parties table of a scan, the truth file and the known ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, precision_recall_curve

ROLES = ("payer", "facilitator")
DEFAULT_BUDGETS = (25.0, 50.0, 100.0)  # alerts per 10k customers
RECALL_FLOOR = 0.85  # the alert-recall target


@dataclass
class PopulationRate:
    """Alerts raised on one legitimate population of one role."""

    population: str
    parties: int
    alerts: int

    @property
    def false_positive_rate(self) -> float:
        return self.alerts / self.parties if self.parties else 0.0


@dataclass
class RoleMetrics:
    """Every figure evaluation reports for one role (payer or facilitator)."""

    role: str
    parties: int
    positives: int
    known_excluded: int
    ambiguous_excluded: int
    average_precision: float
    chance_precision: float
    alerts: int
    alert_precision: float
    alert_recall: float
    alerts_per_10k_customers: float
    best_precision_at_recall: float
    recall_within_budget: dict[float, float] = field(default_factory=dict)
    false_positive_rates: list[PopulationRate] = field(default_factory=list)
    indicator_hit_rates: dict[str, dict[str, float]] = field(default_factory=dict)
    curve_precision: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    curve_recall: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready figures (the curve is left out)."""
        return {
            "role": self.role,
            "parties": self.parties,
            "positives": self.positives,
            "known_excluded": self.known_excluded,
            "ambiguous_excluded": self.ambiguous_excluded,
            "average_precision": self.average_precision,
            "chance_precision": self.chance_precision,
            "alerts": self.alerts,
            "alert_precision": self.alert_precision,
            "alert_recall": self.alert_recall,
            "alerts_per_10k_customers": self.alerts_per_10k_customers,
            f"best_precision_at_recall_{RECALL_FLOOR}": self.best_precision_at_recall,
            "recall_within_budget": {str(k): v for k, v in self.recall_within_budget.items()},
            "false_positive_rates": {
                r.population: {"parties": r.parties, "alerts": r.alerts,
                               "false_positive_rate": r.false_positive_rate}
                for r in self.false_positive_rates
            },
            "indicator_hit_rates": self.indicator_hit_rates,
        }


def scored_universe(parties: pd.DataFrame, truth: pd.DataFrame, role: str) -> pd.DataFrame:
    """Every party of ``role`` in the scan or in the truth, with its label and population.

    Truth parties the scan never scored get score 0 and no alert. Parties that are positive in
    the other role (an offender who also receives money) are marked ``ambiguous``.
    """
    scan = parties.loc[parties["role"] == role, ["party_id", "score", "alert", "reasons"]]
    scan = scan.assign(party_id=scan["party_id"].astype(str)).drop_duplicates("party_id")
    same_role = truth.loc[truth["role"] == role, ["party_id", "population", "is_positive"]]
    table = scan.merge(same_role, on="party_id", how="outer")
    other = truth.loc[truth["role"] != role].drop_duplicates("party_id").set_index("party_id")
    unmatched = table["population"].isna()
    table.loc[unmatched, "population"] = (
        table.loc[unmatched, "party_id"].map(other["population"]).fillna("not in truth"))
    other_positive = table["party_id"].map(other["is_positive"]).astype("boolean")
    table["ambiguous"] = unmatched & other_positive.fillna(False).to_numpy(dtype=bool)
    table["is_positive"] = table["is_positive"].astype("boolean").fillna(False).astype(bool)
    table["score"] = pd.to_numeric(table["score"], errors="coerce").fillna(0.0)
    table["alert"] = table["alert"].astype("boolean").fillna(False).astype(bool)
    table["reasons"] = table["reasons"].fillna("").astype(str)
    return table.reset_index(drop=True)


def recall_within_budget(scores: np.ndarray, labels: np.ndarray, budget_per_10k: float,
                         customers: int) -> float:
    """Share of positives among the top-scored parties an alert budget allows."""
    positives = int(labels.sum())
    if positives == 0:
        return 0.0
    allowed = round(budget_per_10k * customers / 10_000)
    order = np.argsort(-scores, kind="stable")[:allowed]
    return float(labels[order].sum()) / positives


def indicator_hit_rates(table: pd.DataFrame) -> dict[str, dict[str, float]]:
    """For each indicator code: the share of positives, and of each legit population, it hit."""
    codes = table["reasons"].str.split(";")
    groups: dict[str, pd.Series] = {"positives": table["is_positive"]}
    for population in sorted(table.loc[~table["is_positive"], "population"].unique()):
        groups[population] = (~table["is_positive"]) & (table["population"] == population)
    all_codes = sorted({c for row in codes for c in row if c})
    rates: dict[str, dict[str, float]] = {}
    for code in all_codes:
        has = codes.map(lambda row, code=code: code in row)
        rates[code] = {name: float(has[mask].mean()) if mask.any() else 0.0
                       for name, mask in groups.items()}
    return rates


def _best_precision_at_recall(precision: np.ndarray, recall: np.ndarray, floor: float) -> float:
    reachable = precision[recall >= floor]
    return float(reachable.max()) if reachable.size else 0.0


def measure_role(parties: pd.DataFrame, truth: pd.DataFrame, role: str, customers: int,
                 known_ids: set[str] | None = None,
                 budgets: tuple[float, ...] = DEFAULT_BUDGETS) -> RoleMetrics:
    """All figures for one role; parties in ``known_ids`` are left out of every figure."""
    table = scored_universe(parties, truth, role)
    is_known = table["party_id"].isin(known_ids or set())
    ambiguous = table["ambiguous"] & ~is_known
    table = table.loc[~is_known & ~table["ambiguous"]].reset_index(drop=True)
    labels = table["is_positive"].to_numpy(dtype=bool)
    scores = table["score"].to_numpy(dtype=float)
    alerts = table["alert"].to_numpy(dtype=bool)
    positives = int(labels.sum())
    hits = int((alerts & labels).sum())
    if positives and positives < len(labels):
        ap = float(average_precision_score(labels, scores))
        precision, recall, _ = precision_recall_curve(labels, scores)
    else:
        ap, precision, recall = 0.0, np.zeros(0), np.zeros(0)
    legit = table.loc[~table["is_positive"]]
    rates = [PopulationRate(str(pop), len(group), int(group["alert"].sum()))
             for pop, group in legit.groupby("population", sort=True)]
    return RoleMetrics(
        role=role,
        parties=len(table),
        positives=positives,
        known_excluded=int(is_known.sum()),
        ambiguous_excluded=int(ambiguous.sum()),
        average_precision=ap,
        chance_precision=positives / len(table) if len(table) else 0.0,
        alerts=int(alerts.sum()),
        alert_precision=hits / int(alerts.sum()) if alerts.any() else 0.0,
        alert_recall=hits / positives if positives else 0.0,
        alerts_per_10k_customers=10_000 * float(alerts.sum()) / customers if customers else 0.0,
        best_precision_at_recall=_best_precision_at_recall(precision, recall, RECALL_FLOOR),
        recall_within_budget={b: recall_within_budget(scores, labels, b, customers)
                              for b in budgets},
        false_positive_rates=rates,
        indicator_hit_rates=indicator_hit_rates(table),
        curve_precision=precision,
        curve_recall=recall,
    )


def measure(parties: pd.DataFrame, truth: pd.DataFrame, customers: int,
            known_ids: set[str] | None = None,
            budgets: tuple[float, ...] = DEFAULT_BUDGETS) -> dict[str, RoleMetrics]:
    """Figures for payers and facilitators, keyed by role."""
    return {role: measure_role(parties, truth, role, customers, known_ids, budgets)
            for role in ROLES}

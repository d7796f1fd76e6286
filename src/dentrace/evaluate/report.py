"""Turn evaluation figures into the issue's target checks, a markdown report, JSON and a chart.

The chart is a precision-recall curve per role drawn with matplotlib's Agg backend (no display).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from dentrace.evaluate.metrics import RECALL_FLOOR, RoleMetrics

MAX_FALSE_POSITIVE_RATE = 0.005


@dataclass(frozen=True)
class TargetCheck:
    """One target of the issue, the measured value and whether it was met."""

    name: str
    target: str
    measured: float
    met: bool


def check_targets(metrics: dict[str, RoleMetrics], with_known: bool) -> list[TargetCheck]:
    """The issue's targets: with a known file (30%/20% known) or with none."""
    payer, facilitator = metrics["payer"], metrics["facilitator"]
    if not with_known:
        return [
            TargetCheck("payer average precision", ">= 0.70", payer.average_precision,
                        payer.average_precision >= 0.70),
            TargetCheck("facilitator average precision", ">= 0.70",
                        facilitator.average_precision, facilitator.average_precision >= 0.70),
        ]
    checks = [
        TargetCheck("payer average precision", ">= 0.90", payer.average_precision,
                    payer.average_precision >= 0.90),
        TargetCheck("payer alert precision", ">= 0.80", payer.alert_precision,
                    payer.alert_precision >= 0.80),
        TargetCheck("payer alert recall", f">= {RECALL_FLOOR}", payer.alert_recall,
                    payer.alert_recall >= RECALL_FLOOR),
        TargetCheck("facilitator average precision", ">= 0.90", facilitator.average_precision,
                    facilitator.average_precision >= 0.90),
    ]
    for role_metrics in (payer, facilitator):
        worst = max(role_metrics.false_positive_rates, key=lambda r: r.false_positive_rate,
                    default=None)
        if worst is not None:
            checks.append(TargetCheck(
                f"{role_metrics.role} worst FPR ({worst.population})", "<= 0.005",
                worst.false_positive_rate, worst.false_positive_rate <= MAX_FALSE_POSITIVE_RATE))
    return checks


def _fmt(value: float) -> str:
    return f"{value:.3f}"


def _role_section(m: RoleMetrics) -> list[str]:
    lines = [
        f"## {m.role.capitalize()}s", "",
        f"{m.parties} parties evaluated, {m.positives} positive "
        f"(chance precision {_fmt(m.chance_precision)}); {m.known_excluded} parties of the "
        f"known file and {m.ambiguous_excluded} positives of the other role left out.", "",
        "| figure | value |", "|---|---|",
        f"| average precision | {_fmt(m.average_precision)} |",
        f"| alerts | {m.alerts} |",
        f"| alert precision | {_fmt(m.alert_precision)} |",
        f"| alert recall | {_fmt(m.alert_recall)} |",
        f"| alerts per 10k customers | {m.alerts_per_10k_customers:.1f} |",
        f"| best precision at recall >= {RECALL_FLOOR} | {_fmt(m.best_precision_at_recall)} |",
    ]
    lines += [f"| recall within {b:g} alerts per 10k customers | {_fmt(r)} |"
              for b, r in m.recall_within_budget.items()]
    lines += ["", "False-positive rate of each legitimate population:", "",
              "| population | parties | alerts | FPR |", "|---|---|---|---|"]
    lines += [f"| {r.population} | {r.parties} | {r.alerts} | {r.false_positive_rate:.4f} |"
              for r in m.false_positive_rates]
    if m.indicator_hit_rates:
        groups = list(next(iter(m.indicator_hit_rates.values())).keys())
        lines += ["", "Indicator hit rates (share of each group whose reasons contain the code):",
                  "", "| indicator | " + " | ".join(groups) + " |",
                  "|---|" + "---|" * len(groups)]
        for code, rates in m.indicator_hit_rates.items():
            lines.append(f"| {code} | " + " | ".join(_fmt(rates[g]) for g in groups) + " |")
    return [*lines, ""]


def markdown_report(metrics: dict[str, RoleMetrics], checks: list[TargetCheck],
                    title: str, notes: list[str] | None = None) -> str:
    """The evaluation report as markdown: targets first, then each role's figures."""
    lines = [f"# {title}", ""]
    lines += [f"- {note}" for note in notes or []]
    lines += ["", "## Targets", "", "| target | wanted | measured | met |", "|---|---|---|---|"]
    lines += [f"| {c.name} | {c.target} | {_fmt(c.measured)} | {'yes' if c.met else 'NO'} |"
              for c in checks]
    lines.append("")
    for role_metrics in metrics.values():
        lines += _role_section(role_metrics)
    lines += ["![precision-recall curves](pr_curve.png)", ""]
    return "\n".join(lines)


def draw_pr_curve(metrics: dict[str, RoleMetrics], path: Path) -> Path:
    """Write a PNG with one precision-recall curve per role and each role's alert point."""
    figure, axes = plt.subplots(figsize=(6.5, 5))
    for m in metrics.values():
        if m.curve_recall.size:
            line = axes.step(m.curve_recall, m.curve_precision, where="post",
                             label=f"{m.role}s (AP {m.average_precision:.3f})")[0]
            axes.plot([m.alert_recall], [m.alert_precision], "o", color=line.get_color(),
                      label=f"{m.role} alerts")
    axes.set_xlabel("recall")
    axes.set_ylabel("precision")
    axes.set_xlim(0, 1.01)
    axes.set_ylim(0, 1.02)
    axes.grid(alpha=0.3)
    axes.legend(loc="lower left")
    axes.set_title("dentrace: precision-recall by role")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def write_outputs(out: Path, metrics: dict[str, RoleMetrics], checks: list[TargetCheck],
                  title: str, notes: list[str] | None = None,
                  extra: dict[str, object] | None = None) -> dict[str, Path]:
    """Write report.md, pr_curve.png and metrics.json into ``out``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {"report": out / "report.md", "chart": out / "pr_curve.png",
             "metrics": out / "metrics.json"}
    paths["report"].write_text(markdown_report(metrics, checks, title, notes), encoding="utf-8")
    draw_pr_curve(metrics, paths["chart"])
    payload = {
        **(extra or {}),
        "roles": {role: m.as_dict() for role, m in metrics.items()},
        "targets": [{"name": c.name, "target": c.target, "measured": c.measured, "met": c.met}
                    for c in checks],
    }
    paths["metrics"].write_text(json.dumps(payload, indent=2), encoding="utf-8")
    return paths

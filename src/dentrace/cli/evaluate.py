"""`dentrace evaluate`: scan a generated world and measure the result against its truth file.

Thin: parses options, calls ``dentrace.evaluate.run.evaluate_world`` and prints a rich table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from dentrace.cli.console import literal, say
from dentrace.errors import DentraceError


def _worst_rate(metrics: Any) -> str:
    worst = max(metrics.false_positive_rates, key=lambda r: r.false_positive_rate, default=None)
    return "-" if worst is None else f"{worst.false_positive_rate:.4f} ({worst.population})"


def _figures_table(evaluation: Any) -> Table:
    table = Table(title="dentrace evaluation")
    table.add_column("figure")
    for role in evaluation.metrics:
        table.add_column(f"{role}s", justify="right")
    rows = [
        ("parties evaluated", lambda m: str(m.parties)),
        ("positives", lambda m: str(m.positives)),
        ("known left out", lambda m: str(m.known_excluded)),
        ("average precision", lambda m: f"{m.average_precision:.3f}"),
        ("alerts", lambda m: str(m.alerts)),
        ("alert precision", lambda m: f"{m.alert_precision:.3f}"),
        ("alert recall", lambda m: f"{m.alert_recall:.3f}"),
        ("alerts per 10k customers", lambda m: f"{m.alerts_per_10k_customers:.1f}"),
        ("worst legit FPR", _worst_rate),
    ]
    for label, cell in rows:
        table.add_row(label, *(literal(cell(m)) for m in evaluation.metrics.values()))
    for budget in next(iter(evaluation.metrics.values())).recall_within_budget:
        table.add_row(f"recall within {budget:g}/10k",
                      *(f"{m.recall_within_budget[budget]:.3f}"
                        for m in evaluation.metrics.values()))
    return table


def evaluate(
    world: Path = typer.Option(..., "--world", help="A world written by `dentrace generate`."),
    out: Path = typer.Option(None, "--out", help="Report folder (default: WORLD/evaluation)."),
    known_file: Path = typer.Option(None, "--known-file",
                                    help="Known file to scan with (default: the world's)."),
    no_known: bool = typer.Option(False, "--no-known",
                                  help="Scan without any known file (no earlier cases)."),
    alert_budget: float = typer.Option(None, "--alert-budget",
                                       help="Alerts per 10k customers, passed to scan."),
    target_precision: float = typer.Option(None, "--target-precision",
                                           help="Precision the alert threshold aims at."),
    scorer: str = typer.Option("auto", "--scorer",
                               help="auto (shipped model if present), model or rules."),
) -> None:
    """Scan a generated world and report precision, recall and alert workload per role."""
    from dentrace.evaluate.run import evaluate_world

    console = Console()
    options: dict[str, Any] = {"scorer": scorer}
    if alert_budget is not None:
        options["alert_budget"] = alert_budget
    if target_precision is not None:
        options["target_precision"] = target_precision
    target = out or world / ("evaluation-no-known" if no_known else "evaluation")
    try:
        evaluation = evaluate_world(world, target, known_file=known_file,
                                    use_known=not no_known, scan_options=options)
    except DentraceError as error:
        console.print(literal(error, "red"))
        raise typer.Exit(code=2) from error
    for note in evaluation.notes:
        console.print(literal(note))
    console.print(_figures_table(evaluation))
    for check in evaluation.checks:
        mark = ("met", "green") if check.met else ("NOT met", "red")
        say(console, f"{check.name}: {check.measured:.3f} (target {check.target}) ", mark)
    say(console, f"report: {evaluation.outputs['report']}")

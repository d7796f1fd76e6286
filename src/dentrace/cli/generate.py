"""`dentrace generate`: write a synthetic world (transactions, customers, known, truth).

Thin: parses options, shows a progress bar, calls dentrace.synth.generate_world.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from dentrace.cli.console import print_error
from dentrace.errors import DentraceError
from dentrace.synth import generate_world


def generate(
    out: Path = typer.Option(..., "--out", help="Folder to write the world into."),
    seed: int = typer.Option(0, "--seed", help="Same seed, same files (byte for byte)."),
    scale: float = typer.Option(1.0, "--scale",
                                help="1 = ~25k customers and ~1.5M payments."),
    fmt: str = typer.Option("parquet", "--format", help="csv or parquet."),
    known_offenders: float = typer.Option(0.3, "--known-offenders",
                                          help="Share of offenders listed in the known file."),
    known_facilitators: float = typer.Option(
        0.2, "--known-facilitators", help="Share of facilitators listed in the known file."),
) -> None:
    """Generate a synthetic year of one institution's payments, with a separate truth file."""
    console = Console(stderr=True)
    columns = (TextColumn("[bold]generating"), BarColumn(), MofNCompleteColumn(),
               TextColumn("customers · {task.fields[payments]:,} payments"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task("world", total=None, payments=0)

        def advance(done: int, total: int, payments: int) -> None:
            bar.update(task, completed=done, total=total, payments=payments)

        try:
            summary = generate_world(out, seed=seed, scale=scale, fmt=fmt.lower(),
                                     known_offenders=known_offenders,
                                     known_facilitators=known_facilitators, progress=advance)
        except DentraceError as error:
            print_error(error, console)
            raise typer.Exit(2) from error
    inst = summary.institution
    typer.echo(f"{summary.out}: {summary.customers:,} customers, {summary.transactions:,} "
               f"payments, {summary.parties:,} parties in truth")
    typer.echo(f"institution: {inst['name']} ({inst['kind']}, {inst['country']}, "
               f"{inst['currency']}), {summary.date_from} to {summary.date_to}")
    typer.echo("populations: " + ", ".join(f"{k} {v:,}" for k, v in summary.populations.items()))
    typer.echo(f"facilitators {summary.facilitators} in {summary.dens} dens; known: "
               + ", ".join(f"{k} {v}" for k, v in summary.known.items()))

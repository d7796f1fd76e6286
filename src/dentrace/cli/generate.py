"""`dentrace generate`: write a synthetic world (transactions, customers, known, truth).

Thin: parses options, shows a progress bar, calls dentrace.synth.generate_world.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
    federation: int = typer.Option(0, "--federation", min=0,
                                   help="Split one global world across N institutions (2-10): "
                                        "OUT/global/ and one folder per institution."),
    force: bool = typer.Option(False, "--force",
                               help="Write into a folder that is not empty (world files are "
                                    "replaced, other files kept)."),
) -> None:
    """Generate a synthetic year of one institution's payments, with a separate truth file."""
    console = Console(stderr=True)
    refusal = _occupied(out)
    if refusal and not force:
        print_error(f"{refusal}; give --force to write the world's files there anyway", console)
        raise typer.Exit(2)
    if federation:
        _federation(out, federation, seed, scale, fmt.lower(), console)
        return
    with _lazy_progress(console) as advance:
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


def _federation(out: Path, institutions: int, seed: int, scale: float, fmt: str,
                console: Console) -> None:
    from dentrace.synth.federation import generate_federation

    try:
        summary = generate_federation(out, institutions, seed=seed, scale=scale, fmt=fmt)
    except DentraceError as error:
        print_error(error, console)
        raise typer.Exit(2) from error
    typer.echo(f"{summary.out}: {summary}")
    for inst in summary.institutions:
        typer.echo(f"{inst['name']} ({inst['kind']}, names {inst['name_style']}): "
                   f"{inst['customers']:,} customers, {inst['parties']:,} parties, "
                   f"{inst['known']} known, {inst['positives']} positives in truth")


def _occupied(out: Path) -> str | None:
    """Why ``out`` should not receive a world: a workspace, or a folder with files in it."""
    from dentrace.store.workspace import Workspace

    if Workspace(out).has_warehouse:
        return f"{out} is a dentrace workspace (it holds {Workspace(out).warehouse.name})"
    if out.is_dir() and any(out.iterdir()):
        shown = sorted(p.name for p in out.iterdir())
        return (f"{out} is not empty ({len(shown)} entries: {', '.join(shown[:3])}"
                f"{', …' if len(shown) > 3 else ''})")
    return None


@contextmanager
def _lazy_progress(console: Console) -> Iterator[Callable[[int, int, int], None]]:
    """A progress callback whose bar is drawn at the first step, not before: an argument the
    generator refuses then leaves only the error on screen, no empty bar above it."""
    columns = (TextColumn("[bold]generating"), BarColumn(), MofNCompleteColumn(),
               TextColumn("customers · {task.fields[payments]:,} payments"), TimeElapsedColumn())
    bar: Progress | None = None
    task = None

    def advance(done: int, total: int, payments: int) -> None:
        nonlocal bar, task
        if bar is None:
            bar = Progress(*columns, console=console, transient=False)
            bar.start()
            task = bar.add_task("world", total=None, payments=0)
        assert task is not None
        bar.update(task, completed=done, total=total, payments=payments)

    try:
        yield advance
    finally:
        if bar is not None:
            bar.stop()

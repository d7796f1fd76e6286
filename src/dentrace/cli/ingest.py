"""``dentrace ingest``: load transaction, customer and known-outcome files into a workspace.

Thin: parses options, calls ``dentrace.ingest.ingest`` and prints the four counts.
"""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from dentrace.cli.console import file_progress, literal, print_error, say
from dentrace.cli.quarantine import print_top_reasons
from dentrace.errors import DentraceError
from dentrace.ingest import COUNT_KEYS, IngestReport
from dentrace.ingest import ingest as run_ingest
from dentrace.store.workspace import Workspace


def ingest(
    workspace: Path = typer.Option(..., "--workspace", help="Workspace folder (created if new)."),
    transactions: Path | None = typer.Option(None, "--transactions",
                                             help="Transactions file or folder."),
    customers: Path | None = typer.Option(None, "--customers", help="Customers file or folder."),
    known: Path | None = typer.Option(None, "--known", help="Known outcomes file or folder."),
    mapping: Path | None = typer.Option(None, "--mapping", help="Mapping file (TOML or YAML)."),
    rates: Path | None = typer.Option(None, "--rates",
                                      help="Rates CSV: currency,rate_to_usd[,as_of]."),
    reporting_currency: str | None = typer.Option(
        None, "--reporting-currency", help="Currency of amount_ref (default USD)."),
    default_tz: str | None = typer.Option(
        None, "--default-tz", help="IANA time zone for timestamps without a UTC offset."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
) -> None:
    """Validate and load input files into WORKSPACE/warehouse.duckdb; bad rows are quarantined."""
    console = Console()
    try:
        with file_progress() if not quiet else nullcontext() as progress:
            report = run_ingest(workspace, transactions=transactions, customers=customers,
                                known=known, mapping=mapping, rates=rates,
                                reporting_currency=reporting_currency, default_tz=default_tz,
                                quiet=quiet, progress=progress)
    except DentraceError as exc:
        print_error(exc)
        raise typer.Exit(code=2) from exc
    console.print(_counts_table(report))
    say(console, f"Amounts converted to {report.reporting_currency} with rates as of "
                 f"{report.rates_as_of} ({report.rates_source}).")
    say(console, f"Counts written to {Workspace(workspace).summary}.")
    if report.rows_quarantined:
        print_top_reasons(console, workspace)


def _counts_table(report: IngestReport) -> Table:
    table = Table(title="Ingest")
    table.add_column("file", overflow="fold")
    for key in COUNT_KEYS:
        table.add_column(key, justify="right", no_wrap=True)
    for f in report.files:
        note = " (already ingested)" if f.already_ingested else ""
        table.add_row(literal(f"{f.table}: {Path(f.file).name}{note}"),
                      *(f"{getattr(f, k):,}" for k in COUNT_KEYS))
    table.add_row("[bold]total[/bold]", *(f"[bold]{report.total(k):,}[/bold]" for k in COUNT_KEYS))
    return table

"""``dentrace export ftm``: a case's or the scan's alerts' parties, accounts and payments as
FollowTheMoney entities (JSON lines) for Aleph. Thin; every export is audited."""

from __future__ import annotations

from pathlib import Path

import typer

from dentrace import audit
from dentrace.errors import DentraceError
from dentrace.report.errors import ReportError

app = typer.Typer(help="Export findings for other tools (FollowTheMoney / Aleph).",
                  no_args_is_help=True)


@app.command("ftm")
def ftm(
    workspace: Path = typer.Option(..., "--workspace", help="The workspace."),
    out: Path = typer.Option(..., "--out", help="The JSON-lines file to write."),
    case: int | None = typer.Option(None, "--case", help="A case's id (any status)."),
    alerts: bool = typer.Option(False, "--alerts", help="Every alert of the latest scan."),
    bank: str | None = typer.Option(None, "--bank",
                                    help="Our institution's name, on our clients' accounts."),
    database_url: str | None = typer.Option(None, "--database-url",
                                            envvar="DENTRACE_DATABASE_URL",
                                            help="SQLAlchemy URL of a team cases database."),
) -> None:
    """Write Person/Company/LegalEntity, BankAccount, Ownership and Payment entities."""
    from dentrace.report.base import generate
    from dentrace.report.ftm import FtmExporter
    from dentrace.report.material import alerts_material, case_material
    from dentrace.store.sql import open_store

    if (case is None) == (not alerts):
        typer.echo("error: give exactly one of --case ID or --alerts", err=True)
        raise typer.Exit(code=2)
    try:
        exporter = FtmExporter(bank)
        with open_store(workspace, database_url) as store:
            material = (case_material(store, workspace, case, require_approved=False)
                        if case is not None else alerts_material(workspace))
            done = generate(exporter, material, out, store=store,
                            actor=audit.local_operator(), origin="cli")
    except DentraceError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1 if isinstance(exc, ReportError) else 2) from exc
    lines = sum(1 for _ in out.open(encoding="utf-8"))
    typer.echo(f"FollowTheMoney entities written: {out} ({lines} entities, "
               f"{len(material.transactions)} payments); audit entry {done.audit_seq}")

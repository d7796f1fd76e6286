"""``dentrace report goaml|pack``: a goAML STR or an evidence pack for a case or a party.

Thin: reads the material, runs the exporter, which validates and writes; every generation is
audited. Errors exit 1 (report refused or invalid) or 2 (bad workspace or configuration).
"""

from __future__ import annotations

from pathlib import Path

import typer

from dentrace import audit
from dentrace.errors import DentraceError
from dentrace.report.errors import ReportError, SchemaInvalid

app = typer.Typer(help="Write reports: goAML STR, evidence pack.", no_args_is_help=True)

WORKSPACE = typer.Option(..., "--workspace", help="The workspace (warehouse and scan results).")
DATABASE_URL = typer.Option(None, "--database-url", envvar="DENTRACE_DATABASE_URL",
                            help="SQLAlchemy URL of a team cases database (PostgreSQL).")


def _fail(exc: DentraceError) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    if isinstance(exc, SchemaInvalid):
        for problem in exc.problems[:20]:
            typer.echo(f"  {problem}", err=True)
    return typer.Exit(code=1 if isinstance(exc, ReportError) else 2)


@app.command("goaml")
def goaml(
    workspace: Path = WORKSPACE,
    out: Path = typer.Option(..., "--out", help="The STR file to write (FILE.xml)."),
    case: int | None = typer.Option(None, "--case", help="An approved case's id."),
    party: str | None = typer.Option(None, "--party",
                                     help="An alerted party (FIU analyst's ad-hoc export)."),
    config: str | None = typer.Option(None, "--config",
                                      help="goAML settings (TOML) or a shipped profile name."),
    schema: Path | None = typer.Option(None, "--schema", help="The FIU's goAML XSD."),
    database_url: str | None = DATABASE_URL,
) -> None:
    """Write a goAML suspicious transaction report, valid against the FIU's schema."""
    from dentrace.report.base import generate
    from dentrace.report.goaml import GoamlExporter, load_config, shipped_examples
    from dentrace.report.material import case_material, party_material
    from dentrace.store.sql import open_store

    if (case is None) == (party is None):
        typer.echo("error: give exactly one of --case ID or --party ID", err=True)
        raise typer.Exit(code=2)
    try:
        exporter = GoamlExporter(load_config(config, schema))
        with open_store(workspace, database_url) as store:
            material = (case_material(store, workspace, case) if case is not None
                        else party_material(workspace, str(party)))
            done = generate(exporter, material, out, store=store,
                            actor=audit.local_operator(), origin="cli")
    except DentraceError as exc:
        raise _fail(exc) from exc
    result = exporter.last
    typer.echo(f"goAML report written: {out} ({done.sha256[out.name][:16]}…), "
               f"{len(material.transactions)} transactions, indicators "
               f"{', '.join(result.indicators) if result else ''}; valid against "
               f"{exporter.schema.path.name}; audit entry {done.audit_seq}")
    if result and result.filled:
        typer.echo(f"fields the FIU requires that dentrace does not hold (filled as configured "
                   f"in [not_held]): {', '.join(p.split('/')[-1] for p in result.filled)}")
    if result and result.replaced:
        typer.echo("characters XML cannot hold were replaced by U+FFFD in: "
                   f"{', '.join(sorted({p.split('/')[-1] for p in result.replaced}))}")
    if result and result.transliterated:
        names = dict((written, original) for _, original, written in result.transliterated)
        typer.echo("written in Latin letters as the schema requires (originals in the "
                   "narrative): " + ", ".join(f"{o} -> {w}" for w, o in names.items()))
    examples = shipped_examples(exporter.config)
    if examples:
        typer.echo("warning: the reporting entity's details are still the shipped examples "
                   f"({', '.join(examples)}): give your own with --config FILE "
                   "(docs/reports.md)", err=True)


@app.command("pack")
def pack(
    workspace: Path = WORKSPACE,
    case: int = typer.Option(..., "--case", help="The case's id."),
    out: Path = typer.Option(..., "--out", help="The folder to write the pack into."),
    database_url: str | None = DATABASE_URL,
) -> None:
    """Write an evidence pack: HTML and PDF report, charts, SHA-256 manifest."""
    from dentrace.report.base import generate
    from dentrace.report.material import case_material
    from dentrace.report.pack import PackExporter
    from dentrace.store.sql import open_store

    try:
        with open_store(workspace, database_url) as store:
            material = case_material(store, workspace, case, require_approved=False)
            done = generate(PackExporter(workspace), material, out, store=store,
                            actor=audit.local_operator(), origin="cli")
    except DentraceError as exc:
        raise _fail(exc) from exc
    typer.echo(f"evidence pack written to {out}: {len(done.files)} files, manifest "
               f"{out / 'manifest.json'}; audit entry {done.audit_seq}")

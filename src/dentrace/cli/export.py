"""``dentrace export NAME`` (ftm) and the commands of every registered exporter: each command is
made from its ``report.registry.ExporterEntry`` (options, help, what it reports on), so a new
format needs no hand-written command. Thin; every generation is audited. Errors exit 1 (report
refused or invalid) or 2 (bad workspace, options or configuration).
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer

from dentrace import audit
from dentrace.errors import DentraceError
from dentrace.report.errors import ReportError, SchemaInvalid

if TYPE_CHECKING:
    from dentrace.report.registry import ExporterEntry, Subject

WORKSPACE_HELP = "The workspace (warehouse and scan results)."
DATABASE_HELP = "SQLAlchemy URL of a team cases database (PostgreSQL)."
SUBJECT_FLAGS = {"case": "--case ID", "party": "--party ID", "alerts": "--alerts"}


def commands(group: str, help_text: str) -> typer.Typer:
    """A Typer group with one command per exporter registered in ``group``, as registered
    now (report or export)."""
    from dentrace.report.registry import EXPORTERS

    app = typer.Typer(help=help_text, no_args_is_help=True)
    for entry in EXPORTERS.values():
        if entry.group == group:
            app.command(entry.name)(exporter_command(entry))
    return app


def _option(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default,
                             annotation=annotation)


def _subject_option(entry: ExporterEntry, subject: Subject) -> inspect.Parameter:
    alone = len(entry.subjects) == 1
    if subject == "alerts":
        return _option("alerts", bool, typer.Option(False, "--alerts",
                                                    help="Every alert of the latest scan."))
    if subject == "party":
        return _option("party", str if alone else Optional[str],  # noqa: UP045 (typer reads it)
                       typer.Option(... if alone else None, "--party",
                                    help="An alerted party (FIU analyst's ad-hoc export)."))
    what = "An approved case's id." if entry.require_approved else "A case's id (any status)."
    return _option("case", int if alone else Optional[int],  # noqa: UP045
                   typer.Option(... if alone else None, "--case", help=what))


def exporter_command(entry: ExporterEntry) -> Any:
    """The Typer command of ``entry``: --workspace, --out, one option per subject, the
    exporter's own options, --database-url."""
    parameters = [
        _option("workspace", Path, typer.Option(..., "--workspace", help=WORKSPACE_HELP)),
        _option("out", Path, typer.Option(..., "--out", help=entry.out_help)),
        *(_subject_option(entry, s) for s in entry.subjects),
        *(_option(o.name, Optional[o.kind], typer.Option(None, o.flag, help=o.help))  # noqa: UP045
          for o in entry.options),
        _option("database_url", Optional[str], typer.Option(  # noqa: UP045
            None, "--database-url", envvar="DENTRACE_DATABASE_URL", help=DATABASE_HELP)),
    ]

    def command(**values: Any) -> None:
        run_export(entry, values)

    command.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    command.__doc__ = entry.description
    command.__name__ = entry.name
    return command


def _subject(entry: ExporterEntry, values: dict[str, Any]) -> tuple[Subject, Any]:
    given = [s for s in entry.subjects if values.get(s) not in (None, False)]
    if len(given) != 1:
        flags = " or ".join(SUBJECT_FLAGS[s] for s in entry.subjects)
        typer.echo(f"error: give exactly one of {flags}", err=True)
        raise typer.Exit(code=2)
    return given[0], values[given[0]]


def _fail(exc: DentraceError) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    if isinstance(exc, SchemaInvalid):
        for problem in exc.problems[:20]:
            typer.echo(f"  {problem}", err=True)
    return typer.Exit(code=1 if isinstance(exc, ReportError) else 2)


def run_export(entry: ExporterEntry, values: dict[str, Any]) -> None:
    """Build the exporter, read the material, generate (audited) and say what was written."""
    from dentrace.report.base import generate
    from dentrace.store.sql import open_store

    subject, ident = _subject(entry, values)
    workspace, out = Path(values["workspace"]), Path(values["out"])
    try:
        exporter = entry.build(workspace, {o.name: values.get(o.name) for o in entry.options})
        with open_store(workspace, values.get("database_url")) as store:
            material = entry.material(store, workspace, subject, ident)
            done = generate(exporter, material, out, store=store,
                            actor=audit.local_operator(), origin="cli")
    except DentraceError as exc:
        raise _fail(exc) from exc
    for text, warning in entry.notes(exporter, material, done, out):
        typer.echo(text, err=warning)


def group() -> typer.Typer:
    """The ``export`` commands, one per exporter registered in the export group now."""
    return commands("export", "Export findings for other tools (FollowTheMoney / Aleph).")

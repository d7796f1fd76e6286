"""``dentrace audit verify|show``: check the audit log's hash chain and read its entries.

Thin: ``verify`` exits 1 and names the first bad entry when the chain is broken.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from dentrace import audit
from dentrace.cli.console import literal
from dentrace.errors import DentraceError
from dentrace.store.sql import Store, open_store
from dentrace.store.workspace import CASES_FILE

app = typer.Typer(help="Verify and read the append-only audit log.", no_args_is_help=True)

WORKSPACE = typer.Option(None, "--workspace", help=f"Workspace folder (SQLite: {CASES_FILE}).")
DATABASE_URL = typer.Option(None, "--database-url", envvar="DENTRACE_DATABASE_URL",
                            help="SQLAlchemy URL of a team database (PostgreSQL).")


def _store(workspace: Path | None, database_url: str | None) -> Store:
    try:
        return open_store(workspace, database_url, must_exist=True)
    except DentraceError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from exc


@app.command("verify")
def verify(workspace: Path | None = WORKSPACE, database_url: str | None = DATABASE_URL) -> None:
    """Check every entry's hash and link; exit 1 naming the first altered, inserted or deleted."""
    with _store(workspace, database_url) as store:
        result = audit.verify(store)
    if result.ok:
        typer.echo(f"audit log intact: {result.checked} entries verified")
        return
    where = f"entry {result.first_bad_seq}" if result.first_bad_seq else "the log"
    typer.echo(f"audit log BROKEN at {where}: {result.problem} "
               f"({result.checked} entries before it verified)", err=True)
    raise typer.Exit(code=1)


@app.command("show")
def show(
    workspace: Path | None = WORKSPACE,
    database_url: str | None = DATABASE_URL,
    limit: int = typer.Option(50, "--limit", help="How many entries, newest first."),
    actor: str | None = typer.Option(None, "--actor", help="Only this user's actions."),
    party: str | None = typer.Option(None, "--party", help="Only entries about this party."),
    action: str | None = typer.Option(None, "--action", help="Only this action."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line."),
) -> None:
    """Print audit entries: when, who, from where, what, on which target."""
    with _store(workspace, database_url) as store:
        found = audit.entries(store, actor=actor, action=action, limit=limit,
                              target_type="party" if party else None, target_id=party)
    if as_json:
        for entry in found:
            typer.echo(json.dumps(entry.__dict__, ensure_ascii=False))
        return
    table = Table(title="Audit log")
    for column in ("seq", "when (UTC)", "who", "from", "action", "target"):
        table.add_column(column, no_wrap=True)
    table.add_column("detail")
    for e in found:
        detail = json.dumps(e.detail, ensure_ascii=False) if e.detail else ""
        table.add_row(*(literal(cell) for cell in (e.seq, e.ts, e.actor, e.origin, e.action,
                                                   f"{e.target_type} {e.target_id}", detail)))
    Console().print(table)

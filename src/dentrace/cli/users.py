"""``dentrace users add|list|disable|enable``: manage the accounts of the investigator app.

Thin: reads options (the password from stdin when it is not a terminal), calls ``dentrace.auth``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from dentrace import auth
from dentrace.errors import DentraceError
from dentrace.store.sql import Store, open_store
from dentrace.store.workspace import CASES_FILE

app = typer.Typer(help="Manage user accounts (analyst, supervisor, admin, screener).",
                  no_args_is_help=True)

WORKSPACE = typer.Option(None, "--workspace", help=f"Workspace folder (SQLite: {CASES_FILE}).")
DATABASE_URL = typer.Option(None, "--database-url", envvar="DENTRACE_DATABASE_URL",
                            help="SQLAlchemy URL of a team database (PostgreSQL).")


def _fail(exc: Exception) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(code=2)


def _store(workspace: Path | None, database_url: str | None) -> Store:
    try:
        return open_store(workspace, database_url)
    except DentraceError as exc:
        raise _fail(exc) from exc


def _read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@app.command("add")
def add(
    username: str = typer.Argument(..., help="Login name."),
    role: str = typer.Option(
        ..., "--role",
        help="analyst, supervisor, admin or screener (a payment system's service account)."),
    random_password: bool = typer.Option(False, "--random-password",
                                         help="Generate a password and print it once."),
    workspace: Path | None = WORKSPACE,
    database_url: str | None = DATABASE_URL,
) -> None:
    """Add a user; the password comes from stdin (piped) or a prompt typed twice."""
    with _store(workspace, database_url) as store:
        try:
            if random_password:
                account, password = auth.add_user_with_random_password(store, username, role)
                typer.echo(f"added {account.username} ({account.role}); password: {password}")
                return
            account = auth.add_user(store, username, role, _read_password())
        except DentraceError as exc:
            raise _fail(exc) from exc
    typer.echo(f"added {account.username} ({account.role})")


@app.command("list")
def list_(workspace: Path | None = WORKSPACE, database_url: str | None = DATABASE_URL) -> None:
    """List every account with its role and whether it is active."""
    with _store(workspace, database_url) as store:
        accounts = auth.list_users(store)
    table = Table(title="Users")
    for column in ("username", "role", "active"):
        table.add_column(column)
    for account in accounts:
        table.add_row(account.username, account.role, "yes" if account.active else "no")
    Console().print(table)


@app.command("disable")
def disable(
    username: str = typer.Argument(..., help="Login name."),
    workspace: Path | None = WORKSPACE,
    database_url: str | None = DATABASE_URL,
) -> None:
    """Disable a user: no more logins, actions or API tokens."""
    _switch(auth.disable_user, username, workspace, database_url)
    typer.echo(f"disabled {username}")


@app.command("enable")
def enable(
    username: str = typer.Argument(..., help="Login name."),
    workspace: Path | None = WORKSPACE,
    database_url: str | None = DATABASE_URL,
) -> None:
    """Enable a disabled user: they can log in again (old API tokens stay revoked)."""
    _switch(auth.enable_user, username, workspace, database_url)
    typer.echo(f"enabled {username}")


def _switch(change: Callable[[Store, str], object], username: str, workspace: Path | None,
            database_url: str | None) -> None:
    """Disable or enable ``username`` in the store, a refusal printed as the CLI's error."""
    with _store(workspace, database_url) as store:
        try:
            change(store, username)
        except DentraceError as exc:
            raise _fail(exc) from exc

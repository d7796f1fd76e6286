"""The ``dentrace`` command: one Typer app, one module per command.

Each command module holds a thin function that parses options, calls the engine and
prints the result; no detection or storage logic lives here.
"""

from __future__ import annotations

import typer

from dentrace import __version__

app = typer.Typer(
    name="dentrace",
    help="Find payments for live-streamed child sexual abuse in transaction data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def main() -> None:
    """dentrace: ingest payments, scan them for signs of paying for live-streamed abuse,
    and turn alerts into cases and reports."""


@app.command()
def version() -> None:
    """Print dentrace's version."""
    typer.echo(__version__)


def _register() -> None:
    """Attach every command module's commands to the app."""
    from dentrace.cli import commands

    commands.register(app)


_register()

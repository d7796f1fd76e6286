"""The ``dentrace`` command: one Typer app, one module per command.

Each command module holds a thin function that parses options, calls the engine and
prints the result; no detection or storage logic lives here.
"""

from __future__ import annotations

from typing import Any

import typer
import typer.core

from dentrace import __version__


def _flags_take_no_value() -> None:
    """Typer 0.29's help labels every flag ``<bool>`` (``--quiet <bool>``, ``--help <bool>``),
    which reads as if the flag wanted a value; a flag shows no type, as in click's own help."""
    shown = typer.core.TyperOption.display_type_rich

    def display_type_rich(self: typer.core.TyperOption, ctx: Any) -> str | None:
        return None if self.is_flag else shown(self, ctx)

    typer.core.TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


_flags_take_no_value()

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

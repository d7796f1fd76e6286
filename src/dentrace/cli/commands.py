"""The list of command modules the CLI exposes; adding a command is adding one line here."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Register each command module's commands on ``app``."""
    from dentrace.cli import ingest as ingest_cmd

    app.command("ingest")(ingest_cmd.ingest)

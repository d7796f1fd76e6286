"""The list of command modules the CLI exposes; adding a command is adding one line here."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Register each command module's commands on ``app``."""
    from dentrace.cli import ingest as ingest_cmd

    app.command("ingest")(ingest_cmd.ingest)
    from dentrace.cli import users as users_cmd; app.add_typer(users_cmd.app, name="users")  # noqa: E702, I001
    from dentrace.cli import audit as audit_cmd; app.add_typer(audit_cmd.app, name="audit")  # noqa: E702, I001
    from dentrace.cli import serve as serve_cmd; app.command("serve")(serve_cmd.serve)  # noqa: E702, I001
    from dentrace.cli import scan as scan_cmd; app.command("scan")(scan_cmd.scan)  # noqa: E702, I001
    from dentrace.cli import graph as graph_cmd; app.command("graph")(graph_cmd.graph)  # noqa: E702, I001
    from dentrace.cli import generate as generate_cmd; app.command("generate")(generate_cmd.generate)  # noqa: E501, E702, I001
    from dentrace.cli import evaluate as evaluate_cmd; app.command("evaluate")(evaluate_cmd.evaluate)  # noqa: E501, E702, I001
    from dentrace.cli import train as train_cmd; app.command("train")(train_cmd.train)  # noqa: E702, I001

"""The list of command modules the CLI exposes; adding a command is adding one line here.

Commands are imported here, not at the top of ``main``, so ``dentrace --help`` stays the
only place that needs them all.
"""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Register each command module's commands on ``app``, in the order of the data's journey."""
    from dentrace.cli import (
        audit,
        demo,
        evaluate,
        exercise,
        export,
        generate,
        graph,
        ingest,
        quarantine,
        report,
        scan,
        serve,
        share,
        train,
        users,
    )

    app.command("demo")(demo.demo)
    app.command("generate")(generate.generate)
    app.command("ingest")(ingest.ingest)
    app.command("quarantine")(quarantine.quarantine)
    app.command("scan")(scan.scan)
    app.command("graph")(graph.graph)
    app.command("train")(train.train)
    app.command("evaluate")(evaluate.evaluate)
    app.command("serve")(serve.serve)
    app.add_typer(users.app, name="users")
    app.add_typer(audit.app, name="audit")
    # made from the exporter registry (report.registry), one command per registered format
    app.add_typer(report.group(), name="report")
    app.add_typer(export.group(), name="export")
    app.add_typer(share.app, name="share")
    app.add_typer(exercise.app, name="exercise")

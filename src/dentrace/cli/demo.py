"""``dentrace demo``: generate a synthetic world, ingest it, scan it and serve the app.

The whole main job on embedded defaults, for a newcomer: nothing to install or configure.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from dentrace.cli.console import file_progress, literal, say
from dentrace.store.workspace import Workspace

console = Console(stderr=True)


def _fresh_workspace(workspace: Path) -> None:
    """Empty a workspace the demo made before; refuse to touch any other non-empty folder."""
    if workspace.exists() and any(workspace.iterdir()):
        if not Workspace(workspace).demo_marker.exists():
            raise typer.BadParameter(
                f"{workspace} is not empty and was not made by the demo; choose another folder",
                param_hint="--workspace")
        shutil.rmtree(workspace)
    workspace.mkdir(parents=True, exist_ok=True)
    Workspace(workspace).demo_marker.write_text(
        "made by dentrace demo; removed and rebuilt on each run\n")


def _world_files(world: Path) -> tuple[Path, Path | None, Path | None]:
    def one(stem: str) -> Path | None:
        found = sorted(world.glob(f"{stem}.*"))
        return found[0] if found else None

    return world / "transactions", one("customers"), one("known")


def _logins(workspace: Path) -> list[tuple[str, str, str]]:
    """Create one analyst and one supervisor with random passwords, and load the alerts."""
    from dentrace.auth.accounts import add_user_with_random_password
    from dentrace.cases.alerts import import_alerts
    from dentrace.store.sql.engine import open_store

    store = open_store(workspace)
    import_alerts(store, Workspace(workspace).alerts)
    logins = []
    for username, role in (("analyst", "analyst"), ("supervisor", "supervisor")):
        _, password = add_user_with_random_password(store, username, role)
        logins.append((username, role, password))
    return logins


def goaml_status(schema: Path | None) -> str:
    """What the case page's goAML button will do in this demo, in one line.

    No goAML XSD ships with dentrace: each FIU issues its own to its reporting entities and
    none we found is published under terms that allow redistribution (docs/reports.md). With
    ``--goaml-schema`` the served app validates against that file; without, the button is
    disabled and says why, rather than failing with a bare 409.
    """
    import os

    from dentrace.report.goaml import GoamlExporter, load_config
    from dentrace.web.settings import GOAML_SCHEMA_ENV as SCHEMA_ENV

    if schema is None:
        schema = Path(os.environ[SCHEMA_ENV]) if os.environ.get(SCHEMA_ENV) else None
    if schema is None:
        return ("goAML STR button: disabled, no FIU schema here (dentrace ships none: your FIU "
                "gives its goAML XSD to reporting entities); rerun with --goaml-schema FILE.xsd "
                "or set DENTRACE_GOAML_SCHEMA (docs/reports.md)")
    GoamlExporter(load_config(None, schema))  # ConfigError now, not at the first click
    os.environ[SCHEMA_ENV] = str(schema.resolve())
    return (f"goAML STR button: reports validated against {schema.name}; the reporting entity "
            "is the shipped example until you give DENTRACE_GOAML_CONFIG (docs/reports.md)")


def demo(
    workspace: Path = typer.Option(Path("demo-workspace"), "--workspace", "-w",
                                   help="folder for the demo's world and workspace (rebuilt)"),
    seed: int = typer.Option(7, help="seed of the synthetic world"),
    scale: float = typer.Option(0.2, help="size of the world (1 ≈ 25k customers, 1.5M payments)"),
    host: str = typer.Option("127.0.0.1", help="address the app listens on"),
    port: int = typer.Option(8000, help="port the app listens on"),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="serve the app at the end"),
    goaml_schema: Path | None = typer.Option(
        None, "--goaml-schema", help="your FIU's goAML XSD, for the case page's goAML button"),
) -> None:
    """Generate a synthetic world, ingest it, scan it and serve the investigator app."""
    from dentrace.cli.console import print_error
    from dentrace.detect import scan
    from dentrace.errors import DentraceError
    from dentrace.ingest import ingest
    from dentrace.synth import generate_world

    workspace = workspace.resolve()
    try:
        goaml = goaml_status(goaml_schema)  # a wrong file fails here, before minutes of work
    except DentraceError as exc:
        print_error(exc)
        raise typer.Exit(2) from exc
    _fresh_workspace(workspace)
    world = Workspace(workspace).demo_world
    console.rule(literal(f"1/4 generating a synthetic world (seed {seed}, scale {scale})"))
    summary = generate_world(world, seed=seed, scale=scale, fmt="parquet")
    say(console, f"world written to {world}: {summary}")
    console.rule("2/4 ingesting it into the workspace")
    transactions, customers, known = _world_files(world)
    with file_progress() as progress:
        report = ingest(workspace, transactions=transactions, customers=customers,
                        known=known, progress=progress)
    say(console, f"rows_read={report.rows_read} rows_accepted={report.rows_accepted} "
                 f"rows_quarantined={report.rows_quarantined} "
                 f"rows_duplicate={report.rows_duplicate}")
    console.rule("3/4 scanning for payers and facilitators")
    result = scan(workspace)
    found = result.summary()
    say(console, f"parties scored: {found['parties']}; alerts: {found['alerts']} "
                 f"({found['alerts_per_10k_customers']} per 10k customers, "
                 f"{found['alerts_known']} already known); scorers: {found['scorers']}")
    say(console, f"results in {Workspace(workspace).parties} and {Workspace(workspace).alerts}")
    console.rule("4/4 the investigator app")
    logins = _logins(workspace)
    table = Table(title="Demo logins (random passwords, shown once)")
    for column in ("username", "role", "password"):
        table.add_column(column)
    for row in logins:
        table.add_row(*(literal(cell) for cell in row))
    Console().print(table)
    say(console, goaml)
    if serve:
        from dentrace.cli.serve import serve as serve_app

        # every option given: called as a function, serve would get typer's option objects
        serve_app(workspace=workspace, host=host, port=port, database_url=None,
                  insecure_cookies=False, warm_screening=False, screening_process=True,
                  access_log=True, casework=None)

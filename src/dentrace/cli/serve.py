"""``dentrace serve``: run the investigator web app and JSON API on a local port.

Thin: builds the app with ``dentrace.web.create_app`` and hands it to uvicorn.
"""

from __future__ import annotations

import errno
import socket
from pathlib import Path

import typer

from dentrace.errors import DentraceError
from dentrace.store.workspace import CASES_FILE, SCREENING_LOG_FILE


def serve(
    workspace: Path = typer.Option(..., "--workspace", "-w", help="workspace directory"),
    host: str = typer.Option("127.0.0.1", help="address to listen on"),
    port: int = typer.Option(8000, help="port to listen on"),
    database_url: str | None = typer.Option(
        None, "--database-url", envvar="DENTRACE_DATABASE_URL",
        help=f"cases database (PostgreSQL for teams); default WORKSPACE/{CASES_FILE}"),
    insecure_cookies: bool = typer.Option(
        False, "--insecure-cookies",
        help="send session cookies over plain http (only for a browser on this machine)"),
    warm_screening: bool = typer.Option(
        False, "--warm-screening",
        help="build the real-time screening state from the last scan before serving "
             "(otherwise the first screened payment waits for it)"),
    screening_process: bool = typer.Option(
        True, "--screening-process/--screening-in-loop",
        help="screen payments in a child process holding the party state, so HTTP work and "
             "screening use two cores (default), or in the server's own event loop"),
    access_log: bool = typer.Option(
        True, "--access-log/--no-access-log",
        help="log every HTTP request; at 1,000 screened payments/s the log costs CPU, and "
             f"screening decisions are in WORKSPACE/{SCREENING_LOG_FILE} either way"),
    casework: Path | None = typer.Option(
        None, "--casework",
        help="TOML file of casework settings: SLA days per priority, the score from which a "
             "dismissal needs a second review, attachment size (docs/cases.md)"),
) -> None:
    """Serve the investigator app: alert queue, parties, networks, cases and the API."""
    import uvicorn

    from dentrace.cases.settings import CaseSettings
    from dentrace.cases.settings import from_toml as casework_settings
    from dentrace.screen.settings import ScreeningSettings
    from dentrace.web import WebSettings, create_app, missing_vendor_files

    local = host in ("127.0.0.1", "localhost", "::1")
    # Browsers drop Secure cookies on http://; on loopback only, plain http must still work.
    secure = not (insecure_cookies or local)
    listening = _bind(host, port)
    try:
        screening = ScreeningSettings.from_environment(process=screening_process)
        cases = casework_settings(casework) if casework else CaseSettings()
        app = create_app(workspace, database_url,
                         WebSettings(secure_cookies=secure, screening=screening,
                                     warm_read_cache=True, cases=cases))
    except DentraceError as exc:
        listening.close()
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    missing = missing_vendor_files()
    if missing:
        typer.echo(f"warning: charts, network view and API docs need {', '.join(missing)}: "
                   "run `npm ci` in the dentrace source folder, then reinstall", err=True)
    if warm_screening:
        try:
            size = app.state.screening.warm()
        except DentraceError as exc:
            listening.close()
            typer.echo(f"error: screening: {exc}", err=True)
            raise typer.Exit(2) from exc
        where = "in its screening process" if screening_process else "in the server"
        typer.echo(f"dentrace: screening state built from the last scan {where}: "
                   f"{size['payers']:,} payers, {size['beneficiaries']:,} beneficiaries")
    typer.echo(f"dentrace: serving {workspace} at http://{host}:{port}/ (API docs at /docs)")
    # held until here so the app is built on a port known to be ours; uvicorn binds it again
    # at once (uvicorn.run takes no socket, and the demo and its test call uvicorn.run)
    listening.close()
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False,
                access_log=access_log)


def _bind(host: str, port: int) -> socket.socket:
    """The port, bound before anything is printed: uvicorn binds only once it runs, so "serving
    at" came first and a busy port then ended the server with a bare traceback."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
    try:
        listening.bind((host, port))
        listening.listen(2048)
    except OSError as exc:
        listening.close()
        why = ("in use by another program (another dentrace serve?): stop it or give --port N"
               if exc.errno == errno.EADDRINUSE else exc.strerror or str(exc))
        typer.echo(f"error: cannot listen on {host} port {port}: {why}", err=True)
        raise typer.Exit(2) from exc
    return listening

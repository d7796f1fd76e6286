"""``dentrace quarantine``: list the rows ingest set aside (file, line, field, reason), and the
reasons most rows share, which ``dentrace ingest`` prints after its counts."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from dentrace.cli.console import literal, print_error, say
from dentrace.errors import DentraceError

TOP_REASONS = 5


def top_reasons(workspace: Path, limit: int = TOP_REASONS) -> list[tuple[str, str, int, str]]:
    """The most frequent (field, reason, rows, example) of the latest ingest run's quarantine.

    A reason quotes the value (``non-numeric amount: lots``); rows are grouped on the text before
    the value so a thousand bad amounts make one line, with the first as the example.
    """
    from dentrace.store.workspace import Workspace

    con = Workspace(workspace).open_warehouse(read_only=True)
    try:
        rows = con.execute(
            "SELECT coalesce(field, ''), split_part(reason, ': ', 1) AS kind, count(*) AS n, "
            "arg_min(file || ' line ' || coalesce(CAST(line AS VARCHAR), '?'), line) "
            "FROM quarantine WHERE ingest_id = (SELECT max(ingest_id) FROM quarantine) "
            "GROUP BY ALL ORDER BY n DESC, 1, 2 LIMIT ?", [limit]).fetchall()
    finally:
        con.close()
    return [(str(f), str(r), int(n), str(e)) for f, r, n, e in rows]


def print_top_reasons(console: Console, workspace: Path) -> None:
    """After an ingest that quarantined rows: its top reasons and how to see every row."""
    reasons = top_reasons(workspace)
    if not reasons:
        return
    say(console, ("Top quarantine reasons:", "bold"))
    for field, reason, rows, example in reasons:
        where = Path(example.rsplit(" line ", 1)[0]).name + " line " + example.rsplit(" ", 1)[1]
        say(console, f"  {rows:,} {'row' if rows == 1 else 'rows'}  ", (field or "(row)", "cyan"),
            f": {reason} (first: {where})")
    say(console, f"List them: dentrace quarantine --workspace {workspace}")


def quarantine(
    workspace: Path = typer.Option(..., "--workspace", help="An ingested workspace."),
    limit: int = typer.Option(50, "--limit", min=1, help="Rows to list (latest first)."),
    table_name: str | None = typer.Option(None, "--table",
                                          help="Only transactions, customers or known."),
) -> None:
    """List quarantined rows: file, line, field and reason, most recent ingest first."""
    from dentrace.store.workspace import Workspace

    try:
        con = Workspace(workspace).open_warehouse(read_only=True)
    except DentraceError as exc:
        print_error(exc)
        raise typer.Exit(code=2) from exc
    try:
        where = "WHERE table_name = ?" if table_name else ""
        args: list[object] = [table_name] if table_name else []
        total = int(con.execute(f"SELECT count(*) FROM quarantine {where}", args).fetchall()[0][0])
        rows = con.execute(
            f"SELECT ingest_id, table_name, file, line, field, reason FROM quarantine {where} "
            "ORDER BY ingest_id DESC, file, line LIMIT ?", [*args, limit]).fetchall()
    finally:
        con.close()
    console = Console()
    if not total:
        say(console, f"No quarantined rows in {workspace}.")
        return
    say(console, f"Quarantine of {workspace}: {min(limit, total):,} of {total:,} rows")
    table = Table()
    for name in ("ingest", "table", "file", "line", "field", "reason"):
        table.add_column(name, overflow="fold")
    for ingest_id, table_of, file, line_no, field, reason in rows:
        table.add_row(str(ingest_id), literal(table_of), literal(Path(str(file)).name),
                      "" if line_no is None else str(line_no), literal(field or ""),
                      literal(reason))
    console.print(table)
    if total > limit:
        say(console, f"{total - limit:,} more: --limit {total}")

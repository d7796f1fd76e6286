"""``dentrace scan``: ingest files into a workspace (or take an ingested one) and scan it.

Thin: parses options, calls ``dentrace.ingest.ingest`` and ``dentrace.detect.scan``, prints counts;
``--engine spark`` runs the feature expressions on Spark (docs/spark.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from dentrace.cli.console import literal, print_error, say
from dentrace.errors import DentraceError
from dentrace.store.workspace import ALERTS_FILE, PARTIES_FILE, SUMMARY_FILE, Workspace


def scan(
    transactions: Path | None = typer.Option(None, "--transactions",
                                             help="Transactions file or folder to ingest."),
    customers: Path | None = typer.Option(None, "--customers", help="Customers file."),
    known: Path | None = typer.Option(None, "--known", help="Known outcomes file."),
    out: Path | None = typer.Option(None, "--out", help="Workspace to ingest into and scan."),
    workspace: Path | None = typer.Option(None, "--workspace",
                                          help="An ingested workspace to scan."),
    alert_budget: float | None = typer.Option(None, "--alert-budget",
                                              help="Alerts per 10k customers (per role)."),
    target_precision: float | None = typer.Option(None, "--target-precision",
                                                  help="Precision the threshold aims at."),
    config: Path | None = typer.Option(None, "--config", help="Detection config (TOML)."),
    incremental: bool = typer.Option(False, "--incremental",
                                     help="Rescore only parties touched since the last scan."),
    scorer: str = typer.Option("auto", "--scorer", help="auto | rules | model."),
    engine: str = typer.Option("duckdb", "--engine", help="duckdb | spark."),
    spark_master: str | None = typer.Option(None, "--spark-master",
                                            help="Spark master URL (default local[2])."),
    spark_remote: str | None = typer.Option(None, "--spark-remote",
                                            help="Spark Connect URL, sc://HOST:PORT."),
    spark_conf: list[str] | None = typer.Option(None, "--spark-conf",
                                                help="A Spark setting key=value (repeatable)."),
    lake: Path | None = typer.Option(None, "--lake", help="Parquet lake to read instead of "
                                     "exporting the workspace's (see docs/spark.md)."),
) -> None:
    """Score payers and facilitators; write parties.parquet, alerts.parquet, summary.json."""
    from dentrace.detect import scan as run_scan
    from dentrace.ingest import ingest

    console, errors = Console(), Console(stderr=True)
    if (workspace is None) == (out is None):
        errors.print("[red]error:[/red] give --workspace DIR, or --transactions FILE --out DIR")
        raise typer.Exit(code=2)
    target = workspace if workspace is not None else out
    if target is None:
        raise typer.Exit(code=2)
    try:
        _check_engine(engine, spark_master, spark_remote, spark_conf, lake)
        if out is not None:
            if transactions is None:
                errors.print("[red]error:[/red] --out needs --transactions")
                raise typer.Exit(code=2)
            ingest(out, transactions=transactions, customers=customers, known=known, quiet=True)
        empty = _no_transactions(target)
        if empty:
            print_error(empty, errors)
            raise typer.Exit(code=1)
        if incremental:
            _print_incremental(console, target, config, scorer)
            return
        runner = _engine(engine, target, spark_master, spark_remote, spark_conf, lake)
        result = run_scan(target, config=config, alert_budget=alert_budget,
                          target_precision=target_precision, scorer=scorer, engine=runner)
    except DentraceError as exc:
        print_error(exc, errors)
        raise typer.Exit(code=2) from exc
    table = Table(title=literal(f"Scan of {target}"))
    for name in ("role", "parties", "alerts", "threshold", "rule", "scorer"):
        table.add_column(name)
    summary = result.summary()
    for role, threshold in result.thresholds.items():
        table.add_row(role, f"{summary['parties'][role]:,}", f"{summary['alerts'][role]:,}",
                      f"{threshold.value:.4f}", literal(threshold.rule),
                      literal(result.scorers[role]))
    console.print(table)
    say(console, f"{summary['alerts_per_10k_customers']} alerts per 10k customers; "
                 f"scan took {result.timings['total']:.1f} s. Wrote {PARTIES_FILE}, "
                 f"{ALERTS_FILE} and {SUMMARY_FILE}.")


def _no_transactions(workspace: Path) -> str | None:
    """Why there is nothing to scan, when the warehouse holds no transaction: a scan of none
    used to succeed with a table of zeros, and the new user took it for a clean bill."""
    con = Workspace(workspace).open_warehouse(read_only=True)
    try:
        count, quarantined = con.execute(
            "SELECT (SELECT count(*) FROM transactions), (SELECT count(*) FROM quarantine "
            "WHERE table_name = 'transactions')").fetchall()[0]
    finally:
        con.close()
    if count:
        return None
    why = (f"; all {quarantined:,} rows read were quarantined: dentrace quarantine --workspace "
           f"{workspace}" if quarantined else "; ingest a transactions file first")
    return f"{workspace}: no transactions to scan{why}"


def _check_engine(kind: str, master: str | None, remote: str | None,
                  conf: list[str] | None, lake: Path | None) -> None:
    """Refuse engine options that cannot work before any file is read or written."""
    import importlib.util

    from dentrace.errors import ConfigError

    if kind == "duckdb":
        if master or remote or conf or lake:
            raise ConfigError("--spark-master, --spark-remote, --spark-conf and --lake need "
                              "--engine spark")
        return
    if kind != "spark":
        raise ConfigError(f"--engine {kind!r}: expected duckdb or spark")
    # before the lake is exported: writing gigabytes of Parquet for an engine that cannot
    # start wasted minutes and left the folder behind
    try:
        found = importlib.util.find_spec("pyspark") is not None
    except ValueError:  # in sys.modules as None: deliberately hidden
        found = False
    if not found:
        raise ConfigError("the Spark engine needs pyspark: pip install 'dentrace[spark]'")


def _engine(kind: str, workspace: Path, master: str | None, remote: str | None,
            conf: list[str] | None, lake: Path | None) -> Any:
    """None for DuckDB (the scan's default), a Spark engine for ``spark`` (options checked)."""
    if kind == "duckdb":
        return None
    from dentrace.engine import SparkSettings, open_spark_engine

    settings = SparkSettings.from_options(master, remote, conf)
    return open_spark_engine(workspace, settings, lake)


def _print_incremental(console: Console, target: Path, config: Path | None, scorer: str) -> None:
    """Run ``scan_incremental`` on ``target`` and print what it recomputed."""
    from dentrace.detect.incremental import scan_incremental

    result = scan_incremental(target, config=config, scorer=scorer)
    record = Workspace(target).read_summary()["scan"]
    done = record["incremental"]
    how = ("thresholds of the last full scan" if "full_scan_share" not in done else
           f"a full scan instead: the new payments' senders are "
           f"{done['new_sender_share']:.0%} of the payers, above {done['full_scan_share']:.0%}")
    say(console, f"Incremental scan of {target}: ingest runs {done['from_ingest_id']}-"
                 f"{done['to_ingest_id']}; recomputed {done['payers']:,} payers and "
                 f"{done['facilitators']:,} facilitators ({how}); "
                 f"{len(result.alerts):,} alerts in all; took {result.timings['total']:.1f} s.")

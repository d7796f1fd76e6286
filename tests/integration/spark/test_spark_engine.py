"""The Spark engine against the DuckDB engine on one small generated world: same parties per
role, same scores (within 1e-6), same alerts, reasons, explanations and evidence ids."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from dentrace.detect.scan import ScanResult, scan
from dentrace.engine import SparkEngine, SparkSettings, export_lake
from dentrace.errors import ConfigError

pytestmark = [pytest.mark.spark, pytest.mark.slow]

# both engines compute the same double-precision aggregates, in different orders: the
# differences seen are ~1e-16; 1e-6 leaves room for summation order on larger worlds
SCORE_TOLERANCE = 1e-6


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from dentrace.ingest import ingest
    from dentrace.synth import generate_world

    root = tmp_path_factory.mktemp("spark")
    generate_world(root / "world", seed=7001, scale=0.02, fmt="parquet")
    world = root / "world"
    ingest(root / "ws", transactions=world / "transactions", customers=world / "customers.parquet",
           known=world / "known.parquet", quiet=True)
    return root / "ws"


@pytest.fixture(scope="module")
def both(workspace: Path, session: Any) -> tuple[ScanResult, ScanResult]:
    """(DuckDB result, Spark result) of the same scan of ``workspace``."""
    duck = scan(workspace, write=False)
    lake = export_lake(workspace)
    spark = scan(workspace, write=False,
                 engine=SparkEngine(session, lake, workspace / "spark-scratch"))
    return duck, spark


def test_lake_is_partitioned_by_month(workspace: Path, both: tuple[ScanResult, ScanResult]
                                      ) -> None:
    months = sorted(p.name for p in (workspace / "lake" / "transactions").iterdir())
    assert months and all(m.startswith("txn_month=20") for m in months)
    assert not any((workspace / "spark-scratch").glob("scan-*")), "scratch files left behind"


def test_same_parties_per_role(both: tuple[ScanResult, ScanResult]) -> None:
    duck, spark = both
    for role in ("payer", "facilitator"):
        ours = set(spark.parties.loc[spark.parties["role"] == role, "party_id"])
        theirs = set(duck.parties.loc[duck.parties["role"] == role, "party_id"])
        assert ours == theirs and ours, role


def test_same_scores_and_reasons(both: tuple[ScanResult, ScanResult]) -> None:
    duck, spark = both
    merged = duck.parties.merge(spark.parties, on=["party_id", "role"], suffixes=("_d", "_s"))
    assert len(merged) == len(duck.parties) == len(spark.parties)
    assert (merged["score_d"] - merged["score_s"]).abs().max() <= SCORE_TOLERANCE
    assert (merged["alert_d"] == merged["alert_s"]).all()
    assert (merged["reasons_d"] == merged["reasons_s"]).all()
    assert {r: t.value for r, t in duck.thresholds.items()} == pytest.approx(
        {r: t.value for r, t in spark.thresholds.items()}, abs=SCORE_TOLERANCE)


def test_same_alerts_with_the_same_evidence(both: tuple[ScanResult, ScanResult]) -> None:
    duck, spark = both
    assert len(duck.alerts) > 0
    columns = ["party_id", "role", "reasons", "explanation"]
    ours = spark.alerts.sort_values(["role", "party_id"]).reset_index(drop=True)
    theirs = duck.alerts.sort_values(["role", "party_id"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(ours[columns], theirs[columns])
    assert [list(x) for x in ours["txn_ids"]] == [list(x) for x in theirs["txn_ids"]]


def test_spark_options_are_checked() -> None:
    settings = SparkSettings.from_options(None, None, ["spark.executor.memory=8g"])
    assert settings.conf == {"spark.executor.memory": "8g"} and settings.local
    assert not SparkSettings.from_options(None, "sc://spark.example:15002", None).local
    with pytest.raises(ConfigError, match="key=value"):
        SparkSettings.from_options(None, None, ["spark.executor.memory"])
    with pytest.raises(ConfigError, match="sc://"):
        SparkSettings.from_options(None, "http://host:15002", None)
    with pytest.raises(ConfigError, match="UTC only"):
        SparkSettings.from_options(None, None, ["spark.sql.session.timeZone=Europe/Paris"])
    assert SparkSettings.from_options(None, None, ["spark.sql.session.timeZone=utc"]).conf
    with pytest.raises(ConfigError, match="not both"):
        SparkSettings.from_options("spark://host:7077", "sc://host:15002", None)


def test_cli_refuses_spark_options_without_the_spark_engine(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from dentrace.cli.main import app

    runner = CliRunner()
    run = runner.invoke(app, ["scan", "--workspace", str(tmp_path), "--lake", str(tmp_path)])
    assert run.exit_code == 2 and "need --engine spark" in " ".join(run.output.split())
    run = runner.invoke(app, ["scan", "--workspace", str(tmp_path), "--engine", "flink"])
    assert run.exit_code == 2 and "expected duckdb or spark" in " ".join(run.output.split())


def test_engine_public_names_and_protocol() -> None:
    import duckdb

    import dentrace.engine as engine_package
    from dentrace.engine import DuckDBEngine, Engine

    assert sorted(engine_package.__all__) == [
        "DuckDBEngine", "Engine", "SparkEngine", "SparkSettings", "export_lake", "lake_path",
        "open_spark_engine", "spark_session"]
    con = duckdb.connect()
    con.execute("CREATE TABLE payments AS SELECT 1 AS amount_ref UNION ALL SELECT 3")
    duck = DuckDBEngine(con, "payments")
    assert isinstance(duck, Engine)
    stored = duck.materialise("_totals", duck.transactions().aggregate(total=lambda t:
                                                                       t.amount_ref.sum()))
    assert duck.to_pandas(stored)["total"].tolist() == [4]
    assert duck.scalar(duck.transactions().amount_ref.max()) == 3

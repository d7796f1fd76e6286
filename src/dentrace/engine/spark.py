"""The Spark engine: the same Ibis feature expressions on the PySpark backend, reading the
workspace's lake (Parquet), materialising intermediate tables as Parquet in a scratch folder."""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from dentrace.engine.base import engine_floats
from dentrace.engine.duckdb import drop_relation
from dentrace.engine.lake import PARTITION_COLUMN, transactions_path
from dentrace.errors import ConfigError, WorkspaceError
from dentrace.store.workspace import Workspace

TRANSACTIONS_VIEW = "dentrace_transactions"

# local mode on a small machine: no UI, few shuffle partitions, UTC like the warehouse
LOCAL_DEFAULTS = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.driver.memory": "4g",
    "spark.sql.codegen.logging.maxLines": "0",  # a failed code generation logs no source
}
SESSION_ZONE = "spark.sql.session.timeZone"
# NULL (not an error) for x/0 and for a correlation of a constant, as DuckDB answers
SHARED_DEFAULTS = {SESSION_ZONE: "UTC", "spark.sql.ansi.enabled": "false"}


@dataclass
class SparkSettings:
    """Where Spark runs: a master URL (default ``local[2]``) or a Spark Connect ``sc://`` URL,
    plus ``spark.*`` settings that win over dentrace's defaults."""

    master: str | None = None
    remote: str | None = None
    conf: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_options(cls, master: str | None, remote: str | None,
                     conf: list[str] | None) -> SparkSettings:
        """Settings from the CLI's ``--spark-master``, ``--spark-remote``, ``--spark-conf k=v``."""
        if master and remote:
            raise ConfigError("give --spark-master or --spark-remote, not both")
        if remote and not remote.startswith("sc://"):
            raise ConfigError(f"--spark-remote {remote!r}: a Spark Connect URL starts with sc://")
        pairs: dict[str, str] = {}
        for item in conf or []:
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                raise ConfigError(f"--spark-conf {item!r}: expected key=value")
            pairs[key.strip()] = value.strip()
        if pairs.get(SESSION_ZONE, "UTC").upper() not in ("UTC", "Z", "+00:00", "ETC/UTC"):
            raise ConfigError(f"--spark-conf {SESSION_ZONE}={pairs[SESSION_ZONE]}: the Spark "
                              "engine reads the warehouse's UTC timestamps in UTC only")
        return cls(master=master, remote=remote, conf=pairs)

    @property
    def local(self) -> bool:
        """True when Spark runs inside this process's machine (``local`` master)."""
        return self.remote is None and (self.master or "local[2]").startswith("local")


def spark_session(settings: SparkSettings) -> Any:
    """Start (or reuse) the Spark session ``settings`` describe."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise ConfigError("the Spark engine needs pyspark: pip install 'dentrace[spark]'") from exc
    builder = SparkSession.builder.appName("dentrace")
    if settings.remote:
        builder = builder.remote(settings.remote)
    else:
        builder = builder.master(settings.master or "local[2]")
    if settings.local:
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    defaults = {**SHARED_DEFAULTS, **(LOCAL_DEFAULTS if settings.local else {})}
    for key, value in {**defaults, **settings.conf}.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    if settings.local:  # warnings print whole query plans on the console; errors still show
        session.sparkContext.setLogLevel("ERROR")
    return session


class SparkEngine:
    """Runs feature expressions on ``session`` over ``lake``; intermediate tables go to
    ``scratch`` (a folder both the executors and this driver can read: local disk in local
    mode, shared storage on a cluster)."""

    name = "spark"

    def __init__(self, session: Any, lake: Path, scratch: Path) -> None:
        # the lake's timestamps are UTC wall clock without a zone: Spark casts them through
        # the session's zone (epoch seconds, comparisons with literals), so any other zone
        # moves days by its offset and gaps by an hour across its DST changes
        session.conf.set(SESSION_ZONE, "UTC")
        self.session = session
        self.backend = ibis.pyspark.connect(session)
        self.lake = Path(lake)
        self.scratch = Path(scratch) / f"scan-{uuid.uuid4().hex[:8]}"
        self.views: list[str] = []

    def transactions(self) -> ir.Table:
        source = transactions_path(self.lake)
        if not source.is_dir():
            raise WorkspaceError(f"{source}: no transactions in the lake; run the export or "
                                 "give --lake PATH (see docs/spark.md)")
        frame = self.session.read.parquet(str(source))
        if PARTITION_COLUMN in frame.columns:
            frame = frame.drop(PARTITION_COLUMN)
        return self._view(TRANSACTIONS_VIEW, frame)

    def materialise(self, name: str, expr: ir.Table) -> ir.Table:
        """Write ``expr`` to SCRATCH/name as Parquet and read it back: computed once, and the
        plan of later steps starts from the files instead of recomputing the lineage."""
        self.session.sql(str(self.backend.compile(expr))).write.mode("overwrite").parquet(
            str(self._stored(name)))
        return self._view(name, self.session.read.parquet(str(self._stored(name))))

    def to_pandas(self, expr: ir.Expr) -> pd.DataFrame:
        """Rows on the driver; DECIMAL results (Spark's type for some literals) as float64,
        floats to ENGINE_DIGITS significant digits (engine_floats)."""
        frame = self.backend.to_pandas(expr)
        for column in frame.columns[frame.dtypes.eq(object)]:
            if any(isinstance(value, Decimal) for value in frame[column].head(100)):
                frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
        return engine_floats(frame)

    def scalar(self, expr: ir.Scalar) -> Any:
        return self.backend.execute(expr)

    def share(self, con: Any, name: str) -> None:
        """A DuckDB view over the Parquet files Spark wrote for ``name``."""
        files = str(self._stored(name) / "*.parquet").replace("'", "''")
        drop_relation(con, name)  # a DuckDB engine's table of an earlier build
        con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM read_parquet('{files}')")

    def close(self) -> None:
        """Drop this scan's Spark views and its scratch files (the session stays up)."""
        for view in self.views:
            self.session.catalog.dropTempView(view)
        self.views.clear()
        shutil.rmtree(self.scratch, ignore_errors=True)

    def _stored(self, name: str) -> Path:
        # Spark skips files and folders whose names start with '_' or '.'
        return self.scratch / name.lstrip("_.")

    def _view(self, name: str, frame: Any) -> ir.Table:
        frame.createOrReplaceTempView(name)
        self.views.append(name)
        return self.backend.table(name)


def open_spark_engine(workspace: Path, settings: SparkSettings,
                      lake: Path | None = None) -> SparkEngine:
    """A Spark engine for ``workspace``: with no ``lake``, export the warehouse's transactions
    to WORKSPACE/lake first; scratch tables go to WORKSPACE/spark-scratch."""
    from dentrace.engine.lake import export_lake

    lake = export_lake(workspace) if lake is None else Path(lake)
    if not transactions_path(lake).is_dir():
        raise WorkspaceError(f"{transactions_path(lake)}: no such folder (see docs/spark.md)")
    return SparkEngine(spark_session(settings), lake, Workspace(workspace).spark_scratch)

"""The lake: a workspace's validated transactions exported from DuckDB to Parquet,
partitioned by month, for engines that read shared storage (Spark)."""

from __future__ import annotations

import shutil
from pathlib import Path

from dentrace.errors import WorkspaceError
from dentrace.store.workspace import Workspace

TRANSACTIONS_DIR = "transactions"
PARTITION_COLUMN = "txn_month"

# the warehouse columns an engine reads (lineage columns stay in the warehouse)
LAKE_COLUMNS = ("txn_id", "ts_utc", "ts_local", "utc_offset_min", "sender_id", "beneficiary_id",
                "amount", "currency", "amount_ref", "sender_name", "sender_country",
                "beneficiary_name", "beneficiary_country", "channel", "memo")


def lake_path(workspace: Path) -> Path:
    """Where ``export_lake`` writes by default: ``WORKSPACE/lake``."""
    return Workspace(workspace).lake


def transactions_path(lake: Path) -> Path:
    """The transactions folder of a lake: ``LAKE/transactions/txn_month=YYYY-MM/*.parquet``."""
    return Path(lake) / TRANSACTIONS_DIR


def export_lake(workspace: Path, lake: Path | None = None) -> Path:
    """Write the warehouse's transactions to ``lake`` (default WORKSPACE/lake); return it.

    The folder ``LAKE/transactions`` is replaced; rows are partitioned by the UTC month of
    ``ts_utc`` (Hive style, ``txn_month=2025-03``), so a reader can prune by month.
    """
    lake = lake_path(workspace) if lake is None else Path(lake)
    target = transactions_path(lake)
    con = Workspace(workspace).open_warehouse(read_only=True)
    try:
        if not con.execute("SELECT count(*) FROM transactions").fetchall()[0][0]:
            raise WorkspaceError(f"{workspace}: the warehouse has no transactions to export")
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        columns = ", ".join(LAKE_COLUMNS)
        con.execute(
            f"""COPY (SELECT {columns}, strftime(ts_utc, '%Y-%m') AS {PARTITION_COLUMN}
                      FROM transactions)
                TO '{_quoted(target)}' (FORMAT parquet, PARTITION_BY ({PARTITION_COLUMN}))""")
    finally:
        con.close()
    return lake


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")

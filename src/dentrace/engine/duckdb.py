"""The DuckDB engine: Ibis expressions run on the workspace's own warehouse connection,
materialised as DuckDB temporary tables (the default, single-machine path)."""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from dentrace.engine.base import engine_floats


class DuckDBEngine:
    """Runs feature expressions on ``con``, the workspace's DuckDB connection, reading the
    transactions from the table ``transactions`` names (an incremental scan passes another)."""

    name = "duckdb"

    def __init__(self, con: Any, transactions: str = "transactions") -> None:
        self.con = con
        self.backend = ibis.duckdb.from_connection(con)
        self.source = transactions

    def transactions(self) -> ir.Table:
        return self.backend.table(self.source)

    def materialise(self, name: str, expr: ir.Table) -> ir.Table:
        sql = ibis.to_sql(expr, dialect="duckdb")
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")
        return self.backend.table(name)

    def to_pandas(self, expr: ir.Expr) -> pd.DataFrame:
        """Rows on the driver, floats to ENGINE_DIGITS significant digits (engine_floats)."""
        return engine_floats(self.backend.to_pandas(expr))

    def scalar(self, expr: ir.Scalar) -> Any:
        return self.backend.execute(expr)

    def share(self, con: Any, name: str) -> None:
        """Nothing to do: temp tables live on the same connection (``con`` is ``self.con``)."""

    def close(self) -> None:
        """Nothing to release: temp tables end with the connection."""


def relation_kind(con: Any, name: str) -> str | None:
    """'VIEW' or 'TABLE' for the relation ``name`` of ``con`` (user-made), None if neither."""
    found = con.execute(
        """SELECT 'VIEW' FROM duckdb_views() WHERE view_name = ? AND NOT internal
           UNION ALL SELECT 'TABLE' FROM duckdb_tables() WHERE table_name = ?""",
        [name, name],
    ).fetchall()
    return str(found[0][0]) if found else None


def drop_relation(con: Any, name: str) -> None:
    """Drop the table or view ``name`` of ``con``, whichever it is (nothing if neither): a
    scan table may be a view in one build (features.build) and a table in another
    (detect.party_state), and DuckDB replaces neither with the other."""
    kind = relation_kind(con, name)
    if kind is not None:
        con.execute(f"DROP {kind} IF EXISTS {name}")

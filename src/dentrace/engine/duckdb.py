"""The DuckDB engine: Ibis expressions run on the workspace's own warehouse connection,
materialised as DuckDB temporary tables (the default, single-machine path)."""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd


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
        return self.backend.to_pandas(expr)

    def scalar(self, expr: ir.Scalar) -> Any:
        return self.backend.execute(expr)

    def share(self, con: Any, name: str) -> None:
        """Nothing to do: temp tables live on the same connection (``con`` is ``self.con``)."""

    def close(self) -> None:
        """Nothing to release: temp tables end with the connection."""

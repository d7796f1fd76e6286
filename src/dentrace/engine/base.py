"""The engine seam: where the ``transactions`` table comes from, how an Ibis expression is
materialised for reuse, and how a result comes back to the driver as pandas."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import ibis.expr.types as ir
import pandas as pd


@runtime_checkable
class Engine(Protocol):
    """What the feature build needs from a SQL engine; DuckDB and Spark implement it.

    Names passed to ``materialise`` are the warehouse names of docs/architecture.md's scan
    tables (e.g. ``_dentrace_flagged_payments``); after ``share`` the DuckDB connection of
    the workspace can query them by that name, so explanations read the same rows.
    """

    name: str

    def transactions(self) -> ir.Table:
        """The validated transactions (warehouse columns) as an Ibis table."""
        ...

    def materialise(self, name: str, expr: ir.Table) -> ir.Table:
        """Compute ``expr`` once under ``name`` and return a table reading the stored rows."""
        ...

    def to_pandas(self, expr: ir.Expr) -> pd.DataFrame:
        """Run ``expr`` and collect its rows on the driver."""
        ...

    def scalar(self, expr: ir.Scalar) -> Any:
        """Run a scalar expression and return its Python value."""
        ...

    def share(self, con: Any, name: str) -> None:
        """Make the materialised table ``name`` queryable from the DuckDB connection ``con``."""
        ...

    def close(self) -> None:
        """Release what the engine holds for this scan (temp tables, cached data)."""
        ...

"""The engine seam: where the ``transactions`` table comes from, how an Ibis expression is
materialised for reuse, and how a result comes back to the driver as pandas."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import ibis.expr.types as ir
import numpy as np
import pandas as pd

# significant digits an engine's floating results keep (engine_floats)
ENGINE_DIGITS = 12


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


def engine_floats(frame: pd.DataFrame, digits: int = ENGINE_DIGITS) -> pd.DataFrame:
    """``frame`` with every float64 column rounded to ``digits`` significant digits.

    DuckDB and Spark add the same doubles in different orders and take logarithms with
    different maths libraries, so the same feature can differ in its last bits (measured:
    gap_trend_corr by 3e-16, amount totals by 7e-16 relative). The institution's own model
    (model/adapt.py) is trained at scan time and splits on such differences where parties
    tie (gap_trend_corr at -1): 3e-16 moved payer scores by 6e-4, and on a 1.6M-payment
    world by up to 0.07. Rounded here, both engines hand the same values to everything after
    them; 12 digits are far below any threshold or tolerance a feature is read with.
    Columns named ``*_day`` are left as they are: positions on the day axis (a minimum or a
    maximum, exact in both engines) that are subtracted afterwards, where 12 digits of
    ~20,000 days would cost a span 1e-7 days.
    """
    for column in frame.columns[frame.dtypes.eq("float64")]:
        if str(column).endswith("_day"):
            continue
        values = frame[column].to_numpy(dtype="float64")
        magnitude = np.abs(values)
        usable = np.isfinite(values) & (magnitude > 1e-200) & (magnitude < 1e200)
        exponent = np.floor(np.log10(np.where(usable, magnitude, 1.0)))
        scale = 10.0 ** (digits - 1 - exponent)
        rounded = np.round(values * scale) / scale
        frame[column] = np.where(usable, rounded, values)
    return frame

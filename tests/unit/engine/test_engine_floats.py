"""Engine results rounded to 12 significant digits: values that differ only in their last bits
(another summation order, another maths library) come back equal; nothing else changes."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from dentrace.engine.base import engine_floats
from dentrace.engine.duckdb import DuckDBEngine


def test_last_bit_differences_come_back_equal() -> None:
    frame = pd.DataFrame({
        "corr": [-0.9999999999999759, -1.0, 0.1 + 0.2, 0.3],
        "total": [438861.8210450001, 438861.82104499906, 1e-300, -7.25e12],
        "count": [1, 2, 3, 4],
    })
    out = engine_floats(frame.copy())
    assert out["corr"].tolist() == [-1.0, -1.0, 0.3, 0.3]
    assert out["total"].iloc[0] == out["total"].iloc[1] == 438861.821045
    assert out["total"].iloc[2] == 1e-300 and out["total"].iloc[3] == -7.25e12
    assert out["count"].tolist() == [1, 2, 3, 4] and out["count"].dtype == frame["count"].dtype


def test_missing_infinite_and_zero_pass_through() -> None:
    values = [np.nan, np.inf, -np.inf, 0.0, -0.0]
    out = engine_floats(pd.DataFrame({"x": values}))["x"].to_numpy()
    assert np.isnan(out[0]) and list(out[1:]) == [np.inf, -np.inf, 0.0, 0.0]


def test_twelve_digits_kept() -> None:
    out = engine_floats(pd.DataFrame({"x": [123456.789012345678, 1.23456789012345e-7]}))
    assert out["x"].tolist() == [123456.789012, 1.23456789012e-7]


def test_the_duckdb_engine_rounds_what_it_collects() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT 0.1::DOUBLE + 0.2::DOUBLE AS x, 7 AS n")
    engine = DuckDBEngine(con, "t")
    frame = engine.to_pandas(engine.transactions())
    assert frame["x"].tolist() == [0.3] and frame["n"].tolist() == [7]


def test_day_positions_are_kept_whole() -> None:
    first, last = 19783.123456789012, 19791.532484566812
    out = engine_floats(pd.DataFrame({"corridor_first_day": [first],
                                      "corridor_last_day": [last]}))
    assert out["corridor_last_day"].iloc[0] - out["corridor_first_day"].iloc[0] == last - first

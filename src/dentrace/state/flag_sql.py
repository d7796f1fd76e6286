"""The scan's payment flags (``dentrace.features.payments.flag_payments``) as DuckDB SQL over a
named table of warehouse transactions, compiled once per process and settings (compiling the
Ibis expression costs ~1 s)."""

from __future__ import annotations

from typing import Any

import ibis

from dentrace.engine.duckdb import DuckDBEngine
from dentrace.features.payments import flag_payments
from dentrace.features.settings import FeatureSettings, reporting_currency

_COMPILED: dict[tuple[str, str, str], str] = {}


def flag_sql(con: Any, features: FeatureSettings, table: str) -> str:
    """A SELECT of every payment of ``table`` (columns of ``transactions``) with its flags."""
    currency = reporting_currency(con)
    key = (repr(features), currency, table)
    if key not in _COMPILED:
        engine = DuckDBEngine(con, table)
        expr = flag_payments(engine.transactions(), features, currency)
        _COMPILED[key] = ibis.to_sql(expr, dialect="duckdb")
    return _COMPILED[key]


__all__ = ["flag_sql"]

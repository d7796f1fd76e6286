"""A small alerts.parquet as a scan writes it: two payers and one facilitator."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest


def write_alerts(path: Path, rows: list[dict[str, object]]) -> Path:
    """Write alert rows in the scan's alerts.parquet layout."""
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


@pytest.fixture
def make_alerts() -> Callable[[Path, list[dict[str, object]]], Path]:
    """The writer of alerts.parquet files, for tests that build their own rows."""
    return write_alerts


@pytest.fixture
def alerts_file(tmp_path: Path) -> Path:
    rows: list[dict[str, object]] = [
        {"party_id": "P1", "role": "payer", "score": 0.91, "alert": True,
         "reasons": "LOWVAL;NIGHT", "explanation": "12 payments of 20-60 EUR at night",
         "txn_ids": ["T1", "T2"]},
        {"party_id": "P2", "role": "payer", "score": 0.72, "alert": True,
         "reasons": "FANOUT", "explanation": "pays 7 unrelated people", "txn_ids": ["T3"]},
        {"party_id": "B9", "role": "facilitator", "score": 0.85, "alert": True,
         "reasons": "FANIN", "explanation": "receives from 40 foreign payers",
         "txn_ids": ["T2", "T4"]},
    ]
    return write_alerts(tmp_path / "alerts.parquet", rows)

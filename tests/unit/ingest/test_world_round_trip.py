"""A small generated world ingests completely, with counts that reconcile with the world."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from dentrace.ingest import ingest
from dentrace.synth import generate_world


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_generated_world_round_trips(tmp_path: Path, fmt: str,
                                     query: Callable[[str], list[tuple[object, ...]]]) -> None:
    world = generate_world(tmp_path / "world", seed=3, scale=0.005, fmt=fmt)
    report = ingest(tmp_path / "ws", transactions=tmp_path / "world" / "transactions",
                    customers=tmp_path / "world" / f"customers.{fmt}",
                    known=tmp_path / "world" / f"known.{fmt}", quiet=True)
    by_table = {f.table: f for f in report.files}
    assert by_table["transactions"].rows_read == world.transactions
    assert by_table["customers"].rows_read == world.customers
    assert by_table["known"].rows_read == sum(world.known.values())
    assert report.rows_accepted == report.rows_read
    assert query("SELECT count(*) FROM transactions") == [(world.transactions,)]
    assert query("SELECT count(*) FROM transactions WHERE amount_ref IS NULL "
                 "OR ts_utc IS NULL") == [(0,)]
    again = ingest(tmp_path / "ws", transactions=tmp_path / "world" / "transactions",
                   quiet=True)
    assert again.rows_duplicate == again.rows_read == world.transactions

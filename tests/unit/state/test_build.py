"""The party state store built in shards (dentrace.state.build): split by payer and by
beneficiary, folded in worker processes and merged, it holds exactly the state of a build in
one fold; the shard count follows the memory a fold would need."""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import os
from collections import deque
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from dentrace.detect import incremental, scan
from dentrace.detect.config import load_config
from dentrace.detect.party_state import BUILT_MODE, STATE_MODE, _fresh_state
from dentrace.detect.scan import ingested_through
from dentrace.errors import WorkspaceError
from dentrace.ingest import ingest
from dentrace.state import build as state_build
from dentrace.state.build import (
    STATE_BYTES_PER_PAYMENT,
    STATE_MEMORY_SHARE,
    BuildPlan,
    build_state_store,
)
from dentrace.state.flags import FlaggedPayment
from dentrace.state.replay import FLAG_COLUMNS, read_kyc
from dentrace.state.store import PartyStateStore, _loads
from dentrace.store.warehouse import open_warehouse
from tests.unit.detect.conftest import make_workspace, write_contract_csv
from tests.unit.features.toy_payments import mixed_world

scan_incremental = functools.partial(incremental.scan_incremental, full_scan_share=None)
CUT = pd.Timestamp("2024-10-15")
GIB = 2**30


def _same(x: Any, y: Any) -> bool:
    """Equal state values: floats within 1e-9 (sums may be added in another order), NaN = NaN."""
    if isinstance(x, float) and isinstance(y, float):
        if math.isnan(x) or math.isnan(y) or math.isinf(x) or math.isinf(y):
            return (math.isnan(x) and math.isnan(y)) or x == y
        return abs(x - y) <= 1e-9 * max(1.0, abs(x), abs(y))
    if isinstance(x, (tuple, list, deque)) and isinstance(y, (tuple, list, deque)):
        return len(x) == len(y) and all(_same(a, b) for a, b in zip(x, y, strict=True))
    if dataclasses.is_dataclass(x) and type(x) is type(y):
        return all(_same(getattr(x, f.name), getattr(y, f.name))
                   for f in dataclasses.fields(x))
    return bool(x == y)


def _rows(workspace: Path) -> dict[str, dict[Any, tuple[Any, ...]]]:
    """Every party and pair row of a store, blobs unpickled."""
    db = PartyStateStore(workspace)
    try:
        return {
            "payer": {r[0]: (_loads(r[1]),) for r in db.db.execute("SELECT * FROM payer")},
            "beneficiary": {r[0]: (*r[1:-1], _loads(r[-1]))
                            for r in db.db.execute("SELECT * FROM beneficiary")},
            "pair": {(r[0], r[1]): (r[2], _loads(r[3]))
                     for r in db.db.execute("SELECT * FROM pair")},
        }
    finally:
        db.close()


def _build(workspace: Path, plan: BuildPlan) -> dict[str, Any]:
    config = load_config(None)
    con = open_warehouse(workspace)
    try:
        with PartyStateStore(workspace) as store:
            return build_state_store(con, config.features, store, ingested_through(con),
                                     read_kyc(con), _fresh_state(config, con), plan)
    finally:
        con.close()


@pytest.fixture
def history(tmp_path: Path) -> Path:
    """The toy world's history, scanned in full (so its store holds the graph part)."""
    rows = mixed_world()
    workspace = make_workspace(tmp_path, [r for r in rows if r["ts_local"] < CUT])
    scan(workspace)
    write_contract_csv([r for r in rows if r["ts_local"] >= CUT], tmp_path / "later.csv")
    return workspace


def test_a_sharded_build_equals_one_fold(history: Path, tmp_path: Path) -> None:
    one = _build(history, BuildPlan(1, 1))
    single = _rows(history)
    sharded = _build(history, BuildPlan(3, 2))  # three shards per pass, two worker processes
    rows = _rows(history)
    assert (one["shards"], sharded["shards"], sharded["workers"]) == (1, 3, 2)
    assert one["payments"] == sharded["payments"] > 0
    assert sharded["payers"] == len(rows["payer"]) == one["payers"]
    assert sharded["pairs"] == len(rows["pair"]) and sharded["beneficiaries"] > 0
    for table, expected in single.items():
        assert rows[table].keys() == expected.keys(), table
        different = [k for k, v in expected.items() if not _same(rows[table][k], v)]
        assert not different, (table, different[:3])
    # the profiles were counted in the beneficiaries: some corridor payer has one
    assert any(sum(b[-1].profile_count) > 0 for b in rows["beneficiary"].values())
    with PartyStateStore(history) as store:
        assert store.meta()["payments"] == one["payments"]


def test_a_history_too_big_for_one_fold_is_built_in_shards(
        history: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ingest(history, transactions=tmp_path / "later.csv", quiet=True)
    with open_warehouse(history, read_only=True) as con:
        payments = con.execute("SELECT count(*) FROM transactions").fetchall()[0][0]
    cores = os.cpu_count() or 1
    # a machine whose memory share holds a third of the fold per worker
    monkeypatch.setattr(state_build, "machine_memory", lambda: int(
        payments * STATE_BYTES_PER_PAYMENT * cores / STATE_MEMORY_SHARE / 3) + 1)
    scan_incremental(history)
    record = json.loads((history / "summary.json").read_text())["scan"]["incremental"]
    assert record["mode"] == BUILT_MODE
    assert record["build"]["shards"] == 3 and record["build"]["workers"] == min(cores, 3)
    assert record["build"]["payments"] == payments
    assert record["payers"] > 0 and record["facilitators"] > 0
    scan_incremental(history)  # the next one reads the stored state
    assert json.loads((history / "summary.json").read_text())["scan"]["incremental"][
        "mode"] == STATE_MODE


def test_the_shard_count_follows_the_memory_a_fold_needs() -> None:
    # the 100M benchmark's history on this machine: ~70 GiB of fold, 12 GiB for two workers
    plan = BuildPlan.for_payments(93_849_074, memory=24 * GIB, cores=2)
    assert plan == BuildPlan(12, 2)
    assert BuildPlan.for_payments(914_219, memory=24 * GIB, cores=2) == BuildPlan(1, 1)
    assert BuildPlan.for_payments(9_757_480, memory=24 * GIB, cores=2) == BuildPlan(2, 2)
    assert BuildPlan.for_payments(10, memory=1, cores=4).workers == 4


def test_a_failing_worker_names_its_shard(tmp_path: Path) -> None:
    # a build folder without the payments' and KYC files the worker reads
    settings = {"small_band": [10.0, 150.0], "recent_days": 90, "surname_family": True}
    jobs = [state_build._Job(role, 0, 1, str(tmp_path), settings, 0.0, 1)
            for role in ("payer", "beneficiary")]
    with pytest.raises(WorkspaceError, match=r"payer shard 0 failed: (?s:.*)kyc\.parquet"):
        state_build._run(jobs, workers=2)


def test_replayed_rows_fill_the_payment_fields_in_order() -> None:
    # replay_flagged builds FlaggedPayment positionally: flags right after the countries
    names = [f.name for f in dataclasses.fields(FlaggedPayment)]
    assert names[8:8 + len(FLAG_COLUMNS)] == list(FLAG_COLUMNS)
    assert names[8 + len(FLAG_COLUMNS):] == ["shares_surname", "is_family"]

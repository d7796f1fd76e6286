"""A screener over the workspace's party state store (``dentrace.state.stored``) decides as the
screener whose state replays the whole warehouse, while holding only the parties screened."""

from __future__ import annotations

import functools
import shutil
import threading
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from dentrace.detect import incremental
from dentrace.detect.scan import scan
from dentrace.ingest import ingest
from dentrace.screen import contract_payment, screener_from_workspace
from dentrace.screen.payment import OPTIONAL, REQUIRED
from dentrace.screen.service import Screener
from dentrace.state import build as state_build
from dentrace.state.store import STATE_FILE, PartyStateStore
from dentrace.state.stored import READ_AHEAD_SHARE, read_ahead
from tests.unit.detect.conftest import generated_history, make_workspace, write_contract_csv
from tests.unit.features.toy_payments import mixed_world

scan_incremental = functools.partial(incremental.scan_incremental, full_scan_share=None)
CUT = pd.Timestamp("2024-04-01")  # 60% of the toy payments before, offenders on both sides
BATCH = 7  # payments per screen_many call, as the micro-batcher sends them


def _payments(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` (toy payments) as parsed contract payments, with new ids."""
    frame = pd.DataFrame(rows)
    frame["ts"] = frame["ts_local"].dt.strftime("%Y-%m-%dT%H:%M:%S") + "+10:00"
    frame["txn_id"] = "screened-" + frame["txn_id"].astype(str)
    frame["amount"] = frame["amount"].astype(str)
    columns = [*REQUIRED, *OPTIONAL]
    records = frame[columns].astype(object).where(frame[columns].notna(), None)
    return [contract_payment(r) for r in records.to_dict("records")]


def _screen(screener: Screener, payments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Outcomes of screening ``payments`` in batches, from another thread (as the web app's
    batcher does)."""
    outcomes: list[dict[str, Any]] = []

    def run() -> None:
        for i in range(0, len(payments), BATCH):
            outcomes.extend(screener.screen_many(payments[i:i + BATCH]))  # type: ignore[arg-type]

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert len(outcomes) == len(payments)
    return outcomes


def _without_store(workspace: Path, tmp: Path) -> Path:
    copy = tmp / "replayed"
    shutil.copytree(workspace, copy)
    (copy / STATE_FILE).unlink()
    return copy


def _differences(stored: list[dict[str, Any]], replayed: list[dict[str, Any]]) -> list[float]:
    gaps = []
    for a, b in zip(stored, replayed, strict=True):
        assert a["txn_id"] == b["txn_id"]
        for role in ("payer", "beneficiary"):
            gaps.append(abs(a[role]["score"] - b[role]["score"]))
    return gaps


@pytest.fixture
def history(tmp_path: Path) -> Path:
    """The toy world before CUT, scanned in full, its party state built by an incremental scan."""
    rows = mixed_world()
    workspace = make_workspace(tmp_path, [r for r in rows if r["ts_local"] < CUT])
    scan(workspace)
    scan_incremental(workspace)
    return workspace


def _later() -> list[dict[str, Any]]:
    return [r for r in mixed_world() if r["ts_local"] >= CUT]


def test_a_stored_screener_decides_as_the_replayed_one(history: Path, tmp_path: Path) -> None:
    replayed = screener_from_workspace(_without_store(history, tmp_path), scorer="rules")
    stored = screener_from_workspace(history, scorer="rules")
    assert replayed.parties is None and stored.parties is not None
    # read ahead: the parties of the history's last day and what their rows read
    warmed = len(stored.state.payers)
    assert 0 < warmed < len(replayed.state.payers)
    store_before = (history / STATE_FILE).read_bytes()
    payments = _payments(_later())
    a, b = _screen(stored, payments), _screen(replayed, payments)
    assert max(_differences(a, b)) <= 1e-9
    assert [x["decision"] for x in a] == [x["decision"] for x in b]
    scores = [x[role]["score"] for x in a for role in ("payer", "beneficiary")]
    assert max(scores) > 0.1 and len(set(scores)) > 5  # not all alike
    # only what the screened payments read is in memory; the store is never written
    assert 0 < len(stored.state.payers) < len(replayed.state.payers)
    assert stored.parties.loads["payers"] > warmed
    assert (history / STATE_FILE).read_bytes() == store_before


@pytest.mark.slow
def test_stored_feature_rows_equal_the_replayed_ones(tmp_path: Path) -> None:
    """A synthetic world (merchants paid at home beside corridor collectors, so beneficiaries
    with pairs left on disk) scanned up to its last 7 days; those days screened."""
    workspace, last = generated_history(tmp_path)
    replayed = screener_from_workspace(_without_store(workspace, tmp_path))
    stored = screener_from_workspace(workspace)
    screened = [contract_payment(r) for r in last.sort_values("ts").replace(
        {"": None}).to_dict("records")]
    compared = 0
    for payment in screened:
        mine, theirs = stored.rows(payment), replayed.rows(payment)
        for role in ("payer", "facilitator"):
            assert mine[role].keys() == theirs[role].keys()
            for column, value in theirs[role].items():
                assert mine[role][column] == pytest.approx(value, abs=1e-9, nan_ok=True), (
                    payment["txn_id"], role, column)
                compared += 1
    assert stored.parties is not None and len(screened) > 200
    # the screened days read part of the parties (a small world: most are neighbours)
    assert len(stored.state.payers) < len(replayed.state.payers)
    print(f"{len(screened)} payments, {compared} values equal; in memory: "
          f"{len(stored.state.payers)} of {len(replayed.state.payers)} payers")


def test_payments_ingested_after_the_state_are_folded_in(history: Path, tmp_path: Path) -> None:
    """The store holds the history; a later file is ingested and scanned in full (the store's
    state is then behind the warehouse): the screener folds that file in, in memory."""
    later = _later()
    half = len(later) // 2
    ingest(history, transactions=write_contract_csv(later[:half], tmp_path / "later.csv"),
           quiet=True)
    scan(history)
    with PartyStateStore(history) as store:
        behind = store.meta()["through_ingest_id"]
    stored = screener_from_workspace(history)
    replayed = screener_from_workspace(_without_store(history, tmp_path))
    assert stored.parties is not None and stored.state.payments == replayed.state.payments
    payments = _payments(later[half:])
    a, b = _screen(stored, payments), _screen(replayed, payments)
    # folded payers' profiles move their beneficiaries' profile columns at once in the
    # replay; stored payers keep the profile of the store's clock (docs/screening.md)
    assert max(_differences(a, b)) <= 0.05
    assert [x["decision"] for x in a] == [x["decision"] for x in b]
    with PartyStateStore(history) as store:
        assert store.meta()["through_ingest_id"] == behind


def test_a_warehouse_too_big_to_replay_gets_its_store_built(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    workspace = make_workspace(tmp_path, [r for r in mixed_world() if r["ts_local"] < CUT])
    scan(workspace)  # the store holds the scan's graph results, no party state
    replayed = screener_from_workspace(_without_store(workspace, tmp_path))
    with PartyStateStore(workspace) as store:
        assert "through_ingest_id" not in store.meta()
    small = screener_from_workspace(workspace)
    assert small.parties is None  # it fits in memory: replayed, nothing built
    # a machine with 64 KiB: one fold of the warehouse's payments would not fit
    monkeypatch.setattr(state_build, "machine_memory", lambda: 2**16)
    stored = screener_from_workspace(workspace)
    assert stored.parties is not None
    with PartyStateStore(workspace) as store:
        assert store.meta()["through_ingest_id"] >= 1
    payments = _payments(_later())
    assert max(_differences(_screen(stored, payments), _screen(replayed, payments))) <= 1e-9


def test_the_store_is_read_ahead_only_when_it_fits_the_memory_share(history: Path) -> None:
    path = history / STATE_FILE
    size = path.stat().st_size
    assert read_ahead(path, memory=int(size / READ_AHEAD_SHARE) + 1)
    assert not read_ahead(path, memory=int(size / READ_AHEAD_SHARE) - 1)


def test_an_incremental_scan_writes_the_store_while_a_screener_reads_it(history: Path,
                                                                        tmp_path: Path) -> None:
    """`dentrace serve` screening while `dentrace scan --incremental` folds a new file in: the
    scan's write is not blocked by the screener's connection, and screening goes on."""
    later = _later()
    half = len(later) // 2
    stored = screener_from_workspace(history)
    _screen(stored, _payments(later[:10]))
    ingest(history, transactions=write_contract_csv(later[:half], tmp_path / "later.csv"),
           quiet=True)
    with PartyStateStore(history) as store:
        before = store.meta()["through_ingest_id"]
    scan_incremental(history)
    with PartyStateStore(history) as store:
        assert store.meta()["through_ingest_id"] > before
    outcomes = _screen(stored, _payments(later[half:]))
    assert all("decision" in x for x in outcomes)

"""Incremental scans from the stored party state: a full scan of the history, then an appended
day, gives per-party scores within the stated tolerance of a full rescan, reading only the
touched parties' state; the store round-trips the state; without it the scan says it recomputed."""

from __future__ import annotations

import functools
import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from dentrace.detect import incremental, scan
from dentrace.detect.config import load_config
from dentrace.detect.incremental import RECOMPUTE_MODE
from dentrace.detect.party_state import BUILT_MODE, STATE_MODE
from dentrace.features.build import build_party_features
from dentrace.ingest import ingest
from dentrace.state.store import STATE_FILE, PartyStateStore, Workset
from dentrace.store.warehouse import open_warehouse
from tests.unit.detect.conftest import generated_history, make_workspace, write_contract_csv
from tests.unit.features.toy_payments import mixed_world

# these tests exercise the incremental path itself: never let it switch to a full scan
scan_incremental = functools.partial(incremental.scan_incremental, full_scan_share=None)

# the screening agreement level (docs/screening.md), reused for incremental scans
MAX_ABS_DIFFERENCE = 0.05
P99_ABS_DIFFERENCE = 0.01
# whole-graph features, taken from the last full scan until the next one (docs/performance.md)
DRIFTING = {"den_size", "shared_payer_facilitators", "pays_den_max", "known_risk"}
CUT = pd.Timestamp("2024-10-15")


def _record(workspace: Path) -> dict:
    return json.loads((workspace / "summary.json").read_text())["scan"]["incremental"]


@pytest.fixture
def day_appended(tmp_path: Path) -> Path:
    """History scanned in full, its state built by a first incremental scan, then a later file
    ingested (not yet scanned)."""
    rows = mixed_world()
    workspace = make_workspace(tmp_path, [r for r in rows if r["ts_local"] < CUT])
    scan(workspace)
    scan_incremental(workspace)
    assert _record(workspace)["mode"] == BUILT_MODE
    later = write_contract_csv([r for r in rows if r["ts_local"] >= CUT], tmp_path / "later.csv")
    ingest(workspace, transactions=later, quiet=True)
    return workspace


def _compare(incremental: pd.DataFrame, full: pd.DataFrame) -> dict[str, tuple[float, float]]:
    both = incremental.merge(full, on=["party_id", "role"], suffixes=("_inc", "_full"))
    assert len(both) == len(full) == len(incremental)
    out = {}
    for role, group in both.groupby("role"):
        gap = (group["score_inc"] - group["score_full"]).abs().to_numpy()
        out[str(role)] = (float(gap.max()), float(np.quantile(gap, 0.99)))
    return out


def test_state_scan_agrees_with_a_full_rescan(day_appended: Path, tmp_path: Path) -> None:
    scan_incremental(day_appended)
    record = _record(day_appended)
    assert record["mode"] == STATE_MODE
    assert record["payers"] > 0 and record["facilitators"] > 0
    incremental = pd.read_parquet(day_appended / "parties.parquet")
    rescan = tmp_path / "rescan"
    shutil.copytree(day_appended, rescan)
    scan(rescan)
    for role, (worst, p99) in _compare(incremental, pd.read_parquet(
            rescan / "parties.parquet")).items():
        assert worst <= MAX_ABS_DIFFERENCE and p99 <= P99_ABS_DIFFERENCE, role


@pytest.mark.slow
def test_state_scan_agrees_on_a_generated_world(tmp_path: Path) -> None:
    """A synthetic world's last 7 UTC days appended to the rest (as benchmarks/scale.py does)."""
    workspace, last = generated_history(tmp_path)
    ingest(workspace, transactions=tmp_path / "day.csv", quiet=True)
    rescan = tmp_path / "rescan"
    shutil.copytree(workspace, rescan)
    scan_incremental(workspace)
    assert _record(workspace)["mode"] == STATE_MODE
    scan(rescan)
    compared = _compare(pd.read_parquet(workspace / "parties.parquet"),
                        pd.read_parquet(rescan / "parties.parquet"))
    print(f"{len(last)} payments appended; max, p99 |difference| per role: {compared}")
    for role, (worst, p99) in compared.items():
        assert worst <= MAX_ABS_DIFFERENCE and p99 <= P99_ABS_DIFFERENCE, role


def _state_and_batch_rows(workspace: Path) -> tuple[Any, dict[str, pd.DataFrame]]:
    """The state rows of the runs ingested after the last scan, and the batch features of the
    whole warehouse."""
    from dentrace.detect.party_state import state_rows
    from dentrace.features.build import read_known

    config = load_config(None)
    con = open_warehouse(workspace)
    known = read_known(con)
    since = json.loads((workspace / "summary.json").read_text())["scan"]["ingest_id_through"]
    with PartyStateStore(workspace) as store:
        rows = state_rows(con, config, store, since, since + 1, known)
    full = build_party_features(con, config)
    con.close()
    return rows, full


def test_state_rows_equal_the_batch_features(day_appended: Path) -> None:
    """Touched parties' rows from the state equal the batch features of the whole warehouse,
    except the whole-graph columns kept from the last full scan."""
    rows, full = _state_and_batch_rows(day_appended)
    for role, frame in rows.features.items():
        assert len(frame) > 0
        exact = [c for c in frame.columns if c not in DRIFTING and c in full[role].columns]
        pd.testing.assert_frame_equal(frame[exact], full[role].loc[frame.index, exact],
                                      check_exact=False, rtol=1e-9, atol=1e-9,
                                      check_like=True)


def test_only_the_touched_state_is_read(day_appended: Path) -> None:
    con = open_warehouse(day_appended, read_only=True)
    new = con.execute("SELECT count(*) FROM transactions WHERE ingest_id = "
                      "(SELECT max(ingest_id) FROM ingest_runs)").fetchall()[0][0]
    payers = con.execute("SELECT count(DISTINCT sender_id) FROM transactions").fetchall()[0][0]
    con.close()
    scan_incremental(day_appended)
    state = _record(day_appended)["state"]
    assert state["folded_payments"] == new
    assert state["loaded_payers"] < payers
    with PartyStateStore(day_appended) as store:
        assert store.meta()["payments"] == store.new_state().payments
        assert store.meta()["through_ingest_id"] == 2


def test_nothing_new_recomputes_nothing(day_appended: Path) -> None:
    scan_incremental(day_appended)
    after = pd.read_parquet(day_appended / "parties.parquet")
    again = scan_incremental(day_appended)
    record = _record(day_appended)
    assert record["payers"] == record["facilitators"] == 0
    assert record["state"]["folded_payments"] == 0
    pd.testing.assert_frame_equal(again.parties, after)


def test_the_store_round_trips_shared_pairs(day_appended: Path) -> None:
    with PartyStateStore(day_appended) as store:
        work = Workset(store.new_state())
        payer = "off0"
        store.load_payers(work, {payer})
        beneficiaries = set(work.state.payers[payer].pairs)
        store.load_beneficiaries(work, beneficiaries)
        for beneficiary in beneficiaries:
            assert (work.state.payers[payer].pairs[beneficiary]
                    is work.state.beneficiaries[beneficiary].pairs[payer])
        store.load_fan_in(work, {"nobody"})
        assert "nobody" not in work.state.beneficiaries


def test_a_foreign_pickle_is_refused(day_appended: Path) -> None:
    import pickle
    import sqlite3

    db = sqlite3.connect(day_appended / STATE_FILE)
    db.execute("UPDATE payer SET state = ? WHERE party_id = 'off0'",
               (pickle.dumps(shutil.rmtree),))
    db.commit()
    db.close()
    with PartyStateStore(day_appended) as store, pytest.raises(pickle.UnpicklingError):
        store.load_payers(Workset(store.new_state()), {"off0"})


def test_without_the_store_the_scan_recomputes_and_says_so(day_appended: Path) -> None:
    (day_appended / STATE_FILE).unlink()
    scan_incremental(day_appended)
    assert _record(day_appended)["mode"] == RECOMPUTE_MODE


def test_a_full_scan_keeps_the_graph_results(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path, mixed_world())
    scan(workspace)
    with PartyStateStore(workspace) as store:
        assert store.has_graph()
        dens = store.graph("facilitator", {"fac-1", "fac-2"})["den_size"]
    assert dens["fac-1"] >= 2


def test_stored_totals_equal_those_of_every_pair(day_appended: Path) -> None:
    """After a day folded in from the store, each beneficiary's stored totals (foreign, fixed,
    family payers, spans) equal those computed over all its pairs by a fold from scratch."""
    from dentrace.detect.party_state import _fresh_state, flag_payments_where
    from dentrace.state.replay import replay_flagged
    from dentrace.state.totals import PairTotals

    scan_incremental(day_appended)
    con = open_warehouse(day_appended, read_only=True)
    config = load_config(None)
    built = _fresh_state(config, con)
    flag_payments_where(con, config, "TRUE")
    replay_flagged(built, con)
    con.close()
    with PartyStateStore(day_appended) as store:
        work = Workset(store.new_state())
        store.load_beneficiaries(work, built.beneficiaries)
    assert set(work.totals) == set(built.beneficiaries)
    for party, stored in work.totals.items():
        expected = PairTotals.of(built.beneficiaries[party])
        assert (stored.foreign, stored.fixed, stored.family, stored.spans) == (
            expected.foreign, expected.fixed, expected.family, expected.spans), party


def test_parties_are_loaded_with_their_corridor_pairs_only(day_appended: Path) -> None:
    """Payers and beneficiaries hold their corridor pairs; other pairs stay on disk until a
    fold asks for them (``load_pairs``), one record per pair on both sides."""
    scan_incremental(day_appended)
    with PartyStateStore(day_appended) as store:
        stored = {(s, b): bool(c) for s, b, c in store.db.execute(
            "SELECT sender_id, beneficiary_id, corridor FROM pair")}
        work = Workset(store.new_state())
        store.load_beneficiaries(work, {b for _, b in stored})
        store.load_payers(work, {s for s, _ in stored})
        held = {(s, b) for s, payer in work.state.payers.items() for b in payer.pairs}
        home = [pair for pair, corridor in stored.items() if not corridor]
        store.load_pairs(work, home)
    assert home and any(stored.values())  # the toy world pays at home and abroad
    assert held == {pair for pair, corridor in stored.items() if corridor}
    for (s, b), corridor in stored.items():
        pair = work.state.payers[s].pairs[b]
        assert pair.corridor == corridor
        assert (work.state.beneficiaries[b].pairs.get(s) is pair) == corridor


def test_a_store_of_the_older_format_is_built_again(day_appended: Path) -> None:
    import sqlite3

    db = sqlite3.connect(day_appended / STATE_FILE)
    db.execute("UPDATE meta SET value = '1' WHERE key = 'format'")
    db.commit()
    db.close()
    with PartyStateStore(day_appended) as store:
        assert store.has_graph() and not store.meta().get("through_ingest_id")
        assert store.db.execute("SELECT count(*) FROM payer").fetchone()[0] == 0
    scan_incremental(day_appended)
    assert _record(day_appended)["mode"] == BUILT_MODE


def test_payers_whose_recent_window_moved_are_rescored(tmp_path: Path) -> None:
    """A payer that sends nothing new but whose corridor payment leaves the recent window as the
    clock moves is rescored, with the batch's recent columns."""
    config = load_config(None)
    rows = mixed_world()
    history = [r for r in rows if r["ts_local"] < CUT]
    old_end = max(r["ts_utc"] for r in history)
    recent = pd.Timedelta(days=config.features.recent_days).to_pytimedelta()
    quiet = []  # corridor payments 120 days and just under 90 days before the history's end
    for i, before in enumerate((recent + pd.Timedelta(days=30).to_pytimedelta(),
                                recent - pd.Timedelta(hours=1).to_pytimedelta())):
        ts_utc = old_end - before
        quiet.append({**history[0], "txn_id": f"quiet-{i}", "sender_id": "quiet-payer",
                      "ts_utc": ts_utc, "ts_local": ts_utc + pd.Timedelta(hours=10)})
    workspace = make_workspace(tmp_path, history + quiet)
    scan(workspace)
    scan_incremental(workspace)  # builds the state
    later = write_contract_csv([r for r in rows if r["ts_local"] >= CUT], tmp_path / "later.csv")
    ingest(workspace, transactions=later, quiet=True)
    touched, full = _state_and_batch_rows(workspace)
    assert touched.record["left_recent_window"] >= 1
    payers = touched.features["payer"]
    assert "quiet-payer" in payers.index
    columns = ["n_corridor_recent", "corridor_recent_per_30d"]
    assert full["payer"].loc["quiet-payer", "n_corridor_recent"] == 0  # it left the window
    pd.testing.assert_series_equal(payers.loc["quiet-payer", columns],
                                   full["payer"].loc["quiet-payer", columns], check_names=False)

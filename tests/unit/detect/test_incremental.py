"""Incremental scan: after appending a later file, the touched parties' features and scores
equal a full rescan's (graph features within a stated tolerance); the rest is kept."""

from __future__ import annotations

import functools
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from dentrace.detect import incremental, scan
from dentrace.detect.config import load_config
from dentrace.detect.incremental import touched_features
from dentrace.errors import WorkspaceError
from dentrace.features.build import build_party_features
from dentrace.graph.network import FACILITATOR_NETWORK_COLUMNS, PAYER_NETWORK_COLUMNS
from dentrace.graph.profile import FACILITATOR_PROFILE_COLUMNS, PAYER_PROFILE_COLUMNS
from dentrace.ingest import ingest
from dentrace.store.warehouse import open_warehouse
from tests.unit.detect.conftest import make_workspace, write_contract_csv
from tests.unit.features.toy_payments import mixed_world

# these tests exercise the incremental path itself: never let it switch to a full scan
scan_incremental = functools.partial(incremental.scan_incremental, full_scan_share=None)

# graph columns may look beyond one hop: they are allowed to drift (docs/performance.md)
GRAPH = {*PAYER_NETWORK_COLUMNS, *FACILITATOR_NETWORK_COLUMNS, *PAYER_PROFILE_COLUMNS,
         *FACILITATOR_PROFILE_COLUMNS}
SCORE_TOLERANCE = 0.05
CUT = pd.Timestamp("2024-10-15")


@pytest.fixture
def appended(tmp_path: Path) -> Path:
    """A workspace scanned on the history, then given a later file (not yet scanned)."""
    rows = mixed_world()
    history = [r for r in rows if r["ts_local"] < CUT]
    later = [r for r in rows if r["ts_local"] >= CUT]
    assert history and later
    workspace = make_workspace(tmp_path, history)
    scan(workspace)
    ingest(workspace, transactions=write_contract_csv(later, tmp_path / "later.csv"),
           quiet=True)
    return workspace


def _new_parties(workspace: Path) -> tuple[set[str], set[str]]:
    con = open_warehouse(workspace, read_only=True)
    rows = con.execute("SELECT sender_id, beneficiary_id FROM transactions "
                       "WHERE ingest_id = (SELECT max(ingest_id) FROM ingest_runs)").fetchall()
    con.close()
    return {r[0] for r in rows}, {r[1] for r in rows}


def test_touched_features_equal_a_full_rebuild(appended: Path) -> None:
    senders, beneficiaries = _new_parties(appended)
    since = json.loads((appended / "summary.json").read_text())["scan"]["ingest_id_through"]
    con = open_warehouse(appended)
    config = load_config(None)
    touched, counts = touched_features(con, config, since)
    full = build_party_features(con, config)
    con.close()
    assert senders <= set(touched["payer"].index)
    # facilitators: the corridor beneficiaries of the new payers (domestic payees wait)
    assert set(touched["facilitator"].index) <= beneficiaries | set(full["facilitator"].index)
    assert len(touched["facilitator"]) > 0
    assert counts["payer"] >= len(touched["payer"]) > 0
    for role, frame in touched.items():
        exact = [c for c in frame.columns if c not in GRAPH]
        pd.testing.assert_frame_equal(frame[exact], full[role].loc[frame.index, exact],
                                      check_exact=False, rtol=1e-9, atol=1e-9)


def test_incremental_scores_match_a_full_rescan(appended: Path) -> None:
    before = pd.read_parquet(appended / "parties.parquet")
    result = scan_incremental(appended)
    incremental = pd.read_parquet(appended / "parties.parquet")
    record = json.loads((appended / "summary.json").read_text())["scan"]["incremental"]
    assert record["payers"] > 0 and record["facilitators"] > 0
    assert record["to_ingest_id"] == result.ingest_id_through
    recomputed = set(zip(result.parties["party_id"], result.parties["role"], strict=True))
    assert len(incremental) >= len(before)
    scan(appended)
    full = pd.read_parquet(appended / "parties.parquet")
    both = incremental.merge(full, on=["party_id", "role"], suffixes=("_inc", "_full"))
    assert len(both) == len(full) == len(incremental)
    assert recomputed
    gap = (both["score_inc"] - both["score_full"]).abs()
    assert gap.max() <= SCORE_TOLERANCE
    senders, _ = _new_parties(appended)
    new_payers = both.loc[(both["role"] == "payer") & both["party_id"].isin(senders)]
    assert (new_payers["alert_inc"] == new_payers["alert_full"]).all()


def test_untouched_parties_keep_their_rows(appended: Path) -> None:
    before = pd.read_parquet(appended / "parties.parquet")
    scan_incremental(appended)
    record = json.loads((appended / "summary.json").read_text())["scan"]["incremental"]
    after = pd.read_parquet(appended / "parties.parquet")
    kept = before.merge(after, on=["party_id", "role"], suffixes=("_b", "_a"))
    changed = kept.loc[kept["score_b"] != kept["score_a"]]
    assert len(changed) <= record["payers"] + record["facilitators"]
    again = scan_incremental(appended)  # nothing new since: nothing recomputed, nothing lost
    record = json.loads((appended / "summary.json").read_text())["scan"]["incremental"]
    assert record["payers"] == record["facilitators"] == 0
    pd.testing.assert_frame_equal(again.parties, after)


def test_incremental_needs_a_full_scan_first(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path, mixed_world())
    with pytest.raises(WorkspaceError, match="full `dentrace scan`"):
        scan_incremental(workspace)


def test_incremental_refuses_models_other_than_the_last_full_scans(appended: Path,
                                                                   tmp_path: Path) -> None:
    from dentrace.model.shipped import SHIPPED_DIR

    other = tmp_path / "retrained"
    shutil.copytree(SHIPPED_DIR, other)
    (other / "payer.json").write_text((other / "payer.json").read_text() + "\n")
    with pytest.raises(WorkspaceError, match=r"scan\.model"):
        scan_incremental(appended, model_dir=other)
    # a workspace scanned by an older version: its outputs at the root, no generations
    shutil.rmtree(appended / "scans")
    summary = json.loads((appended / "summary.json").read_text())
    del summary["scan"]["model"]
    (appended / "summary.json").write_text(json.dumps(summary))
    with pytest.raises(WorkspaceError, match="older version"):
        scan_incremental(appended)
    scan(appended)  # a full scan records the models: incremental scans go on from it
    assert json.loads((appended / "summary.json").read_text())["scan"]["model"].startswith(
        "model:")
    scan_incremental(appended)


def test_too_many_touched_parties_run_a_full_scan_instead(appended: Path,
                                                          tmp_path: Path) -> None:
    from dentrace.detect.incremental import FULL_MODE

    copy = tmp_path / "copy"
    shutil.copytree(appended, copy)
    share = incremental.scan_incremental(appended, full_scan_share=0.0)  # always: a full scan
    record = json.loads((appended / "summary.json").read_text())["scan"]["incremental"]
    assert record["mode"] == FULL_MODE and record["new_sender_share"] > 0
    assert record["payers"] == int((share.parties["role"] == "payer").sum())
    full = scan(copy)
    pd.testing.assert_frame_equal(share.parties, full.parties)
    incremental.scan_incremental(appended, full_scan_share=1.0)  # never: the state path
    record = json.loads((appended / "summary.json").read_text())["scan"]["incremental"]
    assert record["mode"] != FULL_MODE and record["payers"] == 0  # nothing new since

"""The app beside scans and ingests (issue 16, points 5 and 6): while four clients read the API,
`dentrace scan` is killed at 20 seeded random points, and an ingest and a scan run to the end.
Two thirds of the points fall anywhere in a full scan; a third just after an incremental scan
(which has nothing new to score: it goes straight to writing) starts writing its outputs.

Every answer must come from one complete scan (no 5xx, no parties of one scan beside the
alerts of another), the next scan must complete, and ingest and scan must not fail because
someone is reading.
"""

from __future__ import annotations

import random
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from dentrace.detect.scan import scan
from tests.integration.web.live_world import (
    finished,
    ingest_command,
    kill_after,
    kill_when_outputs_change,
    live_app,
    make_workspace,
    make_world,
    reading,
    scan_command,
)

KILLS = 20
SEED = 16


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, Path]:
    """A scanned workspace with an analyst (and her token), and a second world to ingest."""
    root = tmp_path_factory.mktemp("beside")
    workspace = root / "ws"
    token = make_workspace(make_world(root, 7001), workspace)
    return workspace, token, make_world(root, 7002)


@pytest.fixture()
def workspace(template: tuple[Path, str, Path], tmp_path: Path) -> Path:
    copy = tmp_path / "ws"
    shutil.copytree(template[0], copy)
    return copy


def _read_paths(workspace: Path) -> tuple[list[str], set[str]]:
    """What the clients read: the parties alerted under one scan set and not the other, one
    of them's payments and network, the overview; and those parties."""
    default = pd.read_parquet(workspace / "parties.parquet")
    budget = scan(workspace, scorer="rules", alert_budget=float(150), write=False).parties
    both = default.merge(budget, on=["party_id", "role"], suffixes=("", "_budget"))
    differ = both.loc[both["alert"] != both["alert_budget"], "party_id"].astype(str)
    # a party scored in one role only: the party API shows its highest-scored row
    once = both.groupby("party_id").size() == 1
    chosen = sorted(set(differ) & set(once[once].index))[:3]
    assert chosen, "the two scan sets must alert different parties"
    paths = [f"/api/v1/parties/{p}" for p in chosen]
    paths += [f"/api/v1/parties/{chosen[0]}/payments?limit=20",
              f"/api/v1/parties/{chosen[0]}/network?hops=1", "/api/v1/overview"]
    return paths, set(chosen)


@pytest.mark.slow
def test_killed_scans_leave_the_last_complete_scan_served(
        template: tuple[Path, str, Path], workspace: Path) -> None:
    token = template[1]
    paths, _ = _read_paths(workspace)
    rng = random.Random(SEED)
    killed = 0
    with live_app(workspace) as base, reading(base, token, paths) as readers:
        started = time.monotonic()
        code, output = finished(scan_command(workspace, budget=True))
        took = time.monotonic() - started
        assert code == 0, f"a scan beside the readers failed: {output}"
        for point in range(KILLS):
            if point % 3:  # a random point of a full scan's run
                process = scan_command(workspace, budget=point % 2 == 0)
                killed += kill_after(process, rng.uniform(0.0, took))
            else:  # a random point just after a scan starts writing its outputs
                process = scan_command(workspace, incremental=True)
                killed += kill_when_outputs_change(process, workspace,
                                                   rng.uniform(0.0, 0.06), took * 2)
        code, output = finished(scan_command(workspace, budget=False))
        assert code == 0, f"the scan after {killed} kills failed: {output}"
        time.sleep(0.5)  # the readers see the last scan
    assert killed >= KILLS // 2, "most scans must be killed before they end"
    assert len(readers.answers) > 50 and not readers.failures, readers.failures[:5]
    assert readers.server_errors() == [], readers.server_errors()[:10]
    assert readers.mixed == [], readers.mixed[:5]
    final = pd.read_parquet(workspace / "parties.parquet")
    alerts = pd.read_parquet(workspace / "alerts.parquet")
    assert set(final.loc[final["alert"], "party_id"]) == set(alerts["party_id"])


@pytest.mark.slow
def test_ingest_and_scan_beside_four_readers(template: tuple[Path, str, Path],
                                             workspace: Path) -> None:
    token, second_world = template[1], template[2]
    paths, _ = _read_paths(workspace)
    before = len(pd.read_parquet(workspace / "parties.parquet"))
    with live_app(workspace) as base, reading(base, token, paths) as readers:
        time.sleep(1.0)  # the readers are at work
        code, output = finished(ingest_command(workspace, second_world))
        assert code == 0, f"ingest beside the readers failed: {output}"
        code, output = finished(scan_command(workspace, budget=False))
        assert code == 0, f"scan beside the readers failed: {output}"
        time.sleep(0.5)
    assert len(readers.answers) > 20 and not readers.failures, readers.failures[:5]
    assert readers.server_errors() == [], readers.server_errors()[:10]
    assert readers.mixed == [], readers.mixed[:5]
    assert len(pd.read_parquet(workspace / "parties.parquet")) > before  # the new payers


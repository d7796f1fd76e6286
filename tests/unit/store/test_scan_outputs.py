"""Scan outputs published as one set (issue 16, point 5): a new generation switched to by one
rename, mirrored at the root; a writer killed at any point leaves the last set whole."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from dentrace.store.scan_outputs import (
    ALERTS_FILE,
    PARTIES_FILE,
    SCANS_DIR,
    STAGE1_FILE,
    current_scan,
    mirror_scan,
    publish_scan,
    write_atomically,
)
from dentrace.store.workspace import Workspace


def _tables(tag: str, rows: int = 3) -> dict[str, pd.DataFrame | None]:
    parties = pd.DataFrame({"party_id": [f"{tag}{i}" for i in range(rows)], "score": 0.5})
    return {PARTIES_FILE: parties, ALERTS_FILE: parties.head(1), STAGE1_FILE: None}


def test_a_published_set_is_in_force_and_mirrored_at_the_root(tmp_path: Path) -> None:
    Workspace(tmp_path).merge_summary({"rows_read": 7})  # an ingest's counts
    first = publish_scan(tmp_path, _tables("a"), {"run": 1})
    assert current_scan(tmp_path) == first and first.generation is not None
    assert os.path.samefile(first.parties, tmp_path / PARTIES_FILE)  # a link, not a copy
    assert pd.read_parquet(tmp_path / ALERTS_FILE)["party_id"].tolist() == ["a0"]
    assert json.loads((tmp_path / "summary.json").read_text()) == {"rows_read": 7,
                                                                   "scan": {"run": 1}}
    second = publish_scan(tmp_path, _tables("b"), {"run": 2})
    assert current_scan(tmp_path).entry() == {"run": 2}
    assert pd.read_parquet(tmp_path / PARTIES_FILE)["party_id"].tolist() == ["b0", "b1", "b2"]
    assert first.parties.is_file()  # a request may still read the set before
    publish_scan(tmp_path, _tables("c"), {"run": 3})
    assert not first.folder.exists() and second.folder.exists()


def test_a_workspace_scanned_before_generations_reads_its_root_files(tmp_path: Path) -> None:
    _tables("r")[PARTIES_FILE].to_parquet(tmp_path / PARTIES_FILE)  # type: ignore[union-attr]
    (tmp_path / "summary.json").write_text(json.dumps({"scan": {"run": 0}}))
    old = current_scan(tmp_path)
    assert old.generation is None and old.parties == tmp_path / PARTIES_FILE
    assert old.entry() == {"run": 0}
    assert publish_scan(tmp_path, _tables("n"), {"run": 1}).generation is not None


def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(tmp_path: Path) -> None:
    target = tmp_path / "summary.json"
    target.write_text("old")

    def half(temp: Path) -> None:
        temp.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_atomically(target, half)
    assert target.read_text() == "old" and sorted(os.listdir(tmp_path)) == ["summary.json"]


def test_a_mirror_cut_short_is_finished_by_the_next_writer(tmp_path: Path) -> None:
    publish_scan(tmp_path, _tables("a"), {"run": 1})
    newer = publish_scan(tmp_path, _tables("b"), {"run": 2})
    (tmp_path / PARTIES_FILE).unlink()  # as if killed between the switch and the mirror
    Workspace(tmp_path).merge_summary({"scan": {"run": 1}})
    mirror_scan(tmp_path)
    assert os.path.samefile(newer.parties, tmp_path / PARTIES_FILE)
    assert json.loads((tmp_path / "summary.json").read_text())["scan"] == {"run": 2}


PUBLISH = """
import sys
import pandas as pd
from dentrace.store.scan_outputs import publish_scan
rows = 1_000_000
parties = pd.DataFrame({"party_id": [f"n{i}" for i in range(rows)], "score": 0.25})
print("go", flush=True)
publish_scan(sys.argv[1], {"parties.parquet": parties, "alerts.parquet": parties.head(10),
                           "payer_stage1.parquet": parties}, {"run": "new"})
"""


def test_a_writer_killed_at_random_points_leaves_the_last_set_whole(tmp_path: Path) -> None:
    publish_scan(tmp_path, _tables("a"), {"run": "old"})
    rng = random.Random(5)
    outcomes: set[str | None] = set()
    # the first kill comes at once (before the switch, surely), the others at random
    for delay in [0.0, *(rng.uniform(0.0, 0.5) for _ in range(5))]:
        child = subprocess.Popen([sys.executable, "-c", PUBLISH, str(tmp_path)],
                                 stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None and child.stdout.readline().strip() == "go"
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait()
        now = current_scan(tmp_path)
        parties = pd.read_parquet(now.parties)
        alerts = pd.read_parquet(now.alerts)
        # whole, and one set: the old one, or the new one entirely
        run = (now.entry() or {}).get("run")
        assert (run, len(parties), len(alerts)) in {("old", 3, 1), ("new", 1_000_000, 10)}
        outcomes.add(run)
        assert len(pd.read_parquet(tmp_path / PARTIES_FILE)) in (3, 1_000_000)
        publish_scan(tmp_path, _tables("a"), {"run": "old"})  # back to the old set
    leftovers = [p.name for p in (tmp_path / SCANS_DIR).iterdir() if p.name.startswith(".")]
    assert leftovers == [], leftovers  # the killed writers' folders are gone
    assert "old" in outcomes

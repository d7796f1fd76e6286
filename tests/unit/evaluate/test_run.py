"""Evaluation's workspace handling and world metadata, without scanning."""

from __future__ import annotations

from pathlib import Path

import pytest

from dentrace.errors import InputError, WorkspaceError
from dentrace.evaluate.run import evaluate_world, fresh_workspace, world_seed


def test_fresh_workspace_replaces_an_old_workspace_only(tmp_path: Path) -> None:
    old = tmp_path / "workspace"
    old.mkdir()
    (old / "warehouse.duckdb").write_text("old")
    assert list(fresh_workspace(old).iterdir()) == []
    other = tmp_path / "photos"
    other.mkdir()
    (other / "holiday.jpg").write_text("keep me")
    with pytest.raises(WorkspaceError, match="not a dentrace workspace"):
        fresh_workspace(other)
    assert (other / "holiday.jpg").exists()


def test_world_seed_comes_from_world_json(tmp_path: Path) -> None:
    assert world_seed(tmp_path) is None
    (tmp_path / "world.json").write_text('{"seed": 1001, "scale": 1.0}')
    assert world_seed(tmp_path) == 1001


def test_a_world_without_truth_is_refused_before_anything_runs(tmp_path: Path) -> None:
    (tmp_path / "customers.csv").write_text("customer_id\nc1\n")
    with pytest.raises(InputError, match="no truth"):
        evaluate_world(tmp_path, tmp_path / "out")
    assert not (tmp_path / "out").exists()

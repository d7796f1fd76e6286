"""The targets of issue 25 on a real bundle: dentrace's own scan scores at least 0.6 in its
top 50, a random ranking under 0.05; the CLI writes the scorecard and the leaderboard."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from dentrace.cli.main import app
from dentrace.exercise import Exercise
from dentrace.exercise.scorecard import score_exercise
from dentrace.store.workspace import Workspace


def _scan(bundle: Path, workspace: Path) -> pd.DataFrame:
    from dentrace.detect import scan
    from dentrace.ingest import ingest

    world = bundle / "world"
    ingest(workspace, transactions=world / "transactions",
           customers=world / "customers.parquet", known=world / "known.parquet", quiet=True)
    scan(workspace)
    parties = pd.read_parquet(Workspace(workspace).parties)
    return parties.sort_values(["alert", "score", "party_id"], ascending=[False, False, True])


def test_own_scan_beats_a_random_ranking(exercise: Exercise, tmp_path: Path) -> None:
    parties = _scan(exercise.bundle, tmp_path / "ws")
    ours = tmp_path / "dentrace.csv"
    parties[["party_id"]].head(50).to_csv(ours, index=False)
    ranked = parties[["party_id"]].sample(frac=1.0, random_state=11)
    chance = tmp_path / "random.csv"
    ranked.to_csv(chance, index=False)
    card = score_exercise(exercise.bundle, exercise.key, ours)
    assert card["positives"] >= 5
    assert card["precision_at_50"] >= 0.6, card
    assert score_exercise(exercise.bundle, exercise.key, chance)["precision_at_50"] < 0.05

    runner = CliRunner()
    out = tmp_path / "cards"
    for name in (ours, chance):
        result = runner.invoke(app, ["exercise", "score", "--bundle", str(exercise.bundle),
                                     "--key", str(exercise.key), "--submission", str(name),
                                     "--out", str(out)])
        assert result.exit_code == 0, result.output
    assert json.loads((out / "dentrace.json").read_text())["precision_at_50"] == \
        card["precision_at_50"]
    result = runner.invoke(app, ["exercise", "board", str(out / "random.json"),
                                 str(out / "dentrace.json"), "--out", str(tmp_path / "board")])
    assert result.exit_code == 0, result.output
    board = json.loads((tmp_path / "board.json").read_text())
    assert [r["trainee"] for r in board["ranking"]] == ["dentrace", "random"]


def test_the_cli_refuses_a_changed_key_and_a_missing_submission(exercise: Exercise,
                                                                  tmp_path: Path) -> None:
    changed = tmp_path / "key.parquet"
    changed.write_bytes(exercise.key.read_bytes() + b"x")
    listed = tmp_path / "list.csv"
    listed.write_text("party_id\nX\n", encoding="utf-8")
    runner = CliRunner()
    base = ["exercise", "score", "--bundle", str(exercise.bundle), "--out", str(tmp_path)]
    result = runner.invoke(app, [*base, "--key", str(changed), "--submission", str(listed)])
    assert result.exit_code == 2 and "SHA-256" in result.output
    result = runner.invoke(app, [*base, "--key", str(exercise.key)])
    assert result.exit_code == 2 and "either --submission" in result.output

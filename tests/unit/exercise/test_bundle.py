"""The bundle trainees get never holds the answer key, and a changed key is refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from dentrace.errors import ConfigError, InputError
from dentrace.exercise import Exercise, new_exercise, read_key, read_manifest
from dentrace.exercise.bundle import sha256_of


def test_the_bundle_holds_no_truth_and_no_copy_of_the_key(exercise: Exercise) -> None:
    files = [p for p in exercise.bundle.rglob("*") if p.is_file()]
    assert not [p for p in files if p.stem == "truth"]
    key_hash = sha256_of(exercise.key)
    assert all(sha256_of(p) != key_hash for p in files)
    for parquet in (p for p in files if p.suffix == ".parquet"):
        names = pq.read_schema(parquet).names
        assert "is_positive" not in names and "population" not in names, parquet
    key = read_key(exercise.key, read_manifest(exercise.bundle))
    positives = set(key.loc[key["is_positive"], "party_id"])
    assert positives  # the world has offenders and facilitators to find
    text = b"".join(p.read_bytes() for p in files if p.suffix in (".json", ".html"))
    assert b"is_positive" not in text and b"offender" not in text
    # nothing in the text files names a positive party
    assert not [p for p in positives if p.encode() in text]


def test_the_manifest_holds_the_key_hash_and_every_file_hash(exercise: Exercise) -> None:
    manifest = read_manifest(exercise.bundle)
    assert manifest["key_sha256"] == sha256_of(exercise.key)
    assert manifest["level"] == 1
    assert manifest["institutions"][0]["kind"] == "remitter"
    for name, digest in manifest["files"].items():
        assert sha256_of(exercise.bundle / name) == digest


def test_a_tampered_key_is_refused(exercise: Exercise, tmp_path: Path) -> None:
    manifest = read_manifest(exercise.bundle)
    key = pd.read_parquet(exercise.key)
    key.loc[key.index[0], "is_positive"] = not bool(key.loc[key.index[0], "is_positive"])
    tampered = tmp_path / "key.parquet"
    key.to_parquet(tampered, index=False)
    with pytest.raises(InputError, match="SHA-256"):
        read_key(tampered, manifest)
    appended = tmp_path / "appended.parquet"
    shutil.copy(exercise.key, appended)
    with appended.open("ab") as handle:
        handle.write(b"\n")
    with pytest.raises(InputError, match="changed or belongs to another exercise"):
        read_key(appended, manifest)
    assert len(read_key(exercise.key, manifest)) == len(key)


def test_a_key_inside_the_bundle_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="outside the bundle"):
        new_exercise(1, seed=1, out=tmp_path / "b", key_out=tmp_path / "b" / "key.parquet")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "mine.txt").write_text("keep me")
    with pytest.raises(ConfigError, match="not an exercise bundle"):
        new_exercise(1, seed=1, out=tmp_path / "notes", key_out=tmp_path / "key.parquet")
    assert (tmp_path / "notes" / "mine.txt").read_text() == "keep me"


def test_an_unknown_level_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="level must be one of 1, 2, 3"):
        new_exercise(4, seed=1, out=tmp_path / "b", key_out=tmp_path / "key.parquet")


def test_the_briefing_escapes_what_it_shows(exercise: Exercise) -> None:
    from dentrace.exercise.briefing import briefing_html
    from dentrace.exercise.levels import LEVELS

    manifest = dict(read_manifest(exercise.bundle))
    manifest["institutions"] = [{**manifest["institutions"][0],
                                 "name": "<script>alert(1)</script>\x1b[2J"}]
    page = briefing_html(LEVELS[1], manifest)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "\x1b" not in page and "\\x1b[2J" in page
    assert "90 minutes" in page and "party_id" in page


def test_a_changed_world_file_is_refused_at_the_start(exercise: Exercise,
                                                      tmp_path: Path) -> None:
    from dentrace.exercise.workspace import start_exercise, verify_bundle

    copy = tmp_path / "bundle"
    shutil.copytree(exercise.bundle, copy)
    verify_bundle(copy, read_manifest(copy))
    with (copy / "world" / "known.parquet").open("ab") as handle:
        handle.write(b"\0")
    with pytest.raises(InputError, match=r"known\.parquet: changed since"):
        start_exercise(copy, tmp_path / "ws")
    assert not (tmp_path / "ws").exists()


def test_the_banner_reads_the_workspace_exercise_and_never_fails(tmp_path: Path) -> None:
    import json
    from datetime import UTC, datetime, timedelta

    from dentrace.exercise.banner import read_exercise
    from dentrace.store.workspace import Workspace

    assert read_exercise(tmp_path) is None
    path = Workspace(tmp_path).exercise
    ends = datetime.now(UTC) + timedelta(minutes=30)
    path.write_text(json.dumps({"exercise": "L2-seed1", "title": "<b>x</b>",
                                "ends": ends.isoformat(), "key_sha256": "secret?"}))
    shown = read_exercise(tmp_path)
    assert shown is not None and shown["exercise"] == "L2-seed1"
    assert 29 * 60 <= shown["seconds_left"] <= 30 * 60
    assert "key_sha256" not in shown
    path.write_text(json.dumps({"exercise": "L2-seed1", "ends": "2020-01-01T00:00:00+00:00"}))
    assert read_exercise(tmp_path)["seconds_left"] == 0  # type: ignore[index]
    path.write_text("{not json")
    assert read_exercise(tmp_path) is None
    path.write_text(json.dumps({"exercise": "x"}))
    assert read_exercise(tmp_path) is None

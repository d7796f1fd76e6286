"""Build an exercise: the bundle trainees get (worlds without truth, briefing, manifest) and the
answer key written apart, whose SHA-256 the manifest holds so the key cannot change later.

Read back with ``read_manifest`` and ``read_key``; a key whose hash differs is refused.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from dentrace import __version__
from dentrace.errors import ConfigError, InputError
from dentrace.evaluate.world_files import find_world_file, read_table, read_truth
from dentrace.exercise.briefing import briefing_html
from dentrace.exercise.levels import InstitutionWorld, build_worlds, level_of
from dentrace.writing.files import write_whole

FORMAT = "dentrace-exercise 1"
MANIFEST = "manifest.json"
BRIEFING = "briefing.html"
WORLD = "world"
KEY_COLUMNS = ("party_id", "role", "population", "is_positive", "group_id", "institution")


@dataclass(frozen=True)
class Exercise:
    """What ``new_exercise`` wrote."""

    bundle: Path
    key: Path
    manifest: dict[str, Any]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def new_exercise(level_number: int, seed: int, out: Path, key_out: Path,
                 scale: float | None = None, minutes: int | None = None) -> Exercise:
    """Generate the level's worlds, write the bundle into ``out`` and the key to ``key_out``."""
    level = level_of(level_number)
    out, key_out = Path(out), Path(key_out)
    _check_places(out, key_out)
    with tempfile.TemporaryDirectory(prefix="dentrace-exercise-") as scratch:
        worlds = build_worlds(level, seed, scale or level.scale, Path(scratch))
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        folders = {w.name: _copy_without_truth(w, out, len(worlds) > 1) for w in worlds}
        key = _key_table(worlds)
    key_out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=key_out.parent) as temporary:
        written = Path(temporary) / "key.parquet"
        pq.write_table(key, written, compression="zstd")
        write_whole(key_out, written.read_bytes())
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "exercise": f"L{level.number}-seed{seed}",
        "level": level.number,
        "title": level.title,
        "seed": seed,
        "scale": scale or level.scale,
        "minutes": minutes or level.minutes,
        "generator": f"dentrace {__version__}",
        "institutions": [{**w.description, "folder": folders[w.name]} for w in worlds],
        "key_sha256": sha256_of(key_out),
    }
    write_whole(out / BRIEFING, briefing_html(level, manifest))
    manifest["files"] = {str(p.relative_to(out)): sha256_of(p)
                         for p in sorted(out.rglob("*")) if p.is_file()}
    write_whole(out / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return Exercise(out, key_out, manifest)


def _check_places(out: Path, key_out: Path) -> None:
    """The key never goes into the bundle, and an unrelated folder is never replaced."""
    if key_out.resolve().is_relative_to(out.resolve()):
        raise ConfigError(f"the key ({key_out}) must be written outside the bundle ({out})")
    if out.exists() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise ConfigError(f"{out}: exists and is not an exercise bundle; choose another --out")


def _copy_without_truth(world: InstitutionWorld, out: Path, several: bool) -> str:
    """Copy transactions, customers and known (never truth) into the bundle."""
    target = out / WORLD / world.name if several else out / WORLD
    shutil.copytree(world.folder / "transactions", target / "transactions")
    for stem in ("customers", "known"):
        found = find_world_file(world.folder, stem)
        if found is not None:
            shutil.copy2(found, target / found.name)
    return str(target.relative_to(out))


def _key_table(worlds: list[InstitutionWorld]) -> pa.Table:
    frames = []
    for world in worlds:
        truth_file = find_world_file(world.folder, "truth")
        if truth_file is None:
            raise InputError("the generated world has no truth file", file=world.folder)
        frames.append(read_truth(truth_file).assign(institution=world.name))
    key = pd.concat(frames, ignore_index=True)
    key["group_id"] = key["group_id"].astype("string")
    key = key.sort_values(["institution", "party_id", "role"], kind="stable")
    return pa.Table.from_pandas(key[list(KEY_COLUMNS)].reset_index(drop=True),
                                preserve_index=False)


def read_manifest(bundle: Path) -> dict[str, Any]:
    """The bundle's manifest; InputError naming the file when absent or not an exercise's."""
    path = Path(bundle) / MANIFEST
    if not path.is_file():
        raise InputError("no manifest.json: not an exercise bundle", file=bundle)
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise InputError(f"not JSON ({error})", file=path) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InputError(f"not a '{FORMAT}' manifest", file=path, field="format")
    return manifest


def read_key(key: Path, manifest: dict[str, Any]) -> pd.DataFrame:
    """The answer key, refused when its SHA-256 is not the one the bundle was made with."""
    key = Path(key)
    if not key.is_file():
        raise InputError("no such answer key", file=key)
    found = sha256_of(key)
    if found != manifest.get("key_sha256"):
        raise InputError(f"the key's SHA-256 {found[:16]}… is not the bundle's "
                         f"{str(manifest.get('key_sha256'))[:16]}…: the key was changed or "
                         "belongs to another exercise", file=key)
    table = read_table(key)
    missing = [c for c in KEY_COLUMNS if c not in table.columns]
    if missing:
        raise InputError("not an answer key", file=key, field=missing[0])
    return table


def bundle_known_ids(bundle: Path, manifest: dict[str, Any]) -> set[str]:
    """The parties the bundle's known files name: given to trainees, so never scored."""
    ids: set[str] = set()
    for inst in manifest.get("institutions", []):
        found = find_world_file(Path(bundle) / str(inst.get("folder", WORLD)), "known")
        if found is not None:
            ids |= set(read_table(found)["party_id"].astype(str))
    return ids

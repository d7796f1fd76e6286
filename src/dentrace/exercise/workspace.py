"""An exercise workspace: the bundle's world (one institution) ingested and scanned, its alerts
in the queue, and the workspace's exercise manifest the app reads for its banner and countdown.

The start is audited (``start_exercise``), so the time to the first den is measured from it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from dentrace.errors import ConfigError, InputError, WorkspaceError
from dentrace.exercise.bundle import read_manifest, sha256_of
from dentrace.exercise.submission import START_ACTION
from dentrace.store.workspace import Workspace
from dentrace.writing.files import write_whole


def verify_bundle(bundle: Path, manifest: dict[str, Any]) -> None:
    """Every file the manifest lists is there with its hash: the world was not changed."""
    for name, digest in sorted(dict(manifest.get("files", {})).items()):
        path = Path(bundle) / name
        if not path.is_file():
            raise InputError("a file of the bundle is missing", file=path)
        if sha256_of(path) != digest:
            raise InputError("changed since the exercise was made (SHA-256 differs from the "
                             "manifest's)", file=path)


def _institution(manifest: dict[str, Any], name: str | None) -> dict[str, Any]:
    institutions = list(manifest.get("institutions", []))
    names = [str(i.get("name")) for i in institutions]
    if name is None and len(institutions) == 1:
        return dict(institutions[0])
    if name is None:
        raise ConfigError(f"this exercise has {len(names)} institutions: choose one with "
                          f"--institution ({', '.join(names)})")
    if name not in names:
        raise ConfigError(f"no institution {name!r} in this exercise ({', '.join(names)})")
    return dict(institutions[names.index(name)])


def start_exercise(bundle: Path, workspace: Path, institution: str | None = None,
                   database_url: str | None = None, now: datetime | None = None
                   ) -> dict[str, Any]:
    """Ingest and scan the bundle's world into a new ``workspace``, queue its alerts, write the
    workspace's exercise manifest and audit the start; returns that manifest."""
    from dentrace import audit
    from dentrace.cases.alerts import import_alerts
    from dentrace.detect import scan
    from dentrace.ingest import ingest
    from dentrace.store.sql import open_store

    manifest = read_manifest(bundle)
    verify_bundle(bundle, manifest)
    chosen = _institution(manifest, institution)
    space = Workspace(workspace)
    if space.has_warehouse:
        raise WorkspaceError(f"{workspace}: already holds data; an exercise starts in a new "
                             "workspace")
    world = Path(bundle) / str(chosen["folder"])
    known = world / "known.parquet"
    ingest(workspace, transactions=world / "transactions",
           customers=world / "customers.parquet", known=known if known.is_file() else None,
           quiet=True)
    scan(workspace)
    store = open_store(workspace, database_url)
    try:
        import_alerts(store, space.alerts)
        started = (now or datetime.now(UTC)).astimezone(UTC)
        minutes = int(manifest.get("minutes", 0))
        held = {"exercise": manifest.get("exercise"), "title": manifest.get("title"),
                "level": manifest.get("level"), "institution": chosen.get("name"),
                "minutes": minutes, "started": started.isoformat(timespec="seconds"),
                "ends": (started + timedelta(minutes=minutes)).isoformat(timespec="seconds"),
                "key_sha256": manifest.get("key_sha256")}
        with store.session() as session:
            audit.record(session, actor=audit.local_operator(), action=START_ACTION,
                         target_type="exercise", target_id=str(held["exercise"]),
                         origin="cli", detail=held)
    finally:
        store.engine.dispose()
    write_whole(space.exercise, json.dumps(held, indent=2, sort_keys=True) + "\n")
    return held

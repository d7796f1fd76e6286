"""A workspace folder and what is in it: the one module that names its files, reads, merges and
writes ``summary.json``, and opens its warehouse.

Every other module asks a ``Workspace`` for a path (``Workspace(folder).warehouse``, ``.cases_db``,
``.party_state`` …) instead of spelling a file name; docs/architecture.md ("A workspace") lists
the same files, and tests/unit/store/test_workspace.py fails when a name is spelled elsewhere
in src/. The names are those of every earlier version: an old workspace opens as it is.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dentrace.store import warehouse_access
from dentrace.store.atomic import write_text_atomically

if TYPE_CHECKING:
    import duckdb

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: summary updates are not serialised
    fcntl = None  # type: ignore[assignment]

WAREHOUSE_FILE = "warehouse.duckdb"
SUMMARY_FILE = "summary.json"
SUMMARY_LOCK_FILE = f".{SUMMARY_FILE}.lock"
CASES_FILE = "cases.sqlite"
STATE_FILE = "party_state.sqlite"
SCREENING_LOG_FILE = "screening.jsonl"
REPORTS_DIR = "reports"
ATTACHMENTS_DIR = "attachments"
GRAPHS_DIR = "graphs"
LAKE_DIR = "lake"
SPARK_SCRATCH_DIR = "spark-scratch"
DEMO_MARKER_FILE = ".dentrace-demo"
DEMO_WORLD_DIR = "world"
EXERCISE_FILE = "exercise.json"  # a training exercise's start and time allowed (exercise/)
# other institutions' signals matched to local parties (share/results.py)
SHARE_DIR = "share"
SHARE_MATCHES_FILE = "matches.parquet"
SHARE_REVOKED_FILE = "revoked.parquet"
# the scan outputs (store.scan_outputs): one folder per generation, ``current`` names the one
# in force, and its files are mirrored at the root under the same names
SCANS_DIR = "scans"
CURRENT_FILE = "current"
PARTIES_FILE = "parties.parquet"
ALERTS_FILE = "alerts.parquet"
STAGE1_FILE = "payer_stage1.parquet"
SCAN_ENTRY_FILE = "scan.json"
TABLE_FILES = (PARTIES_FILE, ALERTS_FILE, STAGE1_FILE)


def _generation_name(name: str) -> bool:
    """Whether ``name`` (read from ``scans/current``) can name a generation folder: one plain
    path component, so a damaged or hostile pointer cannot lead outside ``scans/``."""
    return (bool(name) and not name.startswith(".") and "/" not in name and "\\" not in name
            and "\0" not in name)


@dataclass(frozen=True)
class Workspace:
    """The workspace folder ``root``; every path in it, its summary and its warehouse."""

    root: Path

    def __init__(self, root: str | os.PathLike[str] | Workspace) -> None:
        object.__setattr__(self, "root", root.root if isinstance(root, Workspace)
                           else Path(root))

    # -- paths -----------------------------------------------------------------------------

    @property
    def warehouse(self) -> Path:
        """The DuckDB warehouse (ingest writes it; everything else reads it)."""
        return self.root / WAREHOUSE_FILE

    @property
    def has_warehouse(self) -> bool:
        return self.warehouse.exists()

    @property
    def summary(self) -> Path:
        """``summary.json``: ingest counts and the ``scan`` entry of the set in force."""
        return self.root / SUMMARY_FILE

    @property
    def summary_lock(self) -> Path:
        """The empty lock file that makes one writer of the summary (and of the switch of
        ``scans/current``) at a time."""
        return self.root / SUMMARY_LOCK_FILE

    @property
    def cases_db(self) -> Path:
        """The cases database when no PostgreSQL URL is given."""
        return self.root / CASES_FILE

    @property
    def party_state(self) -> Path:
        """The party state store of the incremental scan and screening (``state/store.py``)."""
        return self.root / STATE_FILE

    @property
    def screening_log(self) -> Path:
        """One JSON line per screened payment."""
        return self.root / SCREENING_LOG_FILE

    @property
    def reports(self) -> Path:
        """The folder of the reports generated from the app."""
        return self.root / REPORTS_DIR

    @property
    def attachments(self) -> Path:
        """The folder of the documents attached to cases (``cases/attachments.py``)."""
        return self.root / ATTACHMENTS_DIR

    @property
    def graphs(self) -> Path:
        """The folder of the ego networks ``dentrace graph`` exports."""
        return self.root / GRAPHS_DIR

    @property
    def lake(self) -> Path:
        """The transactions exported as Parquet for Spark (``engine/lake.py``)."""
        return self.root / LAKE_DIR

    @property
    def spark_scratch(self) -> Path:
        """Spark's temporary tables."""
        return self.root / SPARK_SCRATCH_DIR

    @property
    def demo_marker(self) -> Path:
        """The file that marks a workspace ``dentrace demo`` made (and may replace)."""
        return self.root / DEMO_MARKER_FILE

    @property
    def demo_world(self) -> Path:
        """The synthetic world ``dentrace demo`` generates inside the workspace it makes."""
        return self.root / DEMO_WORLD_DIR

    @property
    def exercise(self) -> Path:
        """The manifest of the training exercise this workspace holds (``exercise start``)."""
        return self.root / EXERCISE_FILE

    @property
    def share(self) -> Path:
        """The folder of the shared signals matched here (``dentrace share match``)."""
        return self.root / SHARE_DIR

    @property
    def share_matches(self) -> Path:
        """The matches in force, one row per local party and signal."""
        return self.share / SHARE_MATCHES_FILE

    @property
    def share_revoked(self) -> Path:
        """The withdrawals of signals received."""
        return self.share / SHARE_REVOKED_FILE

    @property
    def scans(self) -> Path:
        """The folder of the scan output generations."""
        return self.root / SCANS_DIR

    @property
    def scans_current(self) -> Path:
        """The file naming the generation in force."""
        return self.scans / CURRENT_FILE

    def generation(self, name: str) -> Path:
        """The folder of one generation of scan outputs (``ValueError``: not a plain name)."""
        if not _generation_name(name):
            raise ValueError(f"{self.scans}: {name!r} is not a scan generation's name")
        return self.scans / name

    def root_output(self, name: str) -> Path:
        """A scan output file as mirrored at the root (``parties.parquet`` …)."""
        if name not in TABLE_FILES:
            raise ValueError(f"{name!r} is not a scan output file ({', '.join(TABLE_FILES)})")
        return self.root / name

    @property
    def parties(self) -> Path:
        """``parties.parquet`` at the root: the set in force, a hard link to its file."""
        return self.root_output(PARTIES_FILE)

    @property
    def alerts(self) -> Path:
        """``alerts.parquet`` at the root: the set in force, a hard link to its file."""
        return self.root_output(ALERTS_FILE)

    def current_scan(self) -> ScanSet:
        """The set in force: the generation ``scans/current`` names, else the root files (a
        workspace scanned before generations existed, or none yet)."""
        try:
            name = self.scans_current.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return ScanSet(self.root, None)
        if _generation_name(name) and self.generation(name).is_dir():
            return ScanSet(self.root, name)
        return ScanSet(self.root, None)

    # -- summary.json ----------------------------------------------------------------------

    def read_summary(self) -> dict[str, Any]:
        """The summary's content; empty when it is absent, unreadable or not a JSON object."""
        try:
            found = json.loads(self.summary.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            return {}
        return found if isinstance(found, dict) else {}

    @contextmanager
    def _summary_turn(self) -> Iterator[None]:
        """Serialise read-modify-writes of the summary (an ingest and a scan may end together;
        ``flock`` on a descriptor of its own also parts threads of one process)."""
        if fcntl is None:
            yield
            return
        handle = os.open(self.summary_lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield
        finally:
            os.close(handle)

    def update_summary(self, change: Callable[[dict[str, Any]], None]) -> None:
        """Apply ``change`` to the summary's content (empty when absent or unreadable) and
        write it back whole (a reader sees the old file or the new one), one writer at a time."""
        with self._summary_turn():
            summary = self.read_summary()
            change(summary)
            write_text_atomically(self.summary, json.dumps(summary, indent=2) + "\n")

    def merge_summary(self, sections: Mapping[str, Any]) -> None:
        """Replace the summary's top-level ``sections`` (ingest: its counts; a scan: ``scan``),
        keeping every other one."""
        self.update_summary(lambda summary: summary.update(sections))

    # -- the warehouse ---------------------------------------------------------------------

    def open_warehouse(self, *, create: bool = False, read_only: bool = False,
                       wait: float | None = None) -> duckdb.DuckDBPyConnection:
        """The warehouse with its schema checked (an older one migrated) and the session set
        up (UTC, memory cap): ``store.warehouse.open_warehouse``, through the readers' and
        writers' lock of ``store.warehouse_access``."""
        from dentrace.store.warehouse import open_warehouse

        return open_warehouse(self.root, create=create, read_only=read_only, wait=wait)

    def connect_warehouse(self, *, read_only: bool = True, wait: float | None = None
                          ) -> duckdb.DuckDBPyConnection:
        """The bare connection, through the same lock, with no schema check or session set-up
        (the app's per-request reads set their own); close it with ``close_warehouse``."""
        return warehouse_access.connect(self.warehouse, read_only=read_only, wait=wait)

    @staticmethod
    def close_warehouse(con: duckdb.DuckDBPyConnection) -> None:
        """Close a connection of ``connect_warehouse`` (taking turns with other threads)."""
        warehouse_access.close(con)

    def scan_turn(self, wait: float | None = None) -> AbstractContextManager[None]:
        """Scans of this workspace take turns (``store.warehouse_access.scan_turn``)."""
        return warehouse_access.scan_turn(self.warehouse, wait)

    def readers_waiting(self, since: float) -> bool:
        """Whether a reader started waiting for the warehouse after ``since`` (``time.time()``)."""
        return warehouse_access.readers_waiting(self.warehouse, since)


@dataclass(frozen=True)
class ScanSet:
    """One scan's outputs: the files of one generation folder (``generation`` None: the
    workspace root of a workspace scanned before generations existed)."""

    workspace: Path
    generation: str | None

    @property
    def folder(self) -> Path:
        if self.generation is None:
            return self.workspace
        return Workspace(self.workspace).generation(self.generation)

    def path(self, name: str) -> Path:
        """The path of one output file of the set (it may not exist: no scan yet)."""
        return self.folder / name

    @property
    def parties(self) -> Path:
        return self.path(PARTIES_FILE)

    @property
    def alerts(self) -> Path:
        return self.path(ALERTS_FILE)

    @property
    def stage1(self) -> Path:
        return self.path(STAGE1_FILE)

    def entry(self) -> dict[str, Any] | None:
        """The set's ``scan`` entry of the summary (None: no readable one)."""
        if self.generation is None:
            found = Workspace(self.workspace).read_summary().get("scan")
        else:
            try:
                found = json.loads(self.path(SCAN_ENTRY_FILE).read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError):
                return None
        return found if isinstance(found, dict) else None


def current_scan(workspace: Path | Workspace) -> ScanSet:
    """The set in force of ``workspace`` (``Workspace.current_scan``)."""
    return Workspace(workspace).current_scan()

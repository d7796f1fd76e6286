"""docs/architecture.md is a tested contract: it names every folder of src/dentrace/, every file
a real workspace holds, and its dependency diagram is scripts/deps_diagram.py's output."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from dentrace import cases
from dentrace.cli.graph import graph as export_graph
from dentrace.detect import scan
from dentrace.detect.incremental import scan_incremental
from dentrace.ingest import ingest
from dentrace.screen import contract_payment, screener_from_workspace
from dentrace.screen.log import ScreeningLog
from dentrace.store import workspace as workspace_names
from dentrace.store.sql import open_store
from dentrace.store.workspace import (
    CASES_FILE,
    SCANS_DIR,
    SCREENING_LOG_FILE,
    STATE_FILE,
    WAREHOUSE_FILE,
    Workspace,
)
from dentrace.synth import generate_world

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"
PACKAGE = ROOT / "src" / "dentrace"
# a generation of scans/ is named by its time and process: the doc names it scans/<generation>/
GENERATION = re.compile(r"^scans/\d{8}T\d{6}\d*Z-\d+/")
OPEN_SUFFIX = re.compile(r"-(wal|shm|journal)$")  # SQLite's files beside an open database


def _doc() -> str:
    return DOC.read_text(encoding="utf-8")


def _named(name: str) -> bool:
    """``name`` appears in the doc in backticks (alone or as the start of a longer path)."""
    return f"`{name}" in _doc()


def _folders() -> list[str]:
    return sorted(str(p.relative_to(PACKAGE)) + "/" for p in PACKAGE.rglob("*")
                  if p.is_dir() and "__pycache__" not in p.parts)


def test_every_folder_of_the_package_is_named() -> None:
    missing = [folder for folder in _folders() if not _named(folder)]
    assert not missing, f"docs/architecture.md does not name: {missing}"


def test_a_new_folder_would_be_missed() -> None:
    assert "state/" in _folders() and _named("state/")
    assert not _named("no_such_folder/")


def _deps_diagram() -> ModuleType:
    spec = importlib.util.spec_from_file_location("deps_diagram",
                                                  ROOT / "scripts" / "deps_diagram.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_diagram_is_the_scripts_output() -> None:
    diagram = _deps_diagram().mermaid()
    assert "n_detect --> n_state" in diagram and "n_screen --> n_detect" in diagram
    assert diagram in _doc(), "run python scripts/deps_diagram.py and paste its output"


def test_every_layer_of_the_contract_is_in_the_doc_table() -> None:
    layers, _ = _deps_diagram().contract_layers()
    for number, layer in enumerate(layers, start=1):
        row = next((line for line in _doc().splitlines() if line.startswith(f"| {number} |")),
                   None)
        assert row is not None, f"no row for layer {number}"
        assert all(f"`{name}" in row for name in layer), (layer, row)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 1% world generated, ingested, scanned in full then incrementally, its alerts imported
    into the cases database, one payment screened into the log and one ego network exported."""
    folder = tmp_path_factory.mktemp("architecture") / "ws"
    world = folder.parent / "world"
    generate_world(world, seed=5, scale=0.01, fmt="parquet")
    ingest(folder, transactions=world / "transactions", customers=world / "customers.parquet",
           known=world / "known.parquet", quiet=True)
    scan(folder)
    scan_incremental(folder)
    with open_store(folder) as store:
        cases.import_alerts(store, folder / "alerts.parquet")
    payment = {"txn_id": "arch-1", "ts": "2025-09-01T10:00:00+00:00", "sender_id": "S-1",
               "beneficiary_id": "B-1", "amount": 25.0, "currency": "USD"}
    ScreeningLog(Workspace(folder).screening_log).record(
        screener_from_workspace(folder).screen(contract_payment(payment)), "ana", "127.0.0.1")
    party = str(pd.read_parquet(folder / "alerts.parquet")["party_id"].iloc[0])
    export_graph(workspace=folder, party=party, hops=1, out=None)
    return folder


def _last(name: str) -> str:
    """The file name of a path, or a folder's name with its slash."""
    return name.rstrip("/").rsplit("/", 1)[-1] + ("/" if name.endswith("/") else "")


def _workspace_names(folder: Path) -> set[str]:
    names = set()
    for path in folder.rglob("*"):
        relative = path.relative_to(folder).as_posix() + ("/" if path.is_dir() else "")
        relative = OPEN_SUFFIX.sub("", GENERATION.sub("scans/<generation>/", relative))
        if relative.startswith("graphs/"):
            relative = "graphs/"  # one file per exported party, named by its id
        names.add(relative)
    return names


def test_every_file_of_a_real_workspace_is_named(workspace: Path) -> None:
    names = _workspace_names(workspace)
    for expected in (WAREHOUSE_FILE, STATE_FILE, CASES_FILE, SCREENING_LOG_FILE, f"{SCANS_DIR}/",
                     "scans/<generation>/", "graphs/"):
        assert expected in names, f"the run did not write {expected}: {sorted(names)}"
    missing = sorted(name for name in names if not _named(name) and not _named(_last(name)))
    assert not missing, f"docs/architecture.md does not name: {missing}"


def _backticked_parts() -> set[str]:
    """Every path component of every backticked span of the doc (``scans/current`` gives
    ``scans`` and ``current``)."""
    return {part for span in re.findall(r"`([^`\n]+)`", _doc()) for part in span.split("/")}


def test_every_name_the_workspace_module_defines_is_named() -> None:
    # files no run above writes (the app's goAML reports/, the Spark lake/, the demo's marker)
    # are named too: the Workspace is the one place that spells them (test_workspace.py)
    defined = {value for key, value in vars(workspace_names).items()
               if key.endswith(("_FILE", "_DIR")) and isinstance(value, str)}
    assert {"reports", "lake", "spark-scratch", ".dentrace-demo", "cases.sqlite"} <= defined
    missing = sorted(defined - _backticked_parts())
    assert not missing, f"docs/architecture.md does not name: {missing}"
    assert "no_such_file.json" not in _backticked_parts()

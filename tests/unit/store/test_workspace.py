"""The Workspace (issue 18, point 3): one owner of a workspace's paths, its summary.json and the
opening of its warehouse; no other module of src/ spells a workspace file's name."""

from __future__ import annotations

import ast
import json
import multiprocessing
import threading
from pathlib import Path

import pytest

from dentrace.errors import WorkspaceError
from dentrace.store import workspace as names
from dentrace.store.scan_outputs import publish_scan
from dentrace.store.sql import open_store
from dentrace.store.workspace import ScanSet, Workspace

PACKAGE = Path(__file__).resolve().parents[3] / "src" / "dentrace"
OWNER = PACKAGE / "store" / "workspace.py"
# every file and folder name the workspace module defines
FILE_NAMES = sorted({value for key, value in vars(names).items()
                     if key.endswith(("_FILE", "_DIR")) and isinstance(value, str)})
# names that are also ordinary words: spelled only as a path part (``x / "reports"``); "world" is
# not checked: a world folder is also what generate and exercise bundles write, outside any
# workspace
WORDS = {name for name in FILE_NAMES if name.isalpha()} - {"world"}
DOTTED = [name for name in FILE_NAMES if not name.isalpha()]
# the module-level ways to reach the warehouse without the Workspace
BYPASSES = {"open_warehouse", "warehouse_path", "connect", "scan_turn", "readers_waiting"}


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _path_part(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.split("/", 1)[0]
    return None


def spelled_names(source: str) -> list[tuple[int, str]]:
    """(line, name) of every workspace file name spelled in ``source``'s code (not in its
    docstrings or comments): in any string, or, for a word such as ``reports``, as a path
    part joined with ``/`` or ``joinpath``."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                and id(node) not in skip):
            found += [(node.lineno, name) for name in DOTTED if name in node.value]
        parts: list[ast.AST] = []
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            parts = [node.left, node.right]
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "joinpath"):
            parts = list(node.args)
        found += [(node.lineno, part) for part in map(_path_part, parts) if part in WORDS]
    for statement in getattr(tree, "body", []):  # a module's own constant: LAKE_DIR = "lake"
        if isinstance(statement, ast.Assign) and _path_part(statement.value) in WORDS:
            found.append((statement.lineno, str(_path_part(statement.value))))
    return found


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p != OWNER)


def test_no_module_but_the_workspace_spells_a_workspace_file_name() -> None:
    spelled = {f"{path.relative_to(PACKAGE)}:{line}": name for path in _modules()
               for line, name in spelled_names(path.read_text(encoding="utf-8"))}
    assert not spelled, f"use dentrace.store.workspace.Workspace instead: {spelled}"


def test_the_check_bites_on_a_spelled_name() -> None:
    assert "summary.json" in DOTTED and "reports" in WORDS and "scans" in WORDS
    assert spelled_names('WORLD = "world"\nout = bundle / "world"') == []
    assert spelled_names('path = folder / "summary.json"') == [(1, "summary.json")]
    assert spelled_names('say(f"wrote {n} rows to cases.sqlite")') == [(1, "cases.sqlite")]
    assert spelled_names('out = workspace / "reports" / name') == [(1, "reports")]
    assert spelled_names('out = root.joinpath("scans/current")') == [(1, "scans")]
    assert spelled_names('LAKE_DIR = "lake"') == [(1, "lake")]
    assert spelled_names('"""Reads summary.json."""\ntags = ["reports"]') == []


def test_nothing_outside_store_opens_the_warehouse_itself() -> None:
    found = []
    for path in _modules():
        if path.parent.name == "store":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module in (
                    "dentrace.store", "dentrace.store.warehouse",
                    "dentrace.store.warehouse_access"):
                found += [f"{path.relative_to(PACKAGE)}: {alias.name}" for alias in node.names
                          if alias.name in BYPASSES]
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id == "warehouse_access" and node.attr in BYPASSES):
                found.append(f"{path.relative_to(PACKAGE)}: warehouse_access.{node.attr}")
    assert not found, f"open it through Workspace: {found}"


def test_the_paths_are_those_of_every_earlier_version(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    assert Workspace(str(tmp_path)) == ws == Workspace(ws) and ws.root == tmp_path
    relative = {key: str(getattr(ws, key).relative_to(tmp_path)) for key in (
        "warehouse", "summary", "summary_lock", "cases_db", "party_state", "screening_log",
        "reports", "graphs", "lake", "spark_scratch", "demo_marker", "demo_world", "share_matches",
        "share_revoked", "scans", "scans_current", "parties", "alerts")}
    assert relative == {
        "warehouse": "warehouse.duckdb", "summary": "summary.json",
        "summary_lock": ".summary.json.lock", "cases_db": "cases.sqlite",
        "party_state": "party_state.sqlite", "screening_log": "screening.jsonl",
        "reports": "reports", "graphs": "graphs", "lake": "lake",
        "spark_scratch": "spark-scratch", "demo_marker": ".dentrace-demo", "demo_world": "world",
        "share_matches": "share/matches.parquet", "share_revoked": "share/revoked.parquet",
        "scans": "scans",
        "scans_current": "scans/current", "parties": "parties.parquet",
        "alerts": "alerts.parquet"}
    assert ws.root_output("payer_stage1.parquet") == tmp_path / "payer_stage1.parquet"
    with pytest.raises(ValueError, match="not a scan output"):
        ws.root_output("../cases.sqlite")


def test_merge_keeps_the_other_sections(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    assert ws.read_summary() == {}
    ws.merge_summary({"rows_read": 7, "files": [{"file": "a.csv"}]})  # an ingest
    ws.merge_summary({"scan": {"run": 1}})
    ws.merge_summary({"rows_read": 9})  # a second ingest replaces its own counts only
    assert ws.read_summary() == {"rows_read": 9, "files": [{"file": "a.csv"}],
                                 "scan": {"run": 1}}
    assert json.loads(ws.summary.read_text(encoding="utf-8")) == ws.read_summary()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".summary.json.lock", "summary.json"]


@pytest.mark.parametrize("content", [b"", b"{not json", b"[1, 2]", b"\xff\xfe\x00",
                                     b'"text"'])
def test_an_unreadable_summary_reads_empty_and_is_replaced_whole(tmp_path: Path,
                                                                 content: bytes) -> None:
    ws = Workspace(tmp_path)
    ws.summary.write_bytes(content)
    assert ws.read_summary() == {}
    assert ScanSet(tmp_path, None).entry() is None
    ws.merge_summary({"scan": {"run": 2}})
    assert ws.read_summary() == {"scan": {"run": 2}}
    assert ScanSet(tmp_path, None).entry() == {"run": 2}


def _merge_many(root: str, writer: int, count: int) -> None:
    ws = Workspace(root)
    for k in range(count):
        ws.update_summary(lambda s, k=k: s.setdefault("entries", []).append(f"{writer}-{k}"))


def test_concurrent_merges_lose_no_entry(tmp_path: Path) -> None:
    # each merge reads, appends and rewrites: without the lock, two writers reading the same
    # file lose one another's entry
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_merge_many, args=(str(tmp_path), w, 40))
                 for w in range(3)]
    threads = [threading.Thread(target=_merge_many, args=(str(tmp_path), w, 40))
               for w in range(3, 6)]
    for worker in [*processes, *threads]:
        worker.start()
    for worker in [*processes, *threads]:
        worker.join()
    assert all(p.exitcode == 0 for p in processes)
    entries = Workspace(tmp_path).read_summary()["entries"]
    assert sorted(entries) == sorted(f"{w}-{k}" for w in range(6) for k in range(40))


HOSTILE = ["a b", "ünï ☃", "semi;colon", "quote'\"", "q?x=1", "hash#x", "pct%41",
           "new\nline", "tab\tx", "-dash", "$HOME", "<b>x&amp;<\\b>"]


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_folder_name_is_only_a_folder_name(tmp_path: Path, name: str) -> None:
    root = tmp_path / name
    root.mkdir()
    ws = Workspace(root)
    ws.merge_summary({"scan": {"run": name}})
    assert ws.read_summary() == {"scan": {"run": name}}
    assert {p.parent for p in (ws.warehouse, ws.cases_db, ws.party_state, ws.summary)} == {root}
    with open_store(root) as store:  # the cases database lands in the folder, not elsewhere
        assert store.dialect == "sqlite"
    assert ws.cases_db.is_file() and sorted(p.name for p in tmp_path.iterdir()) == [name]


@pytest.mark.parametrize("pointer", ["../..", "..", ".", "/etc", "a/../../b", ".new-1-2",
                                     "x\0y", "..\\..", ""])
def test_a_hostile_scans_current_falls_back_to_the_root_set(tmp_path: Path,
                                                            pointer: str) -> None:
    ws = Workspace(tmp_path / "ws")
    ws.scans.mkdir(parents=True)
    (ws.scans / ".new-1-2").mkdir()
    ws.scans_current.write_text(pointer + "\n", encoding="utf-8")
    found = ws.current_scan()
    assert found == ScanSet(ws.root, None) and found.folder == ws.root
    with pytest.raises(ValueError, match="not a scan generation"):
        ws.generation(pointer)


def test_the_set_in_force_is_the_published_one(tmp_path: Path) -> None:
    import pandas as pd

    ws = Workspace(tmp_path)
    frame = pd.DataFrame({"party_id": ["p"], "score": [0.5]})
    published = publish_scan(tmp_path, {names.PARTIES_FILE: frame}, {"run": 1})
    assert ws.current_scan() == published and published.folder.parent == ws.scans
    assert ws.read_summary()["scan"] == {"run": 1} and ws.parties.is_file()


def test_opening_a_missing_warehouse_names_the_folder(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "new")
    with pytest.raises(WorkspaceError, match=r"no warehouse\.duckdb here"):
        ws.open_warehouse(read_only=True)
    con = ws.open_warehouse(create=True)
    con.close()
    reader = ws.open_warehouse(read_only=True)
    try:
        assert reader.execute("SELECT count(*) FROM transactions").fetchone() == (0,)
    finally:
        reader.close()
    bare = ws.connect_warehouse(read_only=True, wait=1)
    try:
        assert bare.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    finally:
        ws.close_warehouse(bare)
    with ws.scan_turn(wait=1), ws.scan_turn(wait=1):  # re-entrant within a process
        assert ws.has_warehouse

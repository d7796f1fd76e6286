"""`dentrace audit verify|show`: exit 0 on an intact log, 1 naming the first bad entry."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from dentrace import audit
from dentrace.cli.main import app
from dentrace.store.sql import open_store

runner = CliRunner()


def _workspace(tmp_path: Path, n: int = 4) -> Path:
    with open_store(tmp_path) as store, store.session() as session:
        for i in range(n):
            audit.record(session, actor="ana", action="view_party", target_type="party",
                         target_id=f"P{i}", origin="10.0.0.2")
    return tmp_path


def test_verify_passes_then_fails_after_tampering(tmp_path: Path) -> None:
    ws = ["--workspace", str(_workspace(tmp_path))]
    ok = runner.invoke(app, ["audit", "verify", *ws])
    assert ok.exit_code == 0 and "4 entries" in ok.output
    db = sqlite3.connect(tmp_path / "cases.sqlite")
    db.execute("DROP TRIGGER audit_log_no_update")
    db.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
    db.commit()
    db.close()
    broken = runner.invoke(app, ["audit", "verify", *ws])
    assert broken.exit_code == 1 and "entry 2" in broken.output


def test_show_filters_by_party_and_prints_json(tmp_path: Path) -> None:
    ws = ["--workspace", str(_workspace(tmp_path))]
    result = runner.invoke(app, ["audit", "show", *ws, "--party", "P1", "--json"])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [(r["seq"], r["actor"], r["origin"]) for r in rows] == [(2, "ana", "10.0.0.2")]
    table = runner.invoke(app, ["audit", "show", *ws, "--limit", "2"])
    assert "view_party" in table.output and "P3" in table.output


def test_verify_refuses_a_workspace_without_cases_database(tmp_path: Path) -> None:
    result = runner.invoke(app, ["audit", "verify", "--workspace", str(tmp_path)])
    assert result.exit_code == 2 and "no cases database" in result.output
    assert not (tmp_path / "cases.sqlite").exists()

"""The README's demo: generate → ingest → scan → logins → serve, on a small world (uvicorn's
run replaced: the test checks what it is given)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import uvicorn
from typer.testing import CliRunner

from dentrace.auth.login import authenticate
from dentrace.cli.main import app
from dentrace.store.sql.engine import open_store


def test_demo_builds_a_scanned_workspace_with_working_logins(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    served: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda application, **options: served.update(
        options, app=application))
    workspace = tmp_path / "demo"
    result = CliRunner().invoke(
        app, ["demo", "--workspace", str(workspace), "--scale", "0.03", "--port", "8124"])
    assert result.exit_code == 0, result.output
    # serve's own defaults, as plain values (not typer's option objects)
    assert (served["port"], served["access_log"]) == (8124, True)
    state = served["app"].state
    assert state.context.settings.screening.process is True
    assert state.screening.current is None  # not built before the first payment

    summary = json.loads((workspace / "summary.json").read_text())
    assert summary["rows_read"] > 10_000
    assert summary["rows_read"] == (summary["rows_accepted"] + summary["rows_quarantined"]
                                    + summary["rows_duplicate"])
    parties = pd.read_parquet(workspace / "parties.parquet")
    assert set(parties["role"]) == {"payer", "facilitator"}
    assert parties["alert"].sum() > 0

    logins = dict(re.findall(r"│ (analyst|supervisor) +│ \w+ +│ (\S+) +│", result.output))
    assert set(logins) == {"analyst", "supervisor"}
    store = open_store(workspace)
    for username, password in logins.items():
        assert authenticate(store, username, password, ip="127.0.0.1").username == username


def test_demo_refuses_a_folder_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("keep me")
    result = CliRunner().invoke(app, ["demo", "--workspace", str(tmp_path), "--no-serve"])
    assert result.exit_code != 0
    assert (tmp_path / "precious.txt").read_text() == "keep me"
    assert not (tmp_path / "parties.parquet").exists()

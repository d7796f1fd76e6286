"""``dentrace serve``: builds the app for the workspace and hands it to uvicorn."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from dentrace.cli.main import app as cli
from dentrace.screen.worker import ProcessBatcher


def _serve(monkeypatch: pytest.MonkeyPatch, workspace: Path, *args: str) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def fake_run(application: Any, **options: Any) -> None:
        seen.update(options, app=application)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    result = CliRunner().invoke(cli, ["serve", "--workspace", str(workspace), *args])
    assert result.exit_code == 0, result.output
    seen["output"] = result.output
    return seen


def test_serve_on_loopback_uses_plain_http_cookies(monkeypatch: pytest.MonkeyPatch,
                                                   workspace: Path) -> None:
    seen = _serve(monkeypatch, workspace, "--port", "8123")
    assert (seen["host"], seen["port"]) == ("127.0.0.1", 8123)
    assert seen["app"].state.context.settings.secure_cookies is False
    assert f"serving {workspace}" in seen["output"]


def test_serve_on_other_addresses_keeps_secure_cookies(monkeypatch: pytest.MonkeyPatch,
                                                       workspace: Path) -> None:
    seen = _serve(monkeypatch, workspace, "--host", "0.0.0.0")
    assert seen["app"].state.context.settings.secure_cookies is True


def test_serve_refuses_a_missing_workspace(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--workspace", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_serve_can_build_the_screening_state_first_and_drop_the_access_log(
        monkeypatch: pytest.MonkeyPatch, workspace: Path) -> None:
    seen = _serve(monkeypatch, workspace, "--warm-screening", "--no-access-log")
    assert seen["access_log"] is False
    batcher = seen["app"].state.screening.current  # the screening process, started and ready
    try:
        assert isinstance(batcher, ProcessBatcher) and batcher.alive
        assert batcher.process.summary["payers"] > 0
        assert "screening state built from the last scan in its screening process" in seen["output"]
    finally:
        seen["app"].state.screening.stop()
    assert not batcher.alive
    in_loop = _serve(monkeypatch, workspace, "--warm-screening", "--screening-in-loop")
    screener = in_loop["app"].state.screening.screener
    assert screener is not None and len(screener.state.payers) > 0
    assert "built from the last scan in the server" in in_loop["output"]
    assert _serve(monkeypatch, workspace)["access_log"] is True

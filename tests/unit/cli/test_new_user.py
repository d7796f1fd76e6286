"""The rough edges a new user met on the command line (issue 19, defect 8): each test ran
against the old code and failed."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dentrace.cli.main import app

WIDE = {"COLUMNS": "200"}
HEADER = "txn_id,ts,sender_id,beneficiary_id,amount,currency"


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=WIDE)
    return result.exit_code, result.output


def _csv(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


GOOD = [f"T{i},2024-01-0{1 + i % 9}T10:00:00+07:00,A{i % 3},B{i % 2},{10 + i}.00,USD"
        for i in range(12)]
BAD = ["Q1,2024-01-01T10:00:00+07:00,A1,B1,lots,USD",
       "Q2,2024-01-01T10:00:00+07:00,A1,B1,twelve,USD",
       "Q3,not-a-time,A1,B1,5.00,USD"]


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    code, out = _run("ingest", "--workspace", str(ws), "--quiet",
                     "--transactions", str(_csv(tmp_path / "pay.csv", GOOD + BAD)))
    assert code == 0, out
    return ws


def test_ingest_prints_the_top_quarantine_reasons(tmp_path: Path) -> None:
    code, out = _run("ingest", "--workspace", str(tmp_path / "ws"), "--quiet",
                     "--transactions", str(_csv(tmp_path / "pay.csv", GOOD + BAD)))
    assert code == 0, out
    assert "Top quarantine reasons" in out
    assert "2 rows" in out and "amount" in out  # the two bad amounts share one reason
    assert "dentrace quarantine --workspace" in out


def test_quarantine_lists_file_line_field_and_reason(workspace: Path) -> None:
    code, out = _run("quarantine", "--workspace", str(workspace))
    assert code == 0, out
    assert "of 3 rows" in out
    assert "pay.csv" in out and "amount" in out and "lots" in out
    code, out = _run("quarantine", "--workspace", str(workspace), "--limit", "1")
    assert code == 0 and "1 of 3 rows" in out and "2 more" in out


def test_quarantine_of_a_folder_without_a_warehouse_is_an_error(tmp_path: Path) -> None:
    code, out = _run("quarantine", "--workspace", str(tmp_path))
    assert code == 2 and "dentrace ingest" in out


def test_a_scan_with_no_transactions_says_so_and_fails(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    code, out = _run("ingest", "--workspace", str(ws), "--quiet",
                     "--transactions", str(_csv(tmp_path / "bad.csv", BAD)))
    assert code == 0, out
    code, out = _run("scan", "--workspace", str(ws))
    assert code == 1, out
    assert "no transactions" in out


def test_spark_hint_prints_literally_and_no_lake_is_written(
        workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark -> ImportError
    code, out = _run("scan", "--workspace", str(workspace), "--engine", "spark")
    assert code == 2, out
    assert "pip install 'dentrace[spark]'" in out
    assert not (workspace / "lake").exists()


def test_generate_refuses_a_non_empty_folder_or_a_workspace(tmp_path: Path,
                                                           workspace: Path) -> None:
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine", encoding="utf-8")
    code, out = _run("generate", "--out", str(busy), "--scale", "0.004")
    assert code == 2 and "not empty" in out and "--force" in out, out
    assert (busy / "notes.txt").exists() and len(list(busy.iterdir())) == 1
    code, out = _run("generate", "--out", str(workspace), "--scale", "0.004")
    assert code == 2 and "workspace" in out, out


def test_no_progress_bar_after_an_argument_error(tmp_path: Path) -> None:
    code, out = _run("generate", "--out", str(tmp_path / "w"), "--format", "xls")
    assert code == 2 and "format must be one of" in out
    assert "generating" not in out


def test_serve_says_when_the_port_is_busy_and_never_claims_to_serve(workspace: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, out = _run("serve", "--workspace", str(workspace), "--port", str(port))
    assert code == 2, out
    assert f"port {port}" in out and "in use" in out
    assert "serving" not in out


def test_no_help_shows_a_bool_hint() -> None:
    for command in ([], ["ingest"], ["scan"], ["serve"], ["generate"], ["demo"],
                    ["report", "goaml"], ["export", "ftm"], ["quarantine"]):
        code, out = _run(*command, "--help")
        assert code == 0, out
        assert "<bool>" not in out, command


def test_docs_give_the_token_lifetimes_the_server_uses() -> None:
    from dentrace.web import WebSettings

    settings = WebSettings()
    docs = Path(__file__).resolve().parents[3] / "docs"
    token_s = int(settings.token_lifetime.total_seconds())
    session_h = int(settings.session_lifetime.total_seconds() // 3600)
    for name in ("web.md", "cases.md"):
        text = " ".join((docs / name).read_text(encoding="utf-8").split())
        assert f"expires_in: {token_s}" in text, name
    web = " ".join((docs / "web.md").read_text(encoding="utf-8").split())
    assert f"An API token lasts {token_s // 3600} h" in web
    assert f"browser session lasts {session_h} h" in web

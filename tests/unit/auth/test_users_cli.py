"""`dentrace users add|list|disable` on a workspace's SQLite store."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from dentrace import auth
from dentrace.cli.main import app
from dentrace.store.sql import open_store

runner = CliRunner()


def test_add_reads_password_from_stdin_and_user_can_log_in(tmp_path: Path) -> None:
    result = runner.invoke(app, ["users", "add", "nora", "--role", "supervisor",
                                 "--workspace", str(tmp_path)], input="a long secret phrase\n")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cases.sqlite").is_file()
    with open_store(tmp_path) as store:
        account = auth.authenticate(store, "nora", "a long secret phrase", ip="cli")
    assert account.role == "supervisor"


def test_random_password_is_printed_once_and_works(tmp_path: Path) -> None:
    result = runner.invoke(app, ["users", "add", "demo", "--role", "admin", "--random-password",
                                 "--workspace", str(tmp_path)])
    assert result.exit_code == 0, result.output
    password = result.output.strip().rsplit("password: ", 1)[1]
    with open_store(tmp_path) as store:
        assert auth.authenticate(store, "demo", password, ip="cli").role == "admin"


def test_list_and_disable(tmp_path: Path) -> None:
    ws = ["--workspace", str(tmp_path)]
    runner.invoke(app, ["users", "add", "nora", "--role", "analyst", *ws],
                  input="a long secret phrase\n")
    assert runner.invoke(app, ["users", "disable", "nora", *ws]).exit_code == 0
    listing = runner.invoke(app, ["users", "list", *ws])
    assert "nora" in listing.output and "no" in listing.output
    missing = runner.invoke(app, ["users", "disable", "ghost", *ws])
    assert missing.exit_code == 2 and "ghost" in missing.output


def test_bad_role_and_weak_password_fail_with_the_field(tmp_path: Path) -> None:
    ws = ["--workspace", str(tmp_path)]
    bad_role = runner.invoke(app, ["users", "add", "x", "--role", "boss", *ws],
                             input="a long secret phrase\n")
    assert bad_role.exit_code == 2 and "role" in bad_role.output
    weak = runner.invoke(app, ["users", "add", "x", "--role", "analyst", *ws], input="short\n")
    assert weak.exit_code == 2 and "password" in weak.output


def test_missing_workspace_is_an_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["users", "list", "--workspace", str(tmp_path / "nope")])
    assert result.exit_code == 2 and "does not exist" in result.output

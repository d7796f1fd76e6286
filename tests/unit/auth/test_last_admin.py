"""The last active admin cannot be disabled (from the CLI or the web), and accounts can be
enabled again (``dentrace users enable``), audited like disabling."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from dentrace import auth
from dentrace.cli.main import app
from dentrace.store.sql import Store, open_store
from dentrace.store.sql.models import AuditEntry

PASSWORD = "a long secret phrase"
runner = CliRunner()


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path) as opened:
        auth.add_user(opened, "adam", "admin", PASSWORD)
        auth.add_user(opened, "ana", "analyst", PASSWORD)
        yield opened


def _actions(store: Store, target: str) -> list[str]:
    with store.session(write=False) as session:
        rows = session.execute(select(AuditEntry.action).where(
            AuditEntry.target_id == target).order_by(AuditEntry.seq)).scalars()
        return list(rows)


def test_the_only_admin_cannot_disable_themselves(store: Store) -> None:
    adam = auth.get_account(store, "adam")
    for actor in (None, adam):  # the local operator (CLI) and the admin (web)
        with pytest.raises(auth.AccountError, match="last active admin"):
            auth.disable_user(store, "adam", actor=actor)
    assert auth.get_account(store, "adam").active
    assert "disable_user" not in _actions(store, "adam")


def test_one_of_two_admins_may_go_but_not_the_second(store: Store) -> None:
    auth.add_user(store, "eve", "admin", PASSWORD)
    auth.disable_user(store, "eve", actor=auth.get_account(store, "adam"))
    with pytest.raises(auth.AccountError, match="last active admin"):
        auth.disable_user(store, "adam")
    # A disabled admin does not count; enabling her again lets adam go.
    auth.enable_user(store, "eve")
    assert auth.disable_user(store, "adam").active is False


def test_other_roles_and_disabled_accounts_are_not_affected(store: Store) -> None:
    assert auth.disable_user(store, "ana").active is False
    assert auth.disable_user(store, "ana").active is False  # again: still fine


def test_enable_restores_login_and_is_audited(store: Store) -> None:
    auth.disable_user(store, "ana")
    with pytest.raises(auth.AuthenticationFailed):
        auth.authenticate(store, "ana", PASSWORD, ip="test")
    assert auth.enable_user(store, "ana").active is True
    assert auth.authenticate(store, "ana", PASSWORD, ip="test").username == "ana"
    assert _actions(store, "ana")[-4:] == ["disable_user", "login_failed", "enable_user",
                                           "login"]


def test_an_analyst_may_not_enable(store: Store) -> None:
    with pytest.raises(auth.PermissionDenied):
        auth.enable_user(store, "ana", actor=auth.get_account(store, "ana"))


def test_cli_enable_and_last_admin_refusal(tmp_path: Path, store: Store) -> None:
    ws = ["--workspace", str(tmp_path)]
    refused = runner.invoke(app, ["users", "disable", "adam", *ws])
    assert refused.exit_code == 2 and "last active admin" in refused.output
    assert runner.invoke(app, ["users", "disable", "ana", *ws]).exit_code == 0
    enabled = runner.invoke(app, ["users", "enable", "ana", *ws])
    assert enabled.exit_code == 0 and "enabled ana" in enabled.output
    assert auth.get_account(store, "ana").active
    missing = runner.invoke(app, ["users", "enable", "ghost", *ws])
    assert missing.exit_code == 2 and "ghost" in missing.output

"""Accounts, roles-as-data, login throttling and bearer tokens, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from dentrace import audit, auth
from dentrace.auth import Account
from dentrace.auth.login import MAX_FAILURES, WINDOW
from dentrace.store.sql import Store
from dentrace.store.sql.models import User, utcnow


def test_add_user_stores_only_an_argon2_hash(store: Store) -> None:
    account = auth.add_user(store, "nora", "analyst", "a long secret phrase 1")
    assert account.role == "analyst" and account.active
    with store.session() as session:
        stored = session.execute(select(User.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and "a long secret" not in stored
    assert audit.entries(store, action="add_user")[0].target_id == "nora"


@pytest.mark.parametrize(
    ("username", "role", "password", "field"),
    [("nora", "boss", "a long secret phrase", "role"),
     ("no ra", "analyst", "a long secret phrase", "username"),
     ("nora", "analyst", "short", "password")],
)
def test_bad_account_input_names_the_field(
    store: Store, username: str, role: str, password: str, field: str
) -> None:
    with pytest.raises(auth.AccountError, match=f"field '{field}'"):
        auth.add_user(store, username, role, password)


def test_duplicate_username_is_refused(store: Store) -> None:
    auth.add_user(store, "nora", "analyst", "a long secret phrase")
    with pytest.raises(auth.AccountError, match="already exists"):
        auth.add_user(store, "nora", "admin", "another long secret")


def test_random_password_account_can_log_in(store: Store) -> None:
    account, password = auth.add_user_with_random_password(store, "demo", "supervisor")
    assert len(password) >= 16
    assert auth.authenticate(store, "demo", password, ip="127.0.0.1") == account


def test_only_admins_manage_users(store: Store, team: dict[str, Account]) -> None:
    with pytest.raises(auth.PermissionDenied):
        auth.add_user(store, "x1", "analyst", "a long secret phrase", actor=team["sue"])
    with pytest.raises(auth.PermissionDenied):
        auth.list_users(store, actor=team["ana"])
    auth.add_user(store, "x1", "analyst", "a long secret phrase", actor=team["ada"], origin="::1")
    names = [a.username for a in auth.list_users(store, actor=team["ada"])]
    assert names == sorted(names) and "x1" in names
    entry = audit.entries(store, action="add_user")[0]
    assert (entry.actor, entry.origin) == ("ada", "::1")


def test_disabled_user_cannot_log_in_act_or_use_tokens(
    store: Store, team: dict[str, Account], password: str
) -> None:
    token = auth.issue_token(store, team["ana"])
    assert auth.account_for_token(store, token) == team["ana"]
    auth.disable_user(store, "ana")
    with pytest.raises(auth.AuthenticationFailed):
        auth.authenticate(store, "ana", password, ip="1.1.1.1")
    with pytest.raises(auth.AuthenticationFailed):
        auth.account_for_token(store, token)
    with pytest.raises(auth.PermissionDenied, match="disabled"), store.session() as session:
        auth.require(session, team["ana"], "view_party")


def test_permission_table_is_data(store: Store, team: dict[str, Account]) -> None:
    table = auth.permissions(store)
    assert set(table) == set(auth.ROLES)
    assert "approve_report" not in table["analyst"]
    assert "approve_report" in table["supervisor"] and "manage_users" not in table["supervisor"]
    assert table["admin"] >= table["supervisor"] | {"manage_users"}
    assert set().union(*table.values()) <= set(auth.ACTIONS)
    assert auth.may(store, team["sue"], "view_audit")
    assert not auth.may(store, team["ana"], "view_audit")


def test_failed_logins_lock_the_pair_for_the_window(
    store: Store, team: dict[str, Account], password: str
) -> None:
    now = utcnow()
    for _ in range(MAX_FAILURES):
        with pytest.raises(auth.AuthenticationFailed) as caught:
            auth.authenticate(store, "ana", "wrong password!", ip="9.9.9.9", now=now)
        assert not isinstance(caught.value, auth.LoginThrottled)
    with pytest.raises(auth.LoginThrottled) as locked:
        auth.authenticate(store, "ana", password, ip="9.9.9.9", now=now)
    assert 0 < locked.value.retry_after <= WINDOW.total_seconds() + 1
    assert auth.authenticate(store, "ana", password, ip="8.8.8.8", now=now) == team["ana"]
    later = now + WINDOW + timedelta(seconds=1)
    assert auth.authenticate(store, "ana", password, ip="9.9.9.9", now=later) == team["ana"]
    assert auth.retry_after(store, "ana", "9.9.9.9", later) == 0
    assert len(audit.entries(store, action="login_failed")) == MAX_FAILURES


def test_unknown_user_fails_like_a_wrong_password(store: Store) -> None:
    with pytest.raises(auth.AuthenticationFailed, match="wrong username or password"):
        auth.authenticate(store, "ghost", "whatever it is", ip="1.2.3.4")


def test_revoked_and_expired_tokens_fail(store: Store, team: dict[str, Account]) -> None:
    token = auth.issue_token(store, team["sue"])
    auth.revoke_token(store, token)
    with pytest.raises(auth.AuthenticationFailed):
        auth.account_for_token(store, token)
    expired = auth.issue_token(store, team["sue"], lifetime=timedelta(seconds=-1))
    with pytest.raises(auth.AuthenticationFailed):
        auth.account_for_token(store, expired)
    with pytest.raises(auth.AuthenticationFailed):
        auth.account_for_token(store, "not-a-token")

"""Two admins disabling each other at the same moment leave one of them active, on SQLite
(one writer at a time) and on PostgreSQL (the admins' rows are locked while counted)."""

from __future__ import annotations

import contextlib
import threading

import pytest
from sqlalchemy.orm import Session

from dentrace import auth
from dentrace.auth import accounts
from dentrace.store.sql import Store
from dentrace.store.sql.models import User


def test_two_admins_disabling_each_other_leave_one(store: Store, password: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    auth.add_user(store, "adam", "admin", password)
    auth.add_user(store, "eve", "admin", password)
    both_checked = threading.Barrier(2)
    check = accounts._refuse_last_admin

    def check_then_wait(session: Session, user: User) -> None:
        check(session, user)
        # Without a lock both checks pass before either disables: hold each writer here until
        # the other has checked too. A writer kept waiting by a lock never arrives (timeout).
        with contextlib.suppress(threading.BrokenBarrierError):
            both_checked.wait(timeout=3)

    monkeypatch.setattr(accounts, "_refuse_last_admin", check_then_wait)
    outcomes: dict[str, str] = {}

    def disable(target: str, actor: str) -> None:
        try:
            auth.disable_user(store, target, actor=auth.get_account(store, actor))
            outcomes[target] = "disabled"
        except auth.AccessError as exc:  # the last admin, or an actor just disabled
            outcomes[target] = f"refused: {exc}"

    threads = [threading.Thread(target=disable, args=pair)
               for pair in (("adam", "eve"), ("eve", "adam"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    active = [a.username for a in auth.list_users(store) if a.role == "admin" and a.active]
    assert len(active) == 1, outcomes
    assert sorted(outcomes.values())[0] == "disabled"
    assert sorted(outcomes.values())[1].startswith("refused: ")

"""What a case page offers is what the status machine accepts (issue 19, defect 5): the moves
``allowed_moves(held, status, is_submitter)`` lists are exactly those ``check_actor`` lets a user
of each role make, submitter or not, for every status, under the shipped permission table."""

from __future__ import annotations

from itertools import product
from pathlib import Path

import pytest

from dentrace import cases
from dentrace.auth import FourEyesViolation, PermissionDenied, get_account, permissions
from dentrace.auth.roles import ROLES
from dentrace.cases.machine import check_actor
from dentrace.store.sql import Store, open_store
from dentrace.store.sql.models import Case, User, utcnow


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    opened = open_store(tmp_path)
    with opened.session() as session:
        session.add_all(User(username=role, password_hash="-", role=role, active=True,
                             created_at=utcnow()) for role in ROLES)
        session.add(User(username="other", password_hash="-", role="supervisor", active=True,
                         created_at=utcnow()))
    return opened


def _accepted(store: Store, role: str, status: str, is_submitter: bool) -> set[str]:
    """The move actions ``check_actor`` (the service's gate) accepts from ``status``."""
    actor, other = get_account(store, role), get_account(store, "other")
    case = Case(id=1, title="t", status=status, restricted=False,
                submitted_by=actor.id if is_submitter else other.id)
    accepted = set()
    with store.session(write=False) as session:
        for move in (m for (source, _), m in cases.MOVES.items() if source == status):
            try:
                check_actor(session, actor, case, move)
            except (PermissionDenied, FourEyesViolation):
                continue
            accepted.add(f"{move.action}->{move.target}")
    return accepted


def test_the_pages_moves_are_the_machines_for_every_role_status_and_submitter(
        store: Store) -> None:
    table = permissions(store)
    for role, status, is_submitter in product(ROLES, cases.STATUSES, (False, True)):
        offered = {f"{m.action}->{m.target}" for m in
                   cases.allowed_moves(table.get(role, set()), status,
                                       is_submitter=is_submitter)}
        assert offered == _accepted(store, role, status, is_submitter), (role, status)


def _names(held: set[str], status: str, is_submitter: bool = False) -> list[str]:
    return sorted(m.action for m in cases.allowed_moves(held, status, is_submitter=is_submitter))


def test_the_shipped_roles_on_a_pending_case(store: Store) -> None:
    table = permissions(store)
    assert _names(table["analyst"], cases.PENDING) == []  # no "Close without report"
    assert _names(table["supervisor"], cases.PENDING) == ["approve_report", "close_case",
                                                          "send_back"]
    assert _names(table["supervisor"], cases.PENDING, is_submitter=True) == []
    assert _names(table["analyst"], cases.OPEN) == ["close_case", "start_investigation"]
    assert _names(table["analyst"], cases.INVESTIGATING) == ["close_case",
                                                             "submit_for_approval"]
    assert _names(table["screener"], cases.OPEN) == []
    for final in (cases.REPORTED, cases.CLOSED):
        assert _names(table["admin"], final) == []

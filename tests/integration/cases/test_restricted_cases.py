"""Restricted cases: only the assignee, named members and supervisors see them; to anyone else
they do not exist (NotFound, absent from lists, alerts and party records). Issue 16 point 19.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from dentrace import audit, cases
from dentrace.auth import Account, PermissionDenied
from dentrace.store.sql import Store, open_store
from dentrace.store.sql.engine import MIGRATIONS


@pytest.fixture
def secret(store: Store, team: dict[str, Account]) -> int:
    """A restricted case of ana's holding P1."""
    return cases.open_case(store, team["ana"], "Sensitive den", [("P1", "payer")],
                           restricted=True).id


def _sees(store: Store, who: Account, case_id: int) -> bool:
    listed = case_id in [c.id for c in cases.list_cases(store, who)]
    try:
        cases.get_case(store, who, case_id)
        opened = True
    except cases.NotFound:
        opened = False
    assert listed == opened
    return opened


def test_cases_are_open_to_all_analysts_by_default(store: Store,
                                                   team: dict[str, Account]) -> None:
    case_id = cases.open_case(store, team["ana"], "Ordinary", [("P1", "payer")]).id
    assert cases.get_case(store, team["ben"], case_id).restricted is False
    assert _sees(store, team["ben"], case_id)


def test_another_analyst_finds_nothing(store: Store, team: dict[str, Account],
                                       secret: int) -> None:
    ben = team["ben"]
    assert not _sees(store, ben, secret)
    attempts = [
        lambda: cases.add_note(store, ben, secret, "peek"),
        lambda: cases.start_investigation(store, ben, secret),
        lambda: cases.close_case(store, ben, secret, "mine now"),
        lambda: cases.add_parties(store, ben, secret, [("P2", "payer")]),
        lambda: cases.set_restricted(store, ben, secret, False),
        lambda: cases.add_member(store, ben, secret, "ben"),
        lambda: cases.ensure_visible(store, ben, secret),
    ]
    for attempt in attempts:
        with pytest.raises(cases.NotFound, match=f"no case {secret}"):
            attempt()
    view = cases.get_case(store, team["ana"], secret)
    assert (view.status, view.notes, view.parties) == ("open", [], [("P1", "payer")])


def test_assignee_supervisors_and_admins_see_it(store: Store, team: dict[str, Account],
                                                secret: int) -> None:
    for name in ("ana", "sue", "sam", "ada"):
        assert _sees(store, team[name], secret), name
    cases.assign_case(store, team["sue"], secret, "ben")  # the new assignee sees it
    assert _sees(store, team["ben"], secret)
    assert not _sees(store, team["ana"], secret)  # the former one no longer does


def test_members_are_named_and_removed_audited(store: Store, team: dict[str, Account],
                                               secret: int) -> None:
    ana, ben = team["ana"], team["ben"]
    view = cases.add_member(store, ana, secret, "ben")
    assert view.members == ["ben"]
    assert _sees(store, ben, secret)
    cases.add_note(store, ben, secret, "checked the card payments")
    with pytest.raises(PermissionDenied):  # a member works the case but does not manage it
        cases.add_member(store, ben, secret, "ada")
    cases.remove_member(store, team["sue"], secret, "ben")
    assert not _sees(store, ben, secret)
    with pytest.raises(cases.InvalidCaseInput, match="nobody"):
        cases.add_member(store, ana, secret, "nobody")
    trail = [(e.actor, e.action, e.detail.get("member")) for e in audit.entries(
        store, target_type="case", target_id=str(secret), newest_first=False)
        if e.action.endswith("member")]
    assert trail == [("ana", "add_case_member", "ben"), ("sue", "remove_case_member", "ben")]


def test_restricting_and_opening_later(store: Store, team: dict[str, Account]) -> None:
    ana, ben, sue = team["ana"], team["ben"], team["sue"]
    case_id = cases.open_case(store, ana, "Ordinary").id
    with pytest.raises(PermissionDenied):  # ben sees it but is not its assignee
        cases.set_restricted(store, ben, case_id, True)
    assert cases.set_restricted(store, ana, case_id, True).restricted
    assert not _sees(store, ben, case_id)
    cases.set_restricted(store, sue, case_id, False)
    assert _sees(store, ben, case_id)
    actions = [e.action for e in audit.entries(store, target_type="case",
                                               target_id=str(case_id), newest_first=False)]
    assert actions.count("restrict_case") == 1 and actions.count("unrestrict_case") == 1


def test_alerts_and_party_records_do_not_name_a_hidden_case(
    store: Store, team: dict[str, Account], alerts_file: Path
) -> None:
    cases.import_alerts(store, alerts_file)
    ana, ben = team["ana"], team["ben"]
    p1 = [a.id for a in cases.list_alerts(store, ana) if a.party_id == "P1"]
    case = cases.escalate_alerts(store, ana, p1, restricted=True)
    assert case.restricted
    assert cases.get_alert(store, ana, p1[0]).case_id == case.id
    assert cases.get_alert(store, ben, p1[0]).case_id is None
    assert [a.case_id for a in cases.list_alerts(store, ben) if a.party_id == "P1"] == [None]
    assert cases.record_party_view(store, ben, "P1").case_ids == []
    assert cases.record_party_view(store, team["sue"], "P1").case_ids == [case.id]
    p2 = [a.id for a in cases.list_alerts(store, ben) if a.party_id == "P2"]
    with pytest.raises(cases.NotFound):  # nor can ben escalate into it
        cases.escalate_alerts(store, ben, p2, case_id=case.id)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database, SQLite then PostgreSQL (not migrated)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cases.sqlite'}"
        return
    base = make_url(request.getfixturevalue("pg_url"))
    name = f"dentrace_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def test_a_database_of_migration_0002_upgrades_with_its_cases_open(empty_database: str) -> None:
    engine = create_engine(empty_database)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    day = datetime(2026, 1, 1)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
        for name in ("ana", "ben"):
            connection.execute(text(
                "INSERT INTO users (username, password_hash, role, active, created_at) "
                "VALUES (:name, '-', 'analyst', :yes, :day)"), {"name": name, "yes": True,
                                                                 "day": day})
        connection.execute(text(
            "INSERT INTO cases (title, status, assignee_id, created_by, created_at, "
            "updated_at) VALUES ('old case', 'open', 1, 1, :day, :day)"), {"day": day})
    engine.dispose()
    with open_store(database_url=empty_database) as store:
        ben = Account(id=2, username="ben", role="analyst", active=True)
        old = cases.get_case(store, ben, 1)
        assert (old.title, old.restricted, old.members) == ("old case", False, [])
        assert [c.id for c in cases.list_cases(store, ben)] == [1]
        with store.engine.connect() as connection:
            version = connection.execute(text("SELECT version_num FROM alembic_version"))
            # upgraded to the newest migration
            assert version.scalar() == ScriptDirectory.from_config(config).get_current_head()
            granted = connection.execute(text(
                "SELECT role FROM role_permissions WHERE action = 'view_restricted_cases' "
                "ORDER BY role")).scalars().all()
        assert granted == ["admin", "supervisor"]

"""Fixtures for tests against real databases: each test gets a fresh SQLite file and a fresh
PostgreSQL database (on the server of ``pg_url``), so the same test runs on both back ends."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from dentrace.auth import Account, passwords
from dentrace.store.sql import Store, open_store
from dentrace.store.sql.models import User, utcnow

PASSWORD = "correct horse battery staple"
# Argon2 with small costs, in tests only: the real parameters cost ~0.1-1 s per hash.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash and verify with ``CHEAP_HASHER`` (the production parameters are tested in unit/)."""
    monkeypatch.setattr(passwords, "_HASHER", CHEAP_HASHER)


@pytest.fixture(scope="session")
def password() -> str:
    """The password of every account the ``team`` fixture creates."""
    return PASSWORD


@pytest.fixture(scope="session")
def password_hash() -> str:
    """One cheap Argon2 hash of ``PASSWORD`` for the ``team`` accounts."""
    return CHEAP_HASHER.hash(PASSWORD)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A migrated, empty cases store on SQLite, then on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        opened = open_store(tmp_path)
        yield opened
        opened.close()
        return
    base = make_url(request.getfixturevalue("pg_url"))
    name = f"dentrace_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    opened = open_store(database_url=base.set(database=name).render_as_string(False))
    try:
        yield opened
    finally:
        opened.close()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def team(store: Store, password_hash: str) -> dict[str, Account]:
    """Accounts ana, ben (analysts), sue, sam (supervisors) and ada (admin), password PASSWORD."""
    roles = {"ana": "analyst", "ben": "analyst", "sue": "supervisor", "sam": "supervisor",
             "ada": "admin"}
    with store.session() as session:
        users = [User(username=n, password_hash=password_hash, role=r, active=True,
                      created_at=utcnow()) for n, r in roles.items()]
        session.add_all(users)
        session.flush()
        return {u.username: Account.of(u) for u in users}

"""The cases store: migrations create exactly the models' tables on both back ends, reopening
is harmless, and concurrent writers keep the audit chain linear."""

from __future__ import annotations

import threading
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from dentrace import audit
from dentrace.store.sql import Store, migrate, open_store
from dentrace.store.sql.models import Base


def test_migrated_schema_matches_the_models(store: Store) -> None:
    with store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_migrating_again_is_a_no_op(store: Store) -> None:
    with store.session() as session:
        audit.record(session, actor="a", action="x", target_type="t", target_id="1", origin="cli")
    migrate(store.engine)
    assert audit.verify(store).checked == 1


def test_reopening_a_workspace_keeps_its_data(tmp_path: Path) -> None:
    with open_store(tmp_path) as first, first.session() as session:
        audit.record(session, actor="a", action="x", target_type="t", target_id="1", origin="cli")
    with open_store(tmp_path) as again:
        assert [e.actor for e in audit.entries(again)] == ["a"]


def test_concurrent_appends_keep_one_chain(store: Store) -> None:
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            for i in range(15):
                with store.session() as session:
                    audit.record(session, actor=name, action="view_party", target_type="party",
                                 target_id=str(i), origin="cli")
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(f"w{n}",)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = audit.verify(store)
    assert result.ok and result.checked == 45

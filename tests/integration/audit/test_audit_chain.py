"""The audit log is a hash chain: verify passes on an honest log and names the first entry
that was altered, inserted or deleted behind the application's back."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from dentrace import audit
from dentrace.audit.log import content_hash
from dentrace.store.sql import Store
from dentrace.store.sql.models import AuditEntry


def _write(store: Store, n: int) -> None:
    with store.session() as session:
        for i in range(n):
            audit.record(session, actor="ana", action="view_party", target_type="party",
                         target_id=f"P{i}", origin="10.0.0.1", detail={"i": i, "note": "é"})


def _drop_guard(store: Store) -> None:
    """Act as someone with direct database access who removes the append-only guard."""
    with store.engine.begin() as connection:
        if store.dialect == "postgresql":
            connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        else:
            connection.execute(text("DROP TRIGGER audit_log_no_update"))
            connection.execute(text("DROP TRIGGER audit_log_no_delete"))


def _sql(store: Store, statement: str) -> None:
    with store.engine.begin() as connection:
        connection.execute(text(statement))


def test_honest_log_verifies_and_reads_back(store: Store) -> None:
    _write(store, 5)
    result = audit.verify(store)
    assert result.ok and result.checked == 5
    newest = audit.entries(store, limit=2)
    assert [e.seq for e in newest] == [5, 4]
    assert newest[0].detail == {"i": 4, "note": "é"}
    assert newest[0].prev_hash == newest[1].entry_hash
    assert [e.target_id for e in audit.entries(store, target_id="P2")] == ["P2"]


def test_empty_log_verifies(store: Store) -> None:
    assert audit.verify(store).ok


def test_update_and_delete_are_refused_by_the_database(store: Store) -> None:
    _write(store, 2)
    with pytest.raises(DBAPIError, match="append-only"):
        _sql(store, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 1")
    with pytest.raises(DBAPIError, match="append-only"):
        _sql(store, "DELETE FROM audit_log WHERE seq = 2")
    assert audit.verify(store).ok


def test_altered_entry_is_named(store: Store) -> None:
    _write(store, 5)
    _drop_guard(store)
    _sql(store, "UPDATE audit_log SET target_id = 'P99' WHERE seq = 3")
    result = audit.verify(store)
    assert not result.ok and result.first_bad_seq == 3 and "altered" in result.problem


def test_rehashed_alteration_breaks_the_next_link(store: Store) -> None:
    _write(store, 4)
    _drop_guard(store)
    with store.session() as session:
        entry = session.get(AuditEntry, 2)
        assert entry is not None
        entry.target_id = "P99"
        forged = content_hash(entry)
        session.expunge(entry)
    _sql(store, f"UPDATE audit_log SET target_id = 'P99', entry_hash = '{forged}' WHERE seq = 2")
    result = audit.verify(store)
    assert not result.ok and result.first_bad_seq == 3 and "previous-hash" in result.problem


def test_deleted_entry_is_named(store: Store) -> None:
    _write(store, 5)
    _drop_guard(store)
    _sql(store, "DELETE FROM audit_log WHERE seq = 2")
    result = audit.verify(store)
    assert not result.ok and result.first_bad_seq == 3 and "deleted" in result.problem


def test_deleted_last_entry_is_caught_by_the_head(store: Store) -> None:
    _write(store, 3)
    _drop_guard(store)
    _sql(store, "DELETE FROM audit_log WHERE seq = 3")
    result = audit.verify(store)
    assert not result.ok and result.first_bad_seq == 3


def test_inserted_entry_is_named(store: Store) -> None:
    _write(store, 3)
    _drop_guard(store)
    _sql(store, "UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 2")
    _sql(store, "UPDATE audit_log SET seq = seq - 999 WHERE seq >= 1000")
    _sql(store, "INSERT INTO audit_log (seq, ts, actor, action, target_type, target_id, origin, "
                "detail, prev_hash, entry_hash) SELECT 2, ts, 'mallory', 'login', 'user', "
                "'mallory', 'cli', '{}', entry_hash, entry_hash FROM audit_log WHERE seq = 1")
    result = audit.verify(store)
    assert not result.ok and result.first_bad_seq == 2


def test_appends_after_verification_continue_the_chain(store: Store) -> None:
    _write(store, 2)
    _write(store, 2)
    entries = audit.entries(store, newest_first=False)
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    assert entries[0].prev_hash == audit.GENESIS
    assert audit.verify(store).ok


def test_rolled_back_savepoint_does_not_fork_the_chain(store: Store) -> None:
    with store.session() as session:
        audit.record(session, actor="a", action="x", target_type="t", target_id="1", origin="cli")
        savepoint = session.begin_nested()
        audit.record(session, actor="a", action="lost", target_type="t", target_id="2",
                     origin="cli")
        savepoint.rollback()
        audit.record(session, actor="a", action="y", target_type="t", target_id="3", origin="cli")
    assert [e.action for e in audit.entries(store, newest_first=False)] == ["x", "y"]
    assert audit.verify(store).ok


def test_failed_action_leaves_no_entry(store: Store) -> None:
    with pytest.raises(RuntimeError), store.session() as session:
        audit.record(session, actor="a", action="x", target_type="t", target_id="1", origin="cli")
        raise RuntimeError("the action failed after auditing")
    _write(store, 1)
    assert [e.seq for e in audit.entries(store)] == [1]
    assert audit.verify(store).ok

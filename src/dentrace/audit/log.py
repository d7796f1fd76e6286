"""The append-only, hash-chained audit log: record an action, read entries, verify the chain.

Each entry stores the previous entry's hash and the SHA-256 of its own canonical content (which
includes that previous hash), so altering, inserting or deleting any entry breaks the chain.
"""

from __future__ import annotations

import getpass
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from dentrace.store.sql import Store
from dentrace.store.sql.models import AuditEntry, AuditHead, Base

GENESIS = "0" * 64
_HEAD_KEY = "dentrace.audit.head"
_LOG, _HEAD = Base.metadata.tables["audit_log"], Base.metadata.tables["audit_head"]
# Built once: statement construction dominated the cost of an append.
_BUMP_HEAD = _HEAD.update().where(_HEAD.c.id == 1).values(seq=_HEAD.c.seq + 1)
_APPEND = _LOG.insert()
_READ_HEAD = select(_HEAD.c.seq, _HEAD.c.entry_hash).where(_HEAD.c.id == 1)
_MOVE_HEAD = _HEAD.update().where(_HEAD.c.id == 1).values(
    seq=bindparam("new_seq"), entry_hash=bindparam("new_hash"))
_COLUMNS = ("seq", "ts", "actor", "action", "target_type", "target_id", "origin", "detail",
            "prev_hash", "entry_hash")


@dataclass(frozen=True)
class AuditRecord:
    """One audit entry as read back: who did what to which target, when and from where."""

    seq: int
    ts: str
    actor: str
    action: str
    target_type: str
    target_id: str
    origin: str
    detail: dict[str, Any]
    prev_hash: str
    entry_hash: str


@dataclass(frozen=True)
class Verification:
    """The outcome of checking the chain; ``first_bad_seq`` names the first broken entry."""

    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""


def local_operator() -> str:
    """The actor name of someone running the CLI on the machine itself."""
    try:
        return f"os:{getpass.getuser()}"
    except (KeyError, OSError):
        return "os:unknown"


def canonical_detail(detail: dict[str, Any] | None) -> str:
    """The one JSON text of ``detail`` that is stored and hashed."""
    return json.dumps(detail or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def content_hash(entry: AuditEntry) -> str:
    """SHA-256 of an entry's canonical content, previous hash included."""
    content = {
        "seq": entry.seq, "ts": entry.ts, "actor": entry.actor, "action": entry.action,
        "target_type": entry.target_type, "target_id": entry.target_id, "origin": entry.origin,
        "detail": entry.detail, "prev_hash": entry.prev_hash,
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _innermost(session: Session) -> object:
    """The current transaction or savepoint: a cached head is valid only inside it."""
    return session.get_nested_transaction() or session.get_transaction()


def _head(session: Session) -> tuple[int, str]:
    """The sequence number and hash of the chain's last entry, locked for this transaction.

    Bumping the head row first takes the write lock (a row lock on PostgreSQL, the database
    lock on SQLite), so concurrent writers append one after another without forking the chain.
    The lock lasts until the transaction ends, so later appends in it reuse the cached head.
    """
    cached = session.info.get(_HEAD_KEY)
    if cached is not None and cached[0] is _innermost(session):
        return cached[1], cached[2]
    connection = session.connection()
    connection.execute(_BUMP_HEAD)
    seq, entry_hash = connection.execute(_READ_HEAD).one()
    return seq - 1, entry_hash


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    target_type: str,
    target_id: str | int,
    origin: str,
    detail: dict[str, Any] | None = None,
) -> int:
    """Append one entry inside the caller's transaction and return its sequence number."""
    last_seq, last_hash = _head(session)
    entry = AuditEntry(
        seq=last_seq + 1,
        ts=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        actor=actor[:128],
        action=action[:64],
        target_type=target_type[:32],
        target_id=str(target_id)[:128],
        origin=(origin or "unknown")[:64],
        detail=canonical_detail(detail),
        prev_hash=last_hash,
    )
    entry.entry_hash = content_hash(entry)
    connection = session.connection()
    connection.execute(_APPEND, {c: getattr(entry, c) for c in _COLUMNS})
    connection.execute(_MOVE_HEAD, {"new_seq": entry.seq, "new_hash": entry.entry_hash})
    session.info[_HEAD_KEY] = (_innermost(session), entry.seq, entry.entry_hash)
    return entry.seq


def _as_record(entry: AuditEntry) -> AuditRecord:
    return AuditRecord(
        seq=entry.seq, ts=entry.ts, actor=entry.actor, action=entry.action,
        target_type=entry.target_type, target_id=entry.target_id, origin=entry.origin,
        detail=json.loads(entry.detail), prev_hash=entry.prev_hash, entry_hash=entry.entry_hash,
    )


def entries(
    store: Store,
    *,
    actor: str | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    action: str | None = None,
    limit: int = 100,
    newest_first: bool = True,
) -> list[AuditRecord]:
    """Read audit entries, filtered by actor, target or action (no permission check)."""
    query = select(AuditEntry)
    if actor is not None:
        query = query.where(AuditEntry.actor == actor)
    if target_type is not None:
        query = query.where(AuditEntry.target_type == target_type)
    if target_id is not None:
        query = query.where(AuditEntry.target_id == str(target_id))
    if action is not None:
        query = query.where(AuditEntry.action == action)
    order = AuditEntry.seq.desc() if newest_first else AuditEntry.seq.asc()
    with store.session(write=False) as session:
        rows = session.execute(query.order_by(order).limit(limit)).scalars().all()
        return [_as_record(row) for row in rows]


def _walk(session: Session) -> Iterator[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=1000)
    yield from session.execute(query).scalars()


def verify(store: Store) -> Verification:
    """Check every entry's sequence, link and hash, then the head; report the first bad entry."""
    checked, expected_seq, prev = 0, 1, GENESIS
    with store.session(write=False) as session:
        for entry in _walk(session):
            if entry.seq != expected_seq:
                problem = f"sequence jumps from {expected_seq - 1} to {entry.seq}: entries deleted"
                return Verification(False, checked, entry.seq, problem)
            if entry.prev_hash != prev:
                problem = "previous-hash link does not match the entry before it"
                return Verification(False, checked, entry.seq, problem)
            if content_hash(entry) != entry.entry_hash:
                return Verification(False, checked, entry.seq, "content altered: hash mismatch")
            checked, expected_seq, prev = checked + 1, expected_seq + 1, entry.entry_hash
        head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one_or_none()
    if head is None:
        return Verification(False, checked, None, "audit head row is missing")
    if head.seq != checked or head.entry_hash != prev:
        problem = f"log ends at entry {checked} but the head records entry {head.seq}"
        return Verification(False, checked, checked + 1, problem)
    return Verification(True, checked)

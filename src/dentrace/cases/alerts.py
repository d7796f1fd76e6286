"""The alert queue: import a scan's alerts.parquet, list alerts, escalate them (dismissals are
in ``dismissal``).

Importing is idempotent per scan run (a scan id, by default the file's SHA-256). Escalating opens
a case, or adds to an existing one, holding the parties and the transactions behind the alert.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dentrace import audit
from dentrace.auth import Account, require
from dentrace.cases.access import hidden_case_ids
from dentrace.cases.casework import (
    load_case,
    new_case,
    put_parties,
    put_transactions,
)
from dentrace.cases.errors import AlreadyDisposed, InvalidTransition, NotFound
from dentrace.cases.limits import (
    MAX_ALERTS,
    MAX_REASON,
    MAX_TITLE,
    PARTY_ROLES,
    count_within,
    existing_id,
    text_within,
)
from dentrace.cases.views import AlertView, CaseView, alert_view, case_view, usernames
from dentrace.contract.alert import AlertRecord, details_json
from dentrace.errors import InputError, MissingColumnError
from dentrace.store.sql import Store
from dentrace.store.sql.models import (
    Alert,
    Case,
    CaseNote,
    CaseParty,
    ScanImport,
    User,
    utcnow,
)

REQUIRED = ("party_id", "role", "score", "reasons")
NEW, DISMISSED, ESCALATED = "new", "dismissed", "escalated"
# The audit actor of what the app does by itself; no login has this name (usernames are
# checked against it), so an entry by "system" was made by no person.
SYSTEM_ACTOR = "system"


@dataclass(frozen=True)
class ImportResult:
    """What one import did: ``imported`` is 0 when the scan was already in the store."""

    scan_id: str
    imported: int
    already_imported: bool


def scan_id_of(path: Path) -> str:
    """The default scan id: the first 16 hex digits of the file's SHA-256."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return "scan-" + digest.hexdigest()[:16]


def _alert_rows(path: Path) -> list[dict[str, Any]]:
    """Validated rows of alerts.parquet; errors name the file, 1-based row and field."""
    table = pq.read_table(path)
    for column in REQUIRED:
        if column not in table.column_names:
            raise MissingColumnError(f"required column '{column}' is missing", file=path,
                                     field=column)
    rows, seen = [], set()
    for number, row in enumerate(table.to_pylist(), start=1):
        if row.get("alert") is False:
            continue
        party, role, score = row["party_id"], row["role"], row["score"]
        if not party:
            raise InputError("party_id is empty", file=path, row=number, field="party_id")
        if party in seen:
            raise InputError(f"party {party} appears twice", file=path, row=number,
                             field="party_id")
        if role not in PARTY_ROLES:
            raise InputError(f"role {role!r} is not payer or facilitator", file=path,
                             row=number, field="role")
        if score is None or math.isnan(float(score)) or not 0 <= float(score) <= 1:
            raise InputError(f"score {score!r} is not in 0-1", file=path, row=number,
                             field="score")
        seen.add(party)
        details = None
        if row.get("reason_details"):  # checked here: a bad one names the file, row and field
            try:
                details = details_json(AlertRecord.of_columns(row))
            except InputError as error:
                raise InputError(error.message, file=path, row=number,
                                 field="reason_details") from error
        rows.append({"party_id": str(party), "role": role, "score": float(score),
                     "reasons": row["reasons"] or "", "explanation": row.get("explanation") or "",
                     "txn_ids": json.dumps([str(t) for t in row.get("txn_ids") or []]),
                     "reason_details": details})
    return rows


def import_alerts(
    store: Store, path: str | Path, *, actor: Account | None = None, scan_id: str | None = None,
    origin: str = "cli",
) -> ImportResult:
    """Load a scan's alerts into the queue once; ``actor=None`` is the local operator."""
    who = audit.local_operator() if actor is None else actor.username
    return _import(store, Path(path), scan_id, who, actor, origin)


def import_scan_alerts(store: Store, path: str | Path) -> ImportResult:
    """Load a newly published scan's alerts as the system (``SYSTEM_ACTOR``, origin 'app', no
    login): what the app does by itself when it sees a scan not yet in the queue. Same scan id as
    ``import_alerts``, so a supervisor's import of the same file adds nothing, nor the reverse."""
    return _import(store, Path(path), None, SYSTEM_ACTOR, None, "app")


def _import(store: Store, path: Path, scan_id: str | None, who: str, actor: Account | None,
            origin: str) -> ImportResult:
    if not path.is_file():
        raise InputError("alerts file not found", file=path)
    scan_id = scan_id or scan_id_of(path)
    try:
        with store.session() as session:
            if actor is not None:
                require(session, actor, "import_alerts")
            if session.get(ScanImport, scan_id) is not None:
                return ImportResult(scan_id, 0, True)
            rows = _alert_rows(path)
            now = utcnow()
            session.add(ScanImport(scan_id=scan_id, source=str(path), alerts=len(rows),
                                   imported_at=now))
            session.flush()
            session.add_all(Alert(scan_id=scan_id, status=NEW, created_at=now, **r)
                            for r in rows)
            audit.record(session, actor=who, action="import_alerts", target_type="scan",
                         target_id=scan_id, origin=origin,
                         detail={"file": str(path), "alerts": len(rows)})
    except IntegrityError:
        # Another worker inserted the same scan between our check and our insert (PostgreSQL
        # read committed; SQLite's IMMEDIATE writers cannot interleave): the key decides.
        with store.session(write=False) as session:
            if session.get(ScanImport, scan_id) is None:
                raise
        return ImportResult(scan_id, 0, True)
    return ImportResult(scan_id, len(rows), False)


def list_alerts(
    store: Store, actor: Account, *, status: str | None = None, role: str | None = None,
    min_score: float | None = None, party_id: str | None = None, scan_id: str | None = None,
    limit: int = 500, offset: int = 0,
) -> list[AlertView]:
    """The queue, highest score first, filtered by status, role, score, party or scan."""
    query = select(Alert)
    for column, value in ((Alert.status, status), (Alert.role, role),
                          (Alert.party_id, party_id), (Alert.scan_id, scan_id)):
        if value is not None:
            query = query.where(column == value)
    if min_score is not None:
        query = query.where(Alert.score >= min_score)
    query = query.order_by(Alert.score.desc(), Alert.id).limit(limit).offset(offset)
    with store.session(write=False) as session:
        user = require(session, actor, "view_alerts")
        names, hidden = usernames(session), hidden_case_ids(session, user)
        return [alert_view(a, names, hidden) for a in session.execute(query).scalars()]


def get_alert(store: Store, actor: Account, alert_id: int) -> AlertView:
    """One alert, or ``NotFound``."""
    with store.session(write=False) as session:
        user = require(session, actor, "view_alerts")
        return alert_view(_alert(session, alert_id, new_only=False), usernames(session),
                          hidden_case_ids(session, user))


def _alert(session: Session, alert_id: int, *, new_only: bool = True) -> Alert:
    alert = session.get(Alert, existing_id(alert_id, "alert"), with_for_update=new_only)
    if alert is None:
        raise NotFound(f"no alert {alert_id}")
    if new_only and alert.status != NEW:
        raise AlreadyDisposed(f"alert {alert_id} is already {alert.status}")
    return alert


def _target_case(session: Session, user: User, case_id: int | None, title: str,
                 restricted: bool, origin: str) -> Case:
    if case_id is not None:
        case = load_case(session, case_id, user)
        if case.status in ("reported", "closed"):
            raise InvalidTransition(case.id, case.status, "given more alerts")
        return case
    case = new_case(session, user, title)
    case.restricted = restricted
    audit.record(session, actor=user.username, action="open_case", target_type="case",
                 target_id=case.id, origin=origin,
                 detail={"title": case.title, "restricted": restricted})
    return case


def escalate_alerts(
    store: Store, actor: Account, alert_ids: Sequence[int], *, case_id: int | None = None,
    title: str | None = None, note: str | None = None, restricted: bool = False,
    origin: str = "cli",
) -> CaseView:
    """Escalate alerts into one case: a new one (``restricted`` if asked), or ``case_id`` if
    given and visible to the actor; all or none. ``note`` (the reason) is kept on each alert
    and written as a note on the case by the actor, at the escalation's time."""
    count_within(alert_ids, "alert_ids", MAX_ALERTS)
    title = text_within(title, "title", MAX_TITLE) if title else None
    note = text_within(note, "reason", MAX_REASON) if note else None
    with store.session() as session:
        user = require(session, actor, "escalate")
        alerts = [_alert(session, i) for i in dict.fromkeys(alert_ids)]
        if not alerts:
            raise NotFound("no alert to escalate")
        default_title = ("Alert: " + ", ".join(a.party_id for a in alerts[:3]))[:MAX_TITLE]
        case = _target_case(session, user, case_id, title or default_title, restricted,
                            origin)
        put_parties(session, case, ((a.party_id, a.role) for a in alerts))
        put_transactions(session, case, (t for a in alerts for t in json.loads(a.txn_ids)))
        now = utcnow()
        reason = note.strip() if note else None
        for alert in alerts:
            alert.status, alert.case_id = ESCALATED, case.id
            alert.disposition_reason = reason or None
            alert.disposed_by, alert.disposed_at = user.id, now
            audit.record(session, actor=actor.username, action="escalate_alert",
                         target_type="alert", target_id=alert.id, origin=origin,
                         detail={"party_id": alert.party_id, "case_id": case.id})
        if reason:  # why the case exists: its first note, read with the case and in the STR
            session.add(CaseNote(case_id=case.id, author_id=user.id, text=reason,
                                 created_at=now))
        session.flush()
        return case_view(session, case)


@dataclass(frozen=True)
class PartyRecord:
    """What the cases store knows of a party: its alerts and the cases holding it."""

    party_id: str
    alerts: list[AlertView]
    case_ids: list[int]


def record_party_view(
    store: Store, actor: Account, party_id: str, *, origin: str = "cli"
) -> PartyRecord:
    """Check and audit a view of a party's page; returns its alerts and the cases holding it
    that the actor may see."""
    with store.session() as session:
        user = require(session, actor, "view_party")
        audit.record(session, actor=actor.username, action="view_party", target_type="party",
                     target_id=party_id, origin=origin)
        names, hidden = usernames(session), hidden_case_ids(session, user)
        alerts = session.execute(select(Alert).where(Alert.party_id == party_id)
                                 .order_by(Alert.created_at.desc(), Alert.id)).scalars()
        case_ids = session.execute(select(CaseParty.case_id).where(
            CaseParty.party_id == party_id).order_by(CaseParty.case_id)).scalars().all()
        return PartyRecord(party_id, [alert_view(a, names, hidden) for a in alerts],
                           [c for c in case_ids if c not in hidden])


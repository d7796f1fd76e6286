"""Dispositions flow back as known labels for the next scan and for training.

Escalated alerts and parties of reported cases become offender (payer) or facilitator; dismissed
alerts become cleared. Parties of a case closed without a report get no label from that case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from dentrace import audit
from dentrace.contract.schema import KNOWN
from dentrace.store.sql import Store
from dentrace.store.sql.models import Alert, Case, CaseParty
from dentrace.writing.csvsafe import write_csv

LABEL_OF_ROLE = {"payer": "offender", "facilitator": "facilitator"}
# Stronger evidence wins for a party; among equals the latest decision wins.
_STRENGTH = {"reported": 3, "escalated": 2, "dismissed": 1}


@dataclass(frozen=True)
class KnownLabel:
    """One row of a known-labels file: ``party_id``, ``label``, ``as_of``."""

    party_id: str
    label: str
    as_of: date


def _decisions(store: Store) -> list[tuple[str, str, str, datetime]]:
    """(party_id, kind, label, when) for every disposition and every reported case party."""
    found: list[tuple[str, str, str, datetime]] = []
    with store.session(write=False) as session:
        alerts = session.execute(
            select(Alert.party_id, Alert.role, Alert.status, Alert.disposed_at, Case.status)
            .outerjoin(Case, Case.id == Alert.case_id)
            .where(Alert.status.in_(("dismissed", "escalated")))
        ).all()
        for party, role, status, when, case_status in alerts:
            if status == "dismissed" and when is not None:
                found.append((party, "dismissed", "cleared", when))
            elif status == "escalated" and when is not None and case_status != "closed":
                found.append((party, "escalated", LABEL_OF_ROLE[role], when))
        reported = session.execute(
            select(CaseParty.party_id, CaseParty.role, Case.approved_at)
            .join(Case, Case.id == CaseParty.case_id).where(Case.status == "reported")
        ).all()
        for party, role, when in reported:
            if when is not None:
                found.append((party, "reported", LABEL_OF_ROLE[role], when))
    return found


def export_known_labels(store: Store) -> list[KnownLabel]:
    """One label per party from the store's dispositions and reports, sorted by party id."""
    best: dict[str, tuple[int, datetime, str]] = {}
    for party, kind, label, when in _decisions(store):
        candidate = (_STRENGTH[kind], when, label)
        if party not in best or candidate[:2] > best[party][:2]:
            best[party] = candidate
    return [KnownLabel(party, label, when.date())
            for party, (_, when, label) in sorted(best.items())]


def write_known_csv(store: Store, path: str | Path, *, origin: str = "cli") -> int:
    """Write the labels as a known CSV for ``dentrace ingest --known``; returns the row count."""
    labels = export_known_labels(store)
    path = Path(path)
    # a party id such as "=cmd|..." must not run as a formula when the file is opened
    write_csv(path, KNOWN.names, ((k.party_id, k.label, k.as_of.isoformat()) for k in labels))
    with store.session() as session:
        audit.record(session, actor=audit.local_operator(), action="export_known_labels",
                     target_type="file", target_id=str(path)[-128:], origin=origin,
                     detail={"rows": len(labels)})
    return len(labels)

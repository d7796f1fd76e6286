"""Open alerts related to a case: alerts still in the queue whose party paid or was paid by a
party of the case (the alerted payers of its facilitators, the facilitators of its payers).

Who is linked to whom comes from the warehouse, outside this package (the web app's evidence):
``related_alerts`` takes that map and answers from the cases store, leaving out parties the
case already holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from dentrace.auth import Account, require
from dentrace.cases.access import hidden_case_ids
from dentrace.cases.casework import load_case
from dentrace.cases.dismissal import NEW
from dentrace.cases.views import AlertView, alert_view, usernames
from dentrace.store.sql import Store
from dentrace.store.sql.models import Alert, CaseParty

MAX_RELATED = 50


@dataclass(frozen=True)
class RelatedAlert:
    """An open alert and the case's parties its party paid or was paid by."""

    alert: AlertView
    via: list[str]


def related_alerts(
    store: Store, actor: Account, case_id: int, links: Mapping[str, Sequence[str]], *,
    limit: int = MAX_RELATED,
) -> list[RelatedAlert]:
    """New alerts of the parties in ``links`` (party → the case's parties it dealt with), not
    held in the case, highest score first."""
    with store.session(write=False) as session:
        user = require(session, actor, "view_alerts")
        case = load_case(session, case_id, user)
        held = set(session.execute(select(CaseParty.party_id)
                                   .where(CaseParty.case_id == case.id)).scalars())
        wanted = [p for p in links if p not in held]
        if not wanted:
            return []
        rows = session.execute(
            select(Alert).where(Alert.status == NEW, Alert.party_id.in_(wanted))
            .order_by(Alert.score.desc(), Alert.id).limit(limit)).scalars().all()
        names, hidden = usernames(session), hidden_case_ids(session, user)
        return [RelatedAlert(alert_view(a, names, hidden), sorted(set(links[a.party_id])))
                for a in rows]

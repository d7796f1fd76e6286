"""The alert queue as the screens and API show it: the cases service's list plus country and date
filters, sorting on any column and paging. Shared by ``GET /api/v1/alerts`` and the queue page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from dentrace.cases import AlertView, list_alerts
from dentrace.web.deps import AppContext
from dentrace.web.security import Caller

SortKey = Literal["score", "-score", "party_id", "-party_id", "role", "-role", "country",
                  "-country", "created_at", "-created_at", "status", "-status"]
SORT_KEYS: tuple[str, ...] = SortKey.__args__  # type: ignore[attr-defined]
# The service pages through the whole queue for us; this bounds one request's work.
QUEUE_CEILING = 100_000


@dataclass(frozen=True)
class QueueFilter:
    """What the analyst asked for: filters, sort order and page."""

    status: str | None = None
    role: str | None = None
    country: str | None = None
    min_score: float | None = None
    max_score: float | None = None
    since: date | None = None
    until: date | None = None
    party_id: str | None = None
    sort: str = "-score"
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class QueueLine:
    alert: AlertView
    country: str | None


def _sort_value(line: QueueLine, key: str) -> object:
    return line.country if key == "country" else getattr(line.alert, key)


def _sorted(lines: list[QueueLine], key: str) -> list[QueueLine]:
    """Lines in the order asked for (ties by alert id); empty values always last."""
    descending = key.startswith("-")
    field = key.lstrip("-")
    lines = sorted(lines, key=lambda ln: ln.alert.id)
    present = [ln for ln in lines if _sort_value(ln, field) is not None]
    missing = [ln for ln in lines if _sort_value(ln, field) is None]
    present.sort(key=lambda ln: _sort_value(ln, field), reverse=descending)  # type: ignore[arg-type,return-value]
    return present + missing


def alert_queue(context: AppContext, caller: Caller, wanted: QueueFilter) -> tuple[
    int, list[QueueLine]
]:
    """The total number of matching alerts and the requested page of them."""
    alerts = list_alerts(context.store, caller.account, status=wanted.status, role=wanted.role,
                         min_score=wanted.min_score, party_id=wanted.party_id,
                         limit=QUEUE_CEILING)
    countries = context.evidence.countries(a.party_id for a in alerts)
    lines = [QueueLine(a, countries.get(a.party_id)) for a in alerts]
    if wanted.max_score is not None:
        lines = [ln for ln in lines if ln.alert.score <= wanted.max_score]
    if wanted.country:
        lines = [ln for ln in lines if (ln.country or "").upper() == wanted.country.upper()]
    if wanted.since is not None:
        lines = [ln for ln in lines if ln.alert.created_at.date() >= wanted.since]
    if wanted.until is not None:
        lines = [ln for ln in lines if ln.alert.created_at.date() <= wanted.until]
    lines = _sorted(lines, wanted.sort if wanted.sort in SORT_KEYS else "-score")
    return len(lines), lines[wanted.offset: wanted.offset + wanted.limit]

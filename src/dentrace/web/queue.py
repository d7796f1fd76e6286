"""The alert queue as the screens and API show it: the cases service's list plus country, date,
assignee and overdue filters, sorting on any column and paging, filled by itself from each newly
published scan.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from fastapi import Request
from sqlalchemy.exc import SQLAlchemyError

from dentrace.cases import (
    NEW,
    PENDING_DISMISSAL,
    AlertView,
    CaseSettings,
    ImportResult,
    alert_due,
    import_scan_alerts,
    is_overdue,
    list_alerts,
)
from dentrace.errors import DentraceError
from dentrace.store.scan_outputs import ScanSet, current_scan
from dentrace.store.sql import Store
from dentrace.store.sql.models import utcnow
from dentrace.web.deps import AppContext
from dentrace.web.security import Caller

log = logging.getLogger(__name__)

SortKey = Literal["score", "-score", "party_id", "-party_id", "role", "-role", "country",
                  "-country", "created_at", "-created_at", "status", "-status", "assignee",
                  "-assignee", "due", "-due"]
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
    assignee: str | None = None  # a username, "me" (the caller) or "none" (nobody's)
    overdue: bool = False


@dataclass(frozen=True)
class QueueLine:
    alert: AlertView
    country: str | None
    due: datetime | None = None  # when an open alert should be triaged by (SLA or by hand)
    overdue: bool = False


def _sort_value(line: QueueLine, key: str) -> object:
    if key in ("country", "due"):
        return getattr(line, key)
    return getattr(line.alert, key)


def _line(alert: AlertView, country: str | None, sla: CaseSettings, now: datetime) -> QueueLine:
    still_open = alert.status in (NEW, PENDING_DISMISSAL)
    due = alert_due(alert, sla) if still_open else None
    return QueueLine(alert, country, due, due is not None and is_overdue(due, True, now))


def _assigned(lines: list[QueueLine], who: str, me: str) -> list[QueueLine]:
    if who == "none":
        return [ln for ln in lines if ln.alert.assignee is None]
    name = me if who == "me" else who
    return [ln for ln in lines if ln.alert.assignee == name]


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
    now = utcnow()
    lines = [_line(a, countries.get(a.party_id), context.settings.cases, now) for a in alerts]
    if wanted.assignee:
        lines = _assigned(lines, wanted.assignee, caller.account.username)
    if wanted.overdue:
        lines = [ln for ln in lines if ln.overdue]
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


def scan_key(scan: ScanSet) -> str | None:
    """What tells one published scan from the next without reading it: the generation's name,
    or for a workspace scanned before generations the root alerts file's identity (None: no
    alerts file)."""
    if scan.generation is not None:
        return scan.generation
    try:
        stat = scan.alerts.stat()
    except OSError:
        return None
    return f"root:{stat.st_ino}:{stat.st_size}:{stat.st_mtime_ns}"


class ScanFeed:
    """Puts a newly published scan's alerts into the queue by itself, as the system.

    ``check`` costs one small file read while the scan in force is the one last seen, so it runs
    on every request. The import itself is idempotent per scan id in the database (its primary
    key), so two workers or two requests seeing the same new scan import it once.
    """

    def __init__(self, workspace: Path, store: Store) -> None:
        self.workspace = Path(workspace)
        self.store = store
        self._seen: str | None = None
        self._lock = threading.Lock()

    def check(self) -> ImportResult | None:
        """Import the scan in force if this process has not seen it yet; what was done."""
        scan = current_scan(self.workspace)
        key = scan_key(scan)
        if key is None or key == self._seen:
            return None
        with self._lock:  # requests of this process wait for one import, not run three
            if key == self._seen:
                return None
            try:
                result = import_scan_alerts(self.store, scan.alerts)
            except DentraceError as exc:
                # A scan output the queue cannot take: said once, and the app keeps serving.
                log.warning("alerts of scan %s not imported: %s", key, exc)
                result = None
            except (SQLAlchemyError, OSError) as exc:
                # The database is busy or away, or the file went with its pruned generation:
                # the next request tries again.
                log.warning("alerts of scan %s not imported yet: %s", key, exc)
                return None
            self._seen = key
            return result


def fill_queue(request: Request) -> None:
    """App-wide dependency: a newly published scan's alerts reach the queue before the request
    reads it."""
    feed: ScanFeed | None = getattr(request.app.state, "scan_feed", None)
    if feed is not None:
        feed.check()

"""Alert API: the queue with filters and paging, one alert, single and bulk dispositions, import.

Dispositions call the cases service: dismiss needs a reason code and text (and a second review
for high scores and known offenders), escalate opens a case or adds to an existing one.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, HTTPException, Query

from dentrace.cases import (
    MissingReason,
    dismiss_alerts,
    escalate_alerts,
    get_alert,
    import_alerts,
)
from dentrace.web.api.schemas import (
    AlertOut,
    AlertPage,
    BulkDisposition,
    Disposition,
    DispositionResult,
    ImportResultOut,
)
from dentrace.web.deps import AppContext, app_context, current_caller, permit
from dentrace.web.queue import QueueFilter, SortKey, alert_queue
from dentrace.web.security import Caller

router = APIRouter(prefix="/alerts", tags=["alerts"])


@router.get("", response_model=AlertPage)
def list_queue(
    status: str | None = Query(None, max_length=32,
                               description="new | dismissal_pending | dismissed | escalated"),
    role: str | None = Query(None, max_length=32, description="payer | facilitator"),
    country: str | None = Query(None, max_length=8, description="ISO 3166-1 alpha-2"),
    min_score: float | None = Query(None, ge=0, le=1),
    max_score: float | None = Query(None, ge=0, le=1),
    since: date | None = Query(None, description="raised on or after (YYYY-MM-DD)"),
    until: date | None = Query(None, description="raised on or before (YYYY-MM-DD)"),
    party_id: str | None = Query(None, max_length=128),
    assignee: str | None = Query(None, max_length=64,
                                 description="a username, 'me' or 'none' (nobody's)"),
    overdue: bool = Query(False, description="only open alerts past their due date"),
    sort: SortKey = Query("-score", description="column, '-' for descending"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=1_000_000),
    caller: Caller = Depends(current_caller),
    context: AppContext = Depends(app_context),
) -> AlertPage:
    """The alert queue, filtered, sorted and paged."""
    wanted = QueueFilter(status=status, role=role, country=country, min_score=min_score,
                         max_score=max_score, since=since, until=until, party_id=party_id,
                         assignee=assignee, overdue=overdue, sort=sort, limit=limit,
                         offset=offset)
    total, lines = alert_queue(context, caller, wanted)
    return AlertPage(total=total, limit=limit, offset=offset,
                     items=[AlertOut.of(ln.alert, ln.country) for ln in lines])


@router.get("/{alert_id}", response_model=AlertOut)
def one_alert(
    alert_id: int, caller: Caller = Depends(current_caller),
    context: AppContext = Depends(app_context),
) -> AlertOut:
    """One alert with its disposition."""
    view = get_alert(context.store, caller.account, alert_id)
    return AlertOut.of(view, context.evidence.countries([view.party_id]).get(view.party_id))


def decide(context: AppContext, caller: Caller, alert_ids: list[int],
           body: Disposition) -> DispositionResult:
    """Apply one decision to alerts through the cases service (all or none)."""
    store, account = context.store, caller.account
    if body.decision == "dismiss":
        if not (body.reason or "").strip():
            raise MissingReason("field 'reason': a dismissal needs a reason")
        # a known offender's dismissal waits for a second review, as a high score's does
        parties = [get_alert(store, account, i).party_id for i in dict.fromkeys(alert_ids)]
        with context.evidence.connect():
            known = context.evidence.known_offenders(parties)
        views = dismiss_alerts(store, account, alert_ids, body.reason or "",
                               code=body.code or "", settings=context.settings.cases,
                               known_offenders=known, origin=caller.origin)
        return DispositionResult(alerts=[AlertOut.of(v) for v in views])
    case = escalate_alerts(store, account, alert_ids, case_id=body.case_id, title=body.title,
                           note=body.reason, restricted=body.restricted, origin=caller.origin)
    views = [get_alert(store, account, i) for i in dict.fromkeys(alert_ids)]
    return DispositionResult(alerts=[AlertOut.of(v) for v in views], case_id=case.id)


@router.post("/{alert_id}/disposition", response_model=DispositionResult)
def dispose_one(
    alert_id: int, body: Disposition, caller: Caller = Depends(current_caller),
    context: AppContext = Depends(app_context),
) -> DispositionResult:
    """Dismiss one alert with a reason, or escalate it into a (new or given) case."""
    return decide(context, caller, [alert_id], body)


@router.post("/dispositions", response_model=DispositionResult)
def dispose_many(
    body: BulkDisposition, caller: Caller = Depends(current_caller),
    context: AppContext = Depends(app_context),
) -> DispositionResult:
    """Bulk action: dismiss or escalate several alerts (into one case) at once."""
    return decide(context, caller, body.alert_ids, body)


@router.post("/import", response_model=ImportResultOut)
def import_scan(
    caller: Caller = Depends(current_caller), context: AppContext = Depends(app_context),
) -> ImportResultOut:
    """Load the workspace's latest ``alerts.parquet`` into the queue (once per scan run)."""
    permit(context, caller, "import_alerts")
    path = context.evidence.scan_set().alerts  # the last complete scan's
    if not path.is_file():
        raise HTTPException(status_code=404, detail=f"no {path.name}: run `dentrace scan`")
    result = import_alerts(context.store, path, actor=caller.account, origin=caller.origin)
    return ImportResultOut(**result.__dict__)

"""Work management API: assign alerts (to me, or by a supervisor to anyone), due dates, second
review of dismissals, the dismissal reason codes, and each user's saved queue views.

Each route is one call to the cases service, which checks the role and writes the audit log.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from dentrace import cases as service
from dentrace.web.api.schemas import (
    AlertOut,
    AssignAlertsIn,
    DueIn,
    ReviewIn,
    SavedViewIn,
    SavedViewOut,
)
from dentrace.web.deps import AppContext, app_context, current_caller
from dentrace.web.security import Caller

router = APIRouter(tags=["work"])


@router.get("/dismissal-codes", response_model=dict[str, str])
def dismissal_codes(caller: Caller = Depends(current_caller)) -> dict[str, str]:
    """The reason codes a dismissal must name, with what each means."""
    return dict(service.DISMISSAL_CODES)


@router.post("/alerts/assign", response_model=list[AlertOut])
def assign_alerts(
    body: AssignAlertsIn, caller: Caller = Depends(current_caller),
    context: AppContext = Depends(app_context),
) -> list[AlertOut]:
    """Give open alerts to a user: oneself (analysts), anyone or nobody (supervisors)."""
    views = service.assign_alerts(context.store, caller.account, body.alert_ids, body.assignee,
                                  origin=caller.origin)
    return [AlertOut.of(v) for v in views]


@router.post("/alerts/{alert_id}/due", response_model=AlertOut)
def set_alert_due(
    alert_id: int, body: DueIn, caller: Caller = Depends(current_caller),
    context: AppContext = Depends(app_context),
) -> AlertOut:
    """Set an open alert's due date (its assignee or a supervisor); null: back to the SLA."""
    return AlertOut.of(service.set_alert_due(context.store, caller.account, alert_id,
                                             body.due_at, origin=caller.origin))


@router.post("/alerts/review", response_model=list[AlertOut])
def review_dismissals(
    body: ReviewIn, caller: Caller = Depends(current_caller),
    context: AppContext = Depends(app_context),
) -> list[AlertOut]:
    """Confirm or refuse dismissals held for a second review (not one's own: four eyes)."""
    views = service.review_dismissals(context.store, caller.account, body.alert_ids,
                                      confirm=body.confirm, reason=body.reason,
                                      origin=caller.origin)
    return [AlertOut.of(v) for v in views]


@router.get("/views", response_model=list[SavedViewOut])
def list_views(
    caller: Caller = Depends(current_caller), context: AppContext = Depends(app_context),
) -> list[SavedViewOut]:
    """The caller's saved queue views."""
    return [SavedViewOut(**v.__dict__) for v in service.list_views(context.store,
                                                                   caller.account)]


@router.post("/views", response_model=SavedViewOut, status_code=201)
def save_view(
    body: SavedViewIn, caller: Caller = Depends(current_caller),
    context: AppContext = Depends(app_context),
) -> SavedViewOut:
    """Save the queue's filters and sort under a name (replacing a view of that name)."""
    view = service.save_view(context.store, caller.account, body.name, body.filters,
                             origin=caller.origin)
    return SavedViewOut(**view.__dict__)


@router.delete("/views/{view_id}", status_code=204)
def delete_view(
    view_id: int, caller: Caller = Depends(current_caller),
    context: AppContext = Depends(app_context),
) -> Response:
    """Delete one of the caller's saved views."""
    service.delete_view(context.store, caller.account, view_id, origin=caller.origin)
    return Response(status_code=204)

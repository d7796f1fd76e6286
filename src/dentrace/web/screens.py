"""The investigator's screens after login: alert queue, party, cases, case, overview, audit log.

Each handler gathers data from the services (which check roles and audit) and renders a page.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dentrace import audit
from dentrace import cases as service
from dentrace.auth import permissions
from dentrace.web import figures
from dentrace.web.api.cases import related as related_to
from dentrace.web.api.parties import party_summary
from dentrace.web.api.search import MAX_QUERY, search
from dentrace.web.case_story import case_story
from dentrace.web.deps import (
    AppContext,
    app_context,
    audited,
    current_caller,
    parties_in_cases,
    permit,
)
from dentrace.web.pages import render
from dentrace.web.party_paths import party_id_in_path
from dentrace.web.queue import SORT_KEYS, QueueFilter, alert_queue
from dentrace.web.security import Caller

router = APIRouter(include_in_schema=False)
TIMELINE_POINTS = 3000
TABLE_ROWS = 300


def _number(text: str | None, low: float, high: float) -> float | None:
    try:
        value = float(text) if text not in (None, "") else None
    except ValueError:
        return None
    return value if value is not None and low <= value <= high else None


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def queue_filter(params: dict[str, str], page_size: int) -> QueueFilter:
    """The queue filter from a page's query string; bad values are ignored, not fatal."""
    page = int(_number(params.get("page"), 1, 100_000) or 1)
    sort = params.get("sort") or "-score"
    return QueueFilter(
        status=params.get("status") or None, role=params.get("role") or None,
        country=(params.get("country") or "").strip().upper() or None,
        min_score=_number(params.get("min_score"), 0, 1),
        max_score=_number(params.get("max_score"), 0, 1),
        since=_day(params.get("since")), until=_day(params.get("until")),
        party_id=(params.get("party_id") or "").strip() or None,
        assignee=(params.get("assignee") or "").strip()[:64] or None,
        overdue=params.get("overdue") == "1",
        sort=sort if sort in SORT_KEYS else "-score",
        limit=page_size, offset=(page - 1) * page_size,
    )


@router.get("/alerts", response_class=HTMLResponse)
def alert_queue_page(request: Request, caller: Caller = Depends(current_caller),
                     context: AppContext = Depends(app_context)) -> Response:
    """Alert queue: filters, sortable columns, bulk dismiss and escalate."""
    params = {k: v for k, v in request.query_params.items() if v}
    wanted = queue_filter(params, context.settings.page_size)
    with context.evidence.connect():
        total, lines = alert_queue(context, caller, wanted)
    if "status" not in request.query_params:
        params["status"] = ""

    def link(**changes: Any) -> str:
        merged = {**params, **{k: str(v) for k, v in changes.items()}}
        return "/alerts?" + urlencode({k: v for k, v in merged.items() if v})

    page, pages = wanted.offset // wanted.limit + 1, max(1, -(-total // wanted.limit))
    if page > pages:  # past the end (a bookmark, fewer alerts now): the last page, honestly
        return RedirectResponse(link(page=pages), status_code=303)
    views = service.list_views(context.store, caller.account)
    open_cases = [c for c in service.list_cases(context.store, caller.account)
                  if c.status not in (service.REPORTED, service.CLOSED)]
    return render(request, "alerts.html", caller=caller, lines=lines, total=total,
                  indicators=context.indicators, views=views, open_cases=open_cases,
                  view_filters={k: v for k, v in params.items() if k in service.VIEW_KEYS},
                  age=service.age_text, query_of=urlencode,
                  wanted=wanted, params=params, link=link, page=page, pages=pages)


def _party_cases(context: AppContext, caller: Caller, case_ids: list[int]) -> list[Any]:
    if not case_ids:
        return []
    wanted = set(case_ids)
    return [c for c in service.list_cases(context.store, caller.account) if c.id in wanted]


@router.get("/parties/{party_id}", response_class=HTMLResponse)
def party_page(request: Request, party_id: str = Depends(party_id_in_path),
               caller: Caller = Depends(current_caller),
               context: AppContext = Depends(app_context)) -> HTMLResponse:
    """Party page: KYC, score and reasons, timeline, network, payments, triage (audited)."""
    permit(context, caller, "view_party")
    evidence = context.evidence
    with evidence.connect():  # one open of the warehouse for the page (about 20 ms CPU each)
        party = party_summary(context, party_id)
        timeline = evidence.payments(party_id, limit=TIMELINE_POINTS)
        network = figures.ego_network(evidence, party_id, context.settings.network_hops,
                                      case_parties=parties_in_cases(context))
        flagged = evidence.flagged_txn_ids(party_id)
    record = service.record_party_view(context.store, caller.account, party_id,
                                       origin=caller.origin)
    open_alert = next((a for a in record.alerts if a.status == service.NEW), None)
    page_data = {"party_id": party_id, "currency": party["reporting_currency"],
                 "timeline": timeline["items"], "network": network, "flagged": flagged,
                 "table_rows": TABLE_ROWS}
    payments = {"total": timeline["total"], "items": timeline["items"][:TABLE_ROWS]}
    return render(request, "party.html", caller=caller, party=party, payments=payments,
                  open_alert=open_alert, last_alert=record.alerts[0] if record.alerts else None,
                  cases=_party_cases(context, caller, record.case_ids), page_data=page_data,
                  flagged=set(flagged),
                  reason_titles=context.indicators)


@router.get("/cases", response_class=HTMLResponse)
def cases_page(request: Request, status: str | None = None, mine: bool = False,
               caller: Caller = Depends(current_caller),
               context: AppContext = Depends(app_context)) -> HTMLResponse:
    """Case list, by status, optionally only the caller's."""
    status = status if status in service.STATUSES else None
    found = service.list_cases(context.store, caller.account, status=status,
                               assignee=caller.account.username if mine else None)
    sla = context.settings.cases
    due = {c.id: service.case_due(c, sla) for c in found}
    overdue = {c.id for c in found if c.status not in (service.REPORTED, service.CLOSED)
               and service.is_overdue(due[c.id], True)}
    return render(request, "cases.html", caller=caller, cases=found, status=status, mine=mine,
                  statuses=service.STATUSES, due=due, overdue=overdue, age=service.age_text)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(case_id: int, request: Request, caller: Caller = Depends(current_caller),
              context: AppContext = Depends(app_context)) -> HTMLResponse:
    """Case page: parties, transactions, notes, status, assignee, submit and approve."""
    case = service.get_case(context.store, caller.account, case_id, origin=caller.origin)
    evidence = context.evidence
    with evidence.connect():
        scores = {p: evidence.score(p) for p, _ in case.parties}
        countries = evidence.countries(p for p, _ in case.parties)
        payments = evidence.payments_by_id(case.txn_ids)
        currency = evidence.reporting_currency()
        story = case_story(context, case, payments)
        related = related_to(context, caller, case)
    # the buttons are the status machine's moves this user may make now (one source)
    submitter = case.submitted_by == caller.account.username
    held = permissions(context.store).get(caller.account.role, set())
    moves = service.allowed_moves(held, case.status, is_submitter=submitter)
    due = service.case_due(case, context.settings.cases)
    still_open = case.status not in (service.REPORTED, service.CLOSED)
    page_data = {"case_id": case.id, "currency": currency, "network": story["network"],
                 "payments": payments}
    return render(request, "case.html", caller=caller, case=case, scores=scores,
                  countries=countries, payments=payments, currency=currency,
                  statuses=service.STATUSES, moves=moves, is_submitter=submitter,
                  story=story, related=related, due=due, still_open=still_open,
                  overdue=service.is_overdue(due, still_open), age=service.age_text,
                  max_upload=context.settings.cases.attachment_max_bytes,
                  document_types=service.DOCUMENT_TYPES, page_data=page_data,
                  indicators=context.indicators)


@router.get("/overview", response_class=HTMLResponse)
def overview_page(request: Request, caller: Caller = Depends(current_caller),
                  context: AppContext = Depends(app_context)) -> HTMLResponse:
    """Overview: alert counts by status, charts over time, corridors, amounts, facilitators."""
    permit(context, caller, "view_alerts")
    figures_data = figures.overview(context.evidence)
    queue = service.list_alerts(context.store, caller.account, limit=100_000)
    counts = {s: sum(1 for a in queue if a.status == s)
              for s in (service.NEW, service.ESCALATED, service.DISMISSED)}
    open_cases = [c for c in service.list_cases(context.store, caller.account)
                  if c.status not in (service.REPORTED, service.CLOSED)]
    return render(request, "overview.html", caller=caller, figures=figures_data,
                  counts=counts, open_cases=len(open_cases), page_data=figures_data)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, actor: str | None = None, action: str | None = None,
               target: str | None = None, caller: Caller = Depends(current_caller),
               context: AppContext = Depends(app_context)) -> HTMLResponse:
    """Audit log (supervisors and admins), newest first, with the chain's check."""
    audited(context, caller, "view_audit", "view_audit", target_type="audit", target_id="log",
            detail={"actor": actor, "action": action, "target": target})
    target_type, _, target_id = (target or "").partition(":")
    found = audit.entries(context.store, actor=actor or None, action=action or None,
                          target_type=target_type or None, target_id=target_id or None,
                          limit=300)
    found = service.visible_entries(context.store, caller.account, found)  # restricted cases
    check = audit.verify(context.store)
    return render(request, "audit.html", caller=caller, entries=found, check=check,
                  actor=actor or "", action=action or "", target=target or "")


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, q: str = Query(..., min_length=1, max_length=MAX_QUERY),
                caller: Caller = Depends(current_caller),
                context: AppContext = Depends(app_context)) -> HTMLResponse:
    """Parties whose id or name holds ``q``, each linked to its page (audited)."""
    found = search(context, caller, q, context.settings.page_size)
    return render(request, "search.html", caller=caller, q=q, found=found,
                  limit=context.settings.page_size)

"""CSV exports of the alert queue, the cases, a party's payments and the audit log, each cell
through ``writing.csvsafe`` (formula injection) and each export audited as ``export_csv``.

An export holds at most ``MAX_ROWS`` rows; a longer one says so in ``X-Truncated`` and a last row.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import StreamingResponse

from dentrace import audit
from dentrace import cases as service
from dentrace.web.deps import AppContext, app_context, audited, current_caller
from dentrace.web.evidence import PAYMENT_FIELDS
from dentrace.web.party_paths import party_id_in_path
from dentrace.web.payment_table import SORT_COLUMNS, Direction, TableView, arrange
from dentrace.web.queue import QUEUE_CEILING, alert_queue
from dentrace.web.screens import queue_filter  # the queue page's own filter reading
from dentrace.web.security import Caller
from dentrace.writing.csvsafe import neutralise

router = APIRouter(tags=["exports"])
MAX_ROWS = QUEUE_CEILING  # the queue reads at most this many alerts; every export is as bounded
ALERT_FIELDS = ("id", "party_id", "role", "score", "status", "country", "reasons",
                "explanation", "disposition_reason", "disposed_by", "disposed_at", "case_id",
                "created_at", "scan_id")
CASE_FIELDS = ("id", "title", "status", "assignee", "parties", "updated_at", "restricted")
AUDIT_FIELDS = ("seq", "ts", "actor", "action", "target_type", "target_id", "origin", "detail",
                "prev_hash", "entry_hash")


def _text(value: Any) -> Any:
    """A cell's value as CSV holds it: lists joined with ';', dicts as JSON, times ISO."""
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _lines(header: Sequence[str], rows: Iterable[Sequence[Any]],
           truncated: bool) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow([neutralise(name) for name in header])
    for count, row in enumerate(rows, start=1):
        writer.writerow([neutralise(_text(cell)) for cell in row])
        if count % 1000 == 0:  # a chunk per thousand rows, not one per row
            yield flush()
    if truncated:
        writer.writerow([f"# truncated: the first {MAX_ROWS} rows only; narrow the filters"])
    yield flush()


def csv_answer(name: str, header: Sequence[str], rows: Sequence[Sequence[Any]],
               truncated: bool) -> StreamingResponse:
    """``rows`` as a CSV attachment named ``name``, every cell neutralised."""
    headers = {"Content-Disposition": f'attachment; filename="{name}"',
               "X-Truncated": "true" if truncated else "false", "Cache-Control": "no-store"}
    return StreamingResponse(_lines(header, rows, truncated), media_type="text/csv; "
                             "charset=utf-8", headers=headers)


def _export_audited(context: AppContext, caller: Caller, permission: str, what: str,
                    target_id: str, detail: dict[str, Any]) -> None:
    audited(context, caller, "export_csv", permission, target_type="export",
            target_id=target_id, detail={"what": what, **detail})


@router.get("/alerts.csv")
def export_alerts(request: Request, caller: Caller = Depends(current_caller),
                  context: AppContext = Depends(app_context)) -> StreamingResponse:
    """The alert queue with the queue page's filters (its query string), as CSV."""
    params = {k: v for k, v in request.query_params.items() if v and k != "page"}
    wanted = queue_filter(params, MAX_ROWS)
    _export_audited(context, caller, "view_alerts", "alerts", "alerts", {"filters": params})
    with context.evidence.connect():
        total, lines = alert_queue(context, caller, wanted)
    rows = [[*(getattr(ln.alert, f) for f in ALERT_FIELDS[:5]), ln.country,
             *(getattr(ln.alert, f) for f in ALERT_FIELDS[6:])] for ln in lines]
    return csv_answer("alerts.csv", ALERT_FIELDS, rows, total > len(rows))


@router.get("/cases.csv")
def export_cases(
    status: str | None = Query(None, max_length=32),
    assignee: str | None = Query(None, max_length=64),
    caller: Caller = Depends(current_caller), context: AppContext = Depends(app_context),
) -> StreamingResponse:
    """The cases the caller may see (restricted ones only to those allowed), as CSV."""
    _export_audited(context, caller, "view_alerts", "cases", "cases",
                    {"status": status, "assignee": assignee})
    found = service.list_cases(context.store, caller.account, status=status, assignee=assignee)
    rows = [[getattr(c, f) for f in CASE_FIELDS] for c in found[:MAX_ROWS]]
    return csv_answer("cases.csv", CASE_FIELDS, rows, len(found) > MAX_ROWS)


@router.get("/parties/{party_id}/payments.csv")
def export_payments(
    party_id: str = Depends(party_id_in_path),
    q: str = Query("", max_length=200, description="text in counterparty, memo, channel, txn"),
    direction: Direction = Query("", description="sent | received | empty for both"),
    flagged: bool = Query(False, description="only the payments behind the alert"),
    sort: str = Query("-ts_utc", max_length=16, description="a column, '-' for descending"),
    caller: Caller = Depends(current_caller), context: AppContext = Depends(app_context),
) -> StreamingResponse:
    """A party's payments, sent and received, as the party page's table filters and sorts
    them (newest first by default), as CSV."""
    if sort.lstrip("-") not in SORT_COLUMNS:
        raise HTTPException(status_code=422, detail=f"sort: one of {', '.join(SORT_COLUMNS)}")
    view = TableView(text=q, direction=direction, flagged_only=flagged, sort=sort)
    _export_audited(context, caller, "view_party", "payments", party_id,
                    {"party_id": party_id, "q": q, "direction": direction, "flagged": flagged,
                     "sort": sort})
    with context.evidence.connect():
        if not context.evidence.is_known_party(party_id):
            raise HTTPException(status_code=404, detail=f"no party '{party_id}' here")
        page = context.evidence.payments(party_id, limit=MAX_ROWS)
        behind = set(context.evidence.flagged_txn_ids(party_id))
    header = (*PAYMENT_FIELDS, "night", "direction")
    chosen = arrange(page["items"], view, behind)
    rows = [[item.get(f) for f in header] for item in chosen]
    return csv_answer("payments.csv", header, rows, page["total"] > len(page["items"]))


@router.get("/audit.csv")
def export_audit(
    actor: str | None = Query(None, max_length=128),
    action: str | None = Query(None, max_length=64),
    target: str | None = Query(None, max_length=161, description="TYPE:ID, as on the page"),
    caller: Caller = Depends(current_caller), context: AppContext = Depends(app_context),
) -> StreamingResponse:
    """The audit log as the audit page shows it (supervisors and admins), as CSV."""
    _export_audited(context, caller, "view_audit", "audit", "audit",
                    {"actor": actor, "action": action, "target": target})
    target_type, _, target_id = (target or "").partition(":")
    found = audit.entries(context.store, actor=actor or None, action=action or None,
                          target_type=target_type or None, target_id=target_id or None,
                          limit=MAX_ROWS + 1)
    found = service.visible_entries(context.store, caller.account, found)  # restricted cases
    rows = [[getattr(e, f) for f in AUDIT_FIELDS] for e in found[:MAX_ROWS]]
    return csv_answer("audit.csv", AUDIT_FIELDS, rows, len(found) > MAX_ROWS)

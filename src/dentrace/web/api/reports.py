"""Report API: the goAML STR of an approved case, as a file download (the case page's button).

The FIU's settings and XSD come from ``DENTRACE_GOAML_CONFIG`` / ``DENTRACE_GOAML_SCHEMA``;
each report is kept under WORKSPACE/reports/ and every generation is audited (report_goaml).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import Response

from dentrace.cases import ensure_visible
from dentrace.errors import ConfigError
from dentrace.report.base import generate
from dentrace.report.errors import NotApproved, NothingToReport, ReportError, SchemaInvalid
from dentrace.report.goaml import GoamlExporter, load_config
from dentrace.report.material import case_material
from dentrace.web.deps import AppContext, app_context, current_caller, permit
from dentrace.web.security import Caller

router = APIRouter(prefix="/cases", tags=["reports"])
CONFIG_ENV, SCHEMA_ENV = "DENTRACE_GOAML_CONFIG", "DENTRACE_GOAML_SCHEMA"


def _exporter() -> GoamlExporter:
    try:
        config = load_config(os.environ.get(CONFIG_ENV) or None,
                             os.environ.get(SCHEMA_ENV) or None)
        return GoamlExporter(config)
    except ConfigError as exc:
        raise HTTPException(409, f"goAML export is not configured: {exc} (set {SCHEMA_ENV} "
                                 f"to the FIU's XSD and optionally {CONFIG_ENV})") from exc


@router.post("/{case_id}/goaml", response_class=Response,
             responses={200: {"content": {"application/xml": {}}}})
def goaml_report(
    case_id: int, caller: Caller = Depends(current_caller),
    context: AppContext = Depends(app_context),
) -> Response:
    """Generate the goAML STR of a case approved for reporting and return it (audited)."""
    permit(context, caller, "work_case")
    ensure_visible(context.store, caller.account, case_id)  # 404: out of range, or restricted
    workspace = context.evidence.workspace
    try:
        material = case_material(context.store, workspace, case_id)
    except NotApproved as exc:
        raise HTTPException(409, str(exc)) from exc
    except NothingToReport as exc:
        raise HTTPException(404, str(exc)) from exc
    exporter = _exporter()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = workspace / "reports" / f"case-{case_id}-goaml-{stamp}.xml"
    try:
        generate(exporter, material, out, store=context.store, actor=caller.account.username,
                 origin=caller.origin)
    except SchemaInvalid as exc:
        raise HTTPException(422, [str(p) for p in exc.problems[:20]]) from exc
    except ReportError as exc:  # data the report cannot hold: the analyst's to fix, not a 500
        raise HTTPException(409, str(exc)) from exc
    return Response(out.read_bytes(), media_type="application/xml", headers={
        "Content-Disposition": f'attachment; filename="{out.name}"'})

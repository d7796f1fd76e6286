"""Report API: the goAML STR of an approved case, as a file download (the case page's button),
and whether that button can work here (the FIU's XSD configured, example details replaced).

The FIU's settings and XSD come from ``DENTRACE_GOAML_CONFIG`` / ``DENTRACE_GOAML_SCHEMA``;
each report is kept under WORKSPACE/reports/ and every generation is audited (report_goaml), as
is every refusal (goaml_refused, with the reasons), so the log shows attempts that failed too.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import Response

from dentrace.cases import ensure_visible
from dentrace.errors import ConfigError
from dentrace.report.base import generate
from dentrace.report.errors import NotApproved, NothingToReport, ReportError, SchemaInvalid
from dentrace.report.goaml import GoamlExporter, load_config, shipped_examples
from dentrace.report.material import Material, case_material, record_report
from dentrace.web.deps import AppContext, app_context, current_caller, permit
from dentrace.web.security import Caller
from dentrace.web.settings import GOAML_CONFIG_ENV, GOAML_SCHEMA_ENV

router = APIRouter(prefix="/cases", tags=["reports"])
CONFIG_ENV, SCHEMA_ENV = GOAML_CONFIG_ENV, GOAML_SCHEMA_ENV
REFUSED = "goaml_refused"
HOW_TO_CONFIGURE = (f"set {SCHEMA_ENV} to the goAML XSD your FIU gives its reporting entities "
                    f"(and optionally {CONFIG_ENV}), then restart: see docs/reports.md")


def _exporter(context: AppContext) -> GoamlExporter:
    """The exporter of the configured FIU; ``ConfigError`` when none is configured."""
    return GoamlExporter(load_config(*context.settings.goaml_sources()))


def _refuse(context: AppContext, caller: Caller, material: Material, status: int,
            message: str, problems: list[dict[str, Any]] | None = None) -> HTTPException:
    """Audit a refused attempt (who, which case, why) and the answer the page shows."""
    record_report(context.store, actor=caller.account.username, action=REFUSED,
                  material=material, origin=caller.origin,
                  detail={"format": "goaml", "status": status, "message": message,
                          "problems": problems or []})
    if problems is None:
        return HTTPException(status, message)
    return HTTPException(status, {"message": message, "problems": problems})


@router.get("/{case_id}/goaml")
def goaml_readiness(
    case_id: int, caller: Caller = Depends(current_caller),
    context: AppContext = Depends(app_context),
) -> dict[str, Any]:
    """Whether the goAML button can work: ``configured`` (else ``reason``), the schema's file
    name, and ``warnings`` (the reporting entity's details still the shipped examples)."""
    permit(context, caller, "work_case")
    ensure_visible(context.store, caller.account, case_id)
    try:
        exporter = _exporter(context)
    except ConfigError as exc:
        return {"configured": False, "reason": f"goAML export is not configured: {exc}; "
                f"{HOW_TO_CONFIGURE}", "schema": None, "warnings": []}
    examples = shipped_examples(exporter.config)
    warnings = ([f"the reporting entity's details are still the shipped examples "
                 f"({', '.join(examples)}): give your own in {CONFIG_ENV}"] if examples else [])
    return {"configured": True, "reason": None, "schema": exporter.schema.path.name,
            "warnings": warnings}


@router.post("/{case_id}/goaml", response_class=Response,
             responses={200: {"content": {"application/xml": {}}}})
def goaml_report(
    case_id: int, caller: Caller = Depends(current_caller),
    context: AppContext = Depends(app_context),
) -> Response:
    """Generate the goAML STR of a case approved for reporting and return it (audited).

    A schema violation is 422 with ``detail = {message, problems: [{field, line, message}]}``
    for the case page's error panel; every refusal after the case is found is audited.
    """
    permit(context, caller, "work_case")
    ensure_visible(context.store, caller.account, case_id)  # 404: out of range, or restricted
    workspace = context.evidence.workspace
    try:
        material = case_material(context.store, workspace, case_id)
    except NotApproved as exc:
        raise HTTPException(409, str(exc)) from exc
    except NothingToReport as exc:
        raise HTTPException(404, str(exc)) from exc
    try:
        exporter = _exporter(context)
    except ConfigError as exc:
        raise _refuse(context, caller, material, 409, f"goAML export is not configured: {exc} "
                      f"({HOW_TO_CONFIGURE})") from exc
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = workspace / "reports" / f"case-{case_id}-goaml-{stamp}.xml"
    try:
        generate(exporter, material, out, store=context.store, actor=caller.account.username,
                 origin=caller.origin)
    except SchemaInvalid as exc:
        problems = [{"field": p.element, "line": p.line, "message": p.reason}
                    for p in exc.problems[:50]]
        raise _refuse(context, caller, material, 422,
                      f"the report does not validate against {exporter.schema.path.name}: "
                      f"{len(exc.problems)} problem(s); nothing was written", problems) from exc
    except ReportError as exc:  # data the report cannot hold: the analyst's to fix, not a 500
        raise _refuse(context, caller, material, 409, str(exc)) from exc
    return Response(out.read_bytes(), media_type="application/xml", headers={
        "Content-Disposition": f'attachment; filename="{out.name}"'})

"""Report API: every registered exporter (``report.registry.EXPORTERS``) of a case as a file
download, ``POST /cases/{id}/exports/{name}`` (the case page's buttons, made from the same
registry), and whether the goAML button can work here (the FIU's XSD configured, example
details replaced).

Exporters are built with ``WebSettings.export_options`` (the FIU's goAML settings and XSD:
``DENTRACE_GOAML_CONFIG`` / ``DENTRACE_GOAML_SCHEMA``); each report is kept under
WORKSPACE/reports/ (a folder, such as the evidence pack, beside its .zip) and every generation
is audited (report_goaml, report_pack, export_ftm, ...), as is every refusal (NAME_refused, with
the reasons), so the log shows attempts that failed too.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import Response

from dentrace.cases import ensure_visible
from dentrace.errors import ConfigError, DentraceError
from dentrace.report.base import Exporter, generate
from dentrace.report.errors import NotApproved, NothingToReport, ReportError, SchemaInvalid
from dentrace.report.goaml import GoamlExporter, shipped_examples
from dentrace.report.material import Material, record_report
from dentrace.report.registry import EXPORTERS, ExporterEntry, bundle, exporters_of
from dentrace.store.workspace import Workspace
from dentrace.web.deps import AppContext, app_context, current_caller, permit
from dentrace.web.security import Caller
from dentrace.web.settings import GOAML_CONFIG_ENV

router = APIRouter(prefix="/cases", tags=["reports"])


def _build(context: AppContext, entry: ExporterEntry) -> Exporter:
    """``entry``'s exporter with this server's options (``ConfigError`` and other
    ``DentraceError`` when it cannot be built here)."""
    return entry.build(context.evidence.workspace, context.settings.export_options())


def _refuse(context: AppContext, caller: Caller, entry: ExporterEntry, material: Material,
            status: int, message: str,
            problems: list[dict[str, Any]] | None = None) -> HTTPException:
    """Audit a refused attempt (who, which case, why) and the answer the page shows."""
    record_report(context.store, actor=caller.account.username, action=f"{entry.name}_refused",
                  material=material, origin=caller.origin,
                  detail={"format": entry.name, "status": status, "message": message,
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
    entry = EXPORTERS["goaml"]
    try:
        exporter = _build(context, entry)
    except ConfigError as exc:
        return {"configured": False, "reason": f"goAML export is not configured: {exc}; "
                f"{entry.setup_hint}", "schema": None, "warnings": []}
    assert isinstance(exporter, GoamlExporter)
    examples = shipped_examples(exporter.config)
    warnings = ([f"the reporting entity's details are still the shipped examples "
                 f"({', '.join(examples)}): give your own in {GOAML_CONFIG_ENV}"]
                if examples else [])
    return {"configured": True, "reason": None, "schema": exporter.schema.path.name,
            "warnings": warnings}


@router.post("/{case_id}/exports/{name}", response_class=Response,
             responses={200: {"content": {"application/octet-stream": {}}}})
def case_export(
    case_id: int, name: str, caller: Caller = Depends(current_caller),
    context: AppContext = Depends(app_context),
) -> Response:
    """Generate the export ``name`` of a case (one of the registered exporters: goaml, pack,
    ftm, ...) and return it as a download, audited; a folder (the evidence pack) as a .zip.

    404 unknown exporter or case; 409 the case is not approved (goAML) or the exporter is not
    set up here (the reason and what to do); 422 a schema violation, with ``detail =
    {message, problems: [{field, line, message}]}`` for the case page's error panel. Every
    refusal after the case is found is audited (NAME_refused)."""
    entry = EXPORTERS.get(name)
    if entry is None or "case" not in entry.subjects:
        raise HTTPException(404, f"no exporter {name!r} for cases: one of "
                            f"{', '.join(e.name for e in exporters_of('case'))}")
    return export_case(context, caller, case_id, entry)


@router.post("/{case_id}/goaml", response_class=Response,
             responses={200: {"content": {"application/xml": {}}}})
def goaml_report(
    case_id: int, caller: Caller = Depends(current_caller),
    context: AppContext = Depends(app_context),
) -> Response:
    """Generate the goAML STR of a case approved for reporting and return it (audited): the
    ``goaml`` export (``POST /cases/{id}/exports/goaml``) under its first address."""
    return export_case(context, caller, case_id, EXPORTERS["goaml"])


def export_case(context: AppContext, caller: Caller, case_id: int,
                entry: ExporterEntry) -> Response:
    """Check, build, generate (audited) and answer one export of a case."""
    permit(context, caller, entry.permission)
    ensure_visible(context.store, caller.account, case_id)  # 404: out of range, or restricted
    workspace = context.evidence.workspace
    try:
        material = entry.material(context.store, workspace, "case", case_id)
    except NotApproved as exc:
        raise HTTPException(409, str(exc)) from exc
    except NothingToReport as exc:
        raise HTTPException(404, str(exc)) from exc
    try:
        exporter = _build(context, entry)
    except DentraceError as exc:
        hint = f" ({entry.setup_hint})" if entry.setup_hint else ""
        raise _refuse(context, caller, entry, material, 409,
                      f"{entry.title} export is not configured: {exc}{hint}") from exc
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    base = f"case-{case_id}-{entry.name}-{stamp}"
    file_name = base if entry.output == "folder" else base + entry.extension
    out = Workspace(workspace).reports / file_name
    try:
        generate(exporter, material, out, store=context.store, actor=caller.account.username,
                 origin=caller.origin)
    except SchemaInvalid as exc:
        problems = [{"field": p.element, "line": p.line, "message": p.reason}
                    for p in exc.problems[:50]]
        schema = getattr(getattr(exporter, "schema", None), "path", None)
        raise _refuse(context, caller, entry, material, 422,
                      f"the report does not validate against "
                      f"{schema.name if schema else 'its schema'}: "
                      f"{len(exc.problems)} problem(s); nothing was written", problems) from exc
    except ReportError as exc:  # data the report cannot hold: the analyst's to fix, not a 500
        raise _refuse(context, caller, entry, material, 409, str(exc)) from exc
    sent = bundle(out) if entry.output == "folder" else out
    return Response(sent.read_bytes(), media_type=entry.media_type, headers={
        "Content-Disposition": f'attachment; filename="{sent.name}"'})

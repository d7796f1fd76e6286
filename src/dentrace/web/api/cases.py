"""Case API: list, open, read, notes, assignee, title, due date, status moves, submit, approve,
send back, restriction and members, related open alerts, attachments. A restricted case another
user may not see answers 404 to them.

Each route is one call to the cases service, which checks the role and writes the audit log.
"""

from __future__ import annotations

from pathlib import Path as FilePath  # fastapi's Path is the path parameter
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Path, Query, UploadFile
from fastapi.responses import Response

from dentrace import cases as service
from dentrace.cases.limits import MAX_USERNAME
from dentrace.web.api.schemas import (
    AlertOut,
    AssignIn,
    AttachmentOut,
    CaseLine,
    CaseOut,
    DueIn,
    MemberIn,
    NewCase,
    NoteIn,
    ReasonIn,
    RelatedAlertOut,
    RestrictionIn,
    StatusIn,
    TitleIn,
)
from dentrace.web.deps import AppContext, app_context, current_caller
from dentrace.web.security import Caller

router = APIRouter(prefix="/cases", tags=["cases"])


@router.get("", response_model=list[CaseLine])
def list_cases(
    status: str | None = Query(None, max_length=32),
    assignee: str | None = Query(None, max_length=64),
    caller: Caller = Depends(current_caller),
    context: AppContext = Depends(app_context),
) -> list[CaseLine]:
    """Cases, most recently changed first, optionally of one status or assignee."""
    found = service.list_cases(context.store, caller.account, status=status, assignee=assignee)
    return [CaseLine.of(c) for c in found]


@router.post("", response_model=CaseOut, status_code=201)
def open_case(
    body: NewCase, caller: Caller = Depends(current_caller),
    context: AppContext = Depends(app_context),
) -> CaseOut:
    """Open a case directly (not from an alert) with the parties given.

    422 when a field breaks a limit or a party id is in neither the warehouse nor the scan.
    """
    parties = [(p.party_id, p.role) for p in body.parties]
    with context.evidence.connect():  # one warehouse connection for every party looked up
        view = service.open_case(context.store, caller.account, body.title, parties,
                                 directory=context.evidence, restricted=body.restricted,
                                 members=body.members, origin=caller.origin)
    return CaseOut.of(view)


@router.get("/{case_id}", response_model=CaseOut)
def get_case(
    case_id: int, caller: Caller = Depends(current_caller),
    context: AppContext = Depends(app_context),
) -> CaseOut:
    """A case with its parties, transactions, notes and four-eyes trail (audited)."""
    return CaseOut.of(service.get_case(context.store, caller.account, case_id,
                                       origin=caller.origin))


@router.post("/{case_id}/notes", response_model=CaseOut)
def add_note(
    case_id: int, body: NoteIn, caller: Caller = Depends(current_caller),
    context: AppContext = Depends(app_context),
) -> CaseOut:
    """Write a note on the case."""
    return CaseOut.of(service.add_note(context.store, caller.account, case_id, body.text,
                                       origin=caller.origin))


@router.post("/{case_id}/assign", response_model=CaseOut)
def assign(
    case_id: int, body: AssignIn, caller: Caller = Depends(current_caller),
    context: AppContext = Depends(app_context),
) -> CaseOut:
    """Give the case to another investigator (supervisors)."""
    return CaseOut.of(service.assign_case(context.store, caller.account, case_id, body.assignee,
                                          origin=caller.origin))


@router.post("/{case_id}/status", response_model=CaseOut)
def move(
    case_id: int, body: StatusIn, caller: Caller = Depends(current_caller),
    context: AppContext = Depends(app_context),
) -> CaseOut:
    """Move the case to a status, if the case state machine allows it for the caller.

    403 when the caller's role may not make the move (or submitted the case, for a decision on
    a pending case), 409 when the case's status does not allow it; both are audited.
    """
    return CaseOut.of(service.change_status(context.store, caller.account, case_id,
                                            body.status, reason=body.reason,
                                            origin=caller.origin))


@router.post("/{case_id}/submit", response_model=CaseOut)
def submit(
    case_id: int, caller: Caller = Depends(current_caller),
    context: AppContext = Depends(app_context),
) -> CaseOut:
    """Hand the case to a supervisor for approval (investigating → pending approval)."""
    return CaseOut.of(service.submit_for_approval(context.store, caller.account, case_id,
                                                  origin=caller.origin))


@router.post("/{case_id}/approve", response_model=CaseOut)
def approve(
    case_id: int, caller: Caller = Depends(current_caller),
    context: AppContext = Depends(app_context),
) -> CaseOut:
    """Approve the case for reporting: a supervisor other than the submitter (four eyes)."""
    return CaseOut.of(service.approve_case(context.store, caller.account, case_id,
                                           origin=caller.origin))


@router.post("/{case_id}/send-back", response_model=CaseOut)
def send_back(
    case_id: int, body: ReasonIn, caller: Caller = Depends(current_caller),
    context: AppContext = Depends(app_context),
) -> CaseOut:
    """Return a pending case to investigation with the reviewer's reason."""
    return CaseOut.of(service.send_back(context.store, caller.account, case_id, body.reason,
                                        origin=caller.origin))


@router.post("/{case_id}/restriction", response_model=CaseOut)
def restrict(
    case_id: int, body: RestrictionIn, caller: Caller = Depends(current_caller),
    context: AppContext = Depends(app_context),
) -> CaseOut:
    """Restrict the case (assignee, members, supervisors only) or open it to all analysts."""
    return CaseOut.of(service.set_restricted(context.store, caller.account, case_id,
                                             body.restricted, origin=caller.origin))


@router.post("/{case_id}/members", response_model=CaseOut)
def add_member(
    case_id: int, body: MemberIn, caller: Caller = Depends(current_caller),
    context: AppContext = Depends(app_context),
) -> CaseOut:
    """Name a user on the case (the assignee or a supervisor decides)."""
    return CaseOut.of(service.add_member(context.store, caller.account, case_id, body.username,
                                         origin=caller.origin))


@router.delete("/{case_id}/members/{username}", response_model=CaseOut)
def remove_member(
    case_id: int, username: str = Path(..., min_length=1, max_length=MAX_USERNAME),
    caller: Caller = Depends(current_caller),
    context: AppContext = Depends(app_context),
) -> CaseOut:
    """Take a user off the case's members."""
    return CaseOut.of(service.remove_member(context.store, caller.account, case_id, username,
                                            origin=caller.origin))


@router.post("/{case_id}/title", response_model=CaseOut)
def rename(
    case_id: int, body: TitleIn, caller: Caller = Depends(current_caller),
    context: AppContext = Depends(app_context),
) -> CaseOut:
    """Change the case's title (audited with the old and the new one)."""
    return CaseOut.of(service.rename_case(context.store, caller.account, case_id, body.title,
                                          origin=caller.origin))


@router.post("/{case_id}/due", response_model=CaseOut)
def set_due(
    case_id: int, body: DueIn, caller: Caller = Depends(current_caller),
    context: AppContext = Depends(app_context),
) -> CaseOut:
    """Set the case's due date (its assignee or a supervisor); null: back to the SLA."""
    return CaseOut.of(service.set_case_due(context.store, caller.account, case_id, body.due_at,
                                           origin=caller.origin))


def related(context: AppContext, caller: Caller, case: service.CaseView) -> list[
    service.RelatedAlert
]:
    """Open alerts of the parties that paid or were paid by the case's parties."""
    with context.evidence.connect():
        links = context.evidence.counterparties(p for p, _ in case.parties)
    return service.related_alerts(context.store, caller.account, case.id, links)


@router.get("/{case_id}/related", response_model=list[RelatedAlertOut])
def related_alerts(
    case_id: int, caller: Caller = Depends(current_caller),
    context: AppContext = Depends(app_context),
) -> list[RelatedAlertOut]:
    """Open alerts related to the case (e.g. the alerted payers of its facilitators); add one
    with ``POST /alerts/{id}/disposition`` and ``{"decision": "escalate", "case_id": …}``."""
    case = service.get_case(context.store, caller.account, case_id, origin=caller.origin)
    return [RelatedAlertOut(alert=AlertOut.of(r.alert), via=r.via)
            for r in related(context, caller, case)]


def attachments_folder(context: AppContext) -> FilePath:
    """Where the workspace keeps case attachments."""
    return context.evidence.space.attachments


@router.post("/{case_id}/attachments", response_model=AttachmentOut, status_code=201)
async def attach(
    case_id: int, file: UploadFile = File(...), caller: Caller = Depends(current_caller),
    context: AppContext = Depends(app_context),
) -> AttachmentOut:
    """Attach a document (PDF, text, CSV, XML, JSON; typed by content, hashed, size-limited);
    images, video and other files are refused with 415."""
    limit = context.settings.cases.attachment_max_bytes
    content = await file.read(limit + 1)  # one byte past the limit is enough to refuse
    view = service.attach_document(context.store, caller.account, case_id,
                                   attachments_folder(context), file.filename or "",
                                   content, settings=context.settings.cases,
                                   origin=caller.origin)
    return AttachmentOut(**view.__dict__)


@router.get("/{case_id}/attachments/{attachment_id}")
def download(
    case_id: int, attachment_id: int, caller: Caller = Depends(current_caller),
    context: AppContext = Depends(app_context),
) -> Response:
    """The attachment's bytes, as a download (audited; refused if changed on disk)."""
    view, content = service.read_document(context.store, caller.account, case_id,
                                          attachment_id, attachments_folder(context),
                                          origin=caller.origin)
    ascii_name = view.filename.encode("ascii", "replace").decode().replace('"', "_")
    disposition = (f'attachment; filename="{ascii_name}"; '
                   f"filename*=UTF-8''{quote(view.filename, safe='')}")
    return Response(content, media_type=view.media_type,
                    headers={"Content-Disposition": disposition,
                             "X-Content-SHA256": view.sha256})

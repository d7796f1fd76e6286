"""Case API: list, open, read, notes, assignee, status moves, submit, approve, send back,
restriction and members. A restricted case another user may not see answers 404 to them.

Each route is one call to the cases service, which checks the role and writes the audit log.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query

from dentrace import cases as service
from dentrace.cases.limits import MAX_USERNAME
from dentrace.web.api.schemas import (
    AssignIn,
    CaseLine,
    CaseOut,
    MemberIn,
    NewCase,
    NoteIn,
    ReasonIn,
    RestrictionIn,
    StatusIn,
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

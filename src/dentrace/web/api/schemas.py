"""Request and response bodies of the JSON API, built from the cases service's views.

Pydantic models give the OpenAPI schema its shapes; ``*.of(view)`` converts a service view.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from dentrace.cases import AlertView, CaseSummary, CaseView, NoteView
from dentrace.cases.limits import (
    MAX_ALERTS,
    MAX_ID,
    MAX_MEMBERS,
    MAX_NOTE,
    MAX_PARTIES,
    MAX_PARTY_ID,
    MAX_REASON,
    MAX_TITLE,
    MAX_USERNAME,
)
from dentrace.contract.alert import Reason

Username = Annotated[str, Field(min_length=1, max_length=MAX_USERNAME)]
# A row id as a body field: beyond the database's integer range is 422, not a driver overflow.
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]


class AlertOut(BaseModel):
    id: int
    scan_id: str
    party_id: str
    role: str
    score: float
    reasons: list[str]
    explanation: str
    txn_ids: list[str]
    status: str
    country: str | None = None
    disposition_reason: str | None
    disposed_by: str | None
    disposed_at: datetime | None
    case_id: int | None
    created_at: datetime
    # the alert record's reasons: sentence, values, counterparties, transaction ids and
    # contribution to the score (dentrace.contract.alert.Reason)
    reason_details: list[Reason] = Field(default_factory=list)
    assignee: str | None = None
    due_at: datetime | None = Field(None, description="set by hand, else by the SLA")
    dismissal_code: str | None = None
    review_requested_by: str | None = Field(None, description="who asked for a dismissal "
                                                              "held for a second review")
    review_requested_at: datetime | None = None
    review_reason: str | None = Field(None, description="why the last dismissal was refused")

    @classmethod
    def of(cls, view: AlertView, country: str | None = None) -> AlertOut:
        return cls(**view.__dict__, country=country)


class AlertPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[AlertOut]


class Disposition(BaseModel):
    """Dismiss (a reason code and text are required) or escalate one alert."""

    decision: Literal["dismiss", "escalate"]
    reason: str | None = Field(None, max_length=MAX_REASON)
    code: str | None = Field(None, max_length=32,
                             description="dismissal reason code (GET /alerts/dismissal-codes)")
    case_id: RowId | None = Field(None, description="escalate into this case, else a new one")
    title: str | None = Field(None, max_length=MAX_TITLE)
    restricted: bool = Field(False, description="a new case is restricted (docs/cases.md)")


class BulkDisposition(Disposition):
    """Dismiss or escalate several alerts at once: all or none."""

    alert_ids: list[RowId] = Field(..., min_length=1, max_length=MAX_ALERTS)


class DispositionResult(BaseModel):
    alerts: list[AlertOut]
    case_id: int | None = None


class AttachmentOut(BaseModel):
    id: int
    filename: str
    media_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime


class NoteOut(BaseModel):
    id: int
    author: str
    text: str
    created_at: datetime

    @classmethod
    def of(cls, view: NoteView) -> NoteOut:
        return cls(**view.__dict__)


class PartyRef(BaseModel):
    party_id: str
    role: str


class CaseOut(BaseModel):
    id: int
    title: str
    status: str
    assignee: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    submitted_by: str | None
    submitted_at: datetime | None
    approved_by: str | None
    approved_at: datetime | None
    closed_reason: str | None
    parties: list[PartyRef]
    txn_ids: list[str]
    notes: list[NoteOut]
    alert_ids: list[int]
    restricted: bool
    members: list[str]
    due_at: datetime | None = Field(None, description="set by hand, else by the SLA")
    top_score: float | None = None
    attachments: list[AttachmentOut] = Field(default_factory=list)

    @classmethod
    def of(cls, view: CaseView) -> CaseOut:
        values = dict(view.__dict__)
        values["parties"] = [PartyRef(party_id=p, role=r) for p, r in view.parties]
        values["notes"] = [NoteOut.of(n) for n in view.notes]
        values["attachments"] = [AttachmentOut(**a.__dict__) for a in view.attachments]
        return cls(**values)


class CaseLine(BaseModel):
    id: int
    title: str
    status: str
    assignee: str | None
    parties: int
    updated_at: datetime
    restricted: bool
    created_at: datetime | None = None
    due_at: datetime | None = None
    top_score: float | None = None

    @classmethod
    def of(cls, view: CaseSummary) -> CaseLine:
        return cls(**view.__dict__)


class NoteIn(BaseModel):
    text: str = Field(..., min_length=1, max_length=MAX_NOTE)


class AssignIn(BaseModel):
    assignee: str = Field(..., min_length=1, max_length=MAX_USERNAME)


class ReasonIn(BaseModel):
    reason: str = Field(..., min_length=1, max_length=MAX_REASON)


class StatusIn(BaseModel):
    """Move a case to a status; the case state machine decides whether the caller may.

    ``investigating`` starts work on an open case or sends a pending one back (supervisors,
    with a reason); ``closed`` needs a reason.
    """

    status: Literal["investigating", "pending_approval", "reported", "closed"]
    reason: str | None = Field(None, max_length=MAX_REASON)


class PartyIn(BaseModel):
    """A party to hold in a new case: its id must exist in the workspace's data."""

    party_id: str = Field(..., min_length=1, max_length=MAX_PARTY_ID)
    role: Literal["payer", "facilitator"]


class NewCase(BaseModel):
    """A case opened directly; limits in docs/cases.md (``dentrace.cases.limits``)."""

    title: str = Field(..., min_length=1, max_length=MAX_TITLE)
    parties: list[PartyIn] = Field(default_factory=list, max_length=MAX_PARTIES)
    restricted: bool = Field(False, description="seen only by the assignee, the members and "
                                                "supervisors; default: open to all analysts")
    members: list[Username] = Field(default_factory=list, max_length=MAX_MEMBERS)


class RestrictionIn(BaseModel):
    restricted: bool


class MemberIn(BaseModel):
    username: Username


class ImportResultOut(BaseModel):
    scan_id: str
    imported: int
    already_imported: bool


class AssignAlertsIn(BaseModel):
    """Give alerts to a user (``null``: to nobody); one's own name is "assign to me"."""

    alert_ids: list[RowId] = Field(..., min_length=1, max_length=MAX_ALERTS)
    assignee: Username | None


class DueIn(BaseModel):
    """A due date set by hand (UTC); ``null`` returns to the SLA of the priority."""

    due_at: datetime | None


class TitleIn(BaseModel):
    title: str = Field(..., min_length=1, max_length=MAX_TITLE)


class ReviewIn(BaseModel):
    """Confirm or refuse dismissals held for a second review (a refusal needs a reason)."""

    alert_ids: list[RowId] = Field(..., min_length=1, max_length=MAX_ALERTS)
    confirm: bool
    reason: str | None = Field(None, max_length=MAX_REASON)


class SavedViewIn(BaseModel):
    name: str = Field(..., min_length=1, max_length=80)
    filters: dict[str, str] = Field(default_factory=dict, max_length=20)


class SavedViewOut(BaseModel):
    id: int
    name: str
    filters: dict[str, str]
    created_at: datetime


class RelatedAlertOut(BaseModel):
    alert: AlertOut
    via: list[str] = Field(description="the case's parties this party paid or was paid by")

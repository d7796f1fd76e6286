"""Triage and cases: the alert queue, dispositions, cases with four-eyes approval, known labels.

Every function takes the acting ``Account`` (and ``origin``: an IP or 'cli') and audits itself.
"""

from dentrace.cases.alerts import (
    DISMISSED,
    ESCALATED,
    NEW,
    ImportResult,
    PartyRecord,
    dismiss_alert,
    dismiss_alerts,
    escalate_alerts,
    get_alert,
    import_alerts,
    list_alerts,
    record_party_view,
)
from dentrace.cases.approval import approve_case, close_case, send_back, submit_for_approval
from dentrace.cases.casework import (
    CLOSED,
    INVESTIGATING,
    OPEN,
    PENDING,
    REPORTED,
    STATUSES,
    TRANSITIONS,
    add_note,
    add_parties,
    add_transactions,
    assign_case,
    get_case,
    list_cases,
    open_case,
    start_investigation,
)
from dentrace.cases.errors import (
    AlreadyDisposed,
    CaseError,
    InvalidTransition,
    MissingReason,
    NotFound,
)
from dentrace.cases.labels import KnownLabel, export_known_labels, write_known_csv
from dentrace.cases.views import AlertView, CaseSummary, CaseView, NoteView

__all__ = [
    "CLOSED", "DISMISSED", "ESCALATED", "INVESTIGATING", "NEW", "OPEN", "PENDING", "REPORTED",
    "STATUSES", "TRANSITIONS", "AlertView", "AlreadyDisposed", "CaseError", "CaseSummary",
    "CaseView", "ImportResult", "InvalidTransition", "KnownLabel", "MissingReason", "NotFound",
    "NoteView", "PartyRecord", "add_note", "add_parties", "add_transactions", "approve_case",
    "assign_case", "close_case", "dismiss_alert", "dismiss_alerts", "escalate_alerts",
    "export_known_labels", "get_alert", "get_case", "import_alerts", "list_alerts", "list_cases",
    "open_case", "record_party_view", "send_back", "start_investigation", "submit_for_approval",
    "write_known_csv",
]

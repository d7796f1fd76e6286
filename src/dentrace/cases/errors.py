"""Errors of the alerts and cases workflow; the web layer maps them to HTTP answers.

    DentraceError
    └── CaseError              base of everything below (400 / 409)
        ├── NotFound           no alert, case or user with that id (404)
        ├── InvalidTransition  a case cannot move from its status to the one asked (409)
        ├── AlreadyDisposed    an alert was dismissed or escalated before (409)
        ├── MissingReason      a dismissal or closure came without a reason (400)
        └── InvalidCaseInput   a field breaks a limit or names unknown parties (422)
            ├── TooLarge       a text or a list is longer than ``limits`` allows
            └── UnknownParties party ids not found in the workspace's data

Permission problems are ``dentrace.auth.PermissionDenied`` (403), four eyes included.
"""

from __future__ import annotations

from dentrace.errors import DentraceError


class CaseError(DentraceError):
    """Base class of workflow errors."""


class NotFound(CaseError):
    """No alert, case or user with the id given."""


class InvalidTransition(CaseError):
    """The case's status does not allow the move asked for."""

    def __init__(self, case_id: int, current: str, wanted: str, *, by: str | None = None,
                 hint: str | None = None) -> None:
        how = f" by {by.replace('_', ' ')}" if by else ""
        why = f" ({hint})" if hint else ""
        super().__init__(f"case {case_id} is '{current}': it cannot become '{wanted}'{how}{why}")
        self.case_id = case_id
        self.current = current
        self.wanted = wanted


class AlreadyDisposed(CaseError):
    """The alert has a disposition already."""


class MissingReason(CaseError):
    """A reason is required (field named in the message)."""


class InvalidCaseInput(CaseError):
    """A field of a case or note breaks a limit or names what does not exist (field named)."""


class TooLarge(InvalidCaseInput):
    """A text or list is longer than ``dentrace.cases.limits`` allows."""


class UnknownParties(InvalidCaseInput):
    """Party ids that are in neither the scan's parties nor the warehouse."""

    def __init__(self, party_ids: list[str]) -> None:
        shown = ", ".join(party_ids[:20]) + (" …" if len(party_ids) > 20 else "")
        super().__init__(f"field 'parties': {len(party_ids)} unknown party id(s) in this "
                         f"workspace's data: {shown}")
        self.party_ids = party_ids

"""Errors of the report exporters; the CLI turns them into a message and a non-zero exit.

    DentraceError
    └── ReportError            base of everything below
        ├── NotApproved        a case that is not approved for reporting cannot be reported
        ├── NothingToReport    no alert or transaction behind the subject asked for
        ├── SchemaInvalid      the report does not validate against the FIU's schema
        └── CannotWrite        the subject's data cannot be laid out as the report's format
"""

from __future__ import annotations

from dataclasses import dataclass

from dentrace.errors import DentraceError


class ReportError(DentraceError):
    """Base class of report errors."""


class NotApproved(ReportError):
    """The case's status is not 'reported' (approved under four eyes)."""


class NothingToReport(ReportError):
    """The case or party has no alert and no transaction to report."""


class CannotWrite(ReportError):
    """The subject's data cannot be written in the report's format (a value the writer refuses).

    Characters XML cannot hold are replaced before writing, so this is the guard for what no
    one foresaw: the web route answers it with 409 instead of a server error.
    """


@dataclass(frozen=True)
class SchemaProblem:
    """One schema violation: the element, its line in the draft and the validator's reason."""

    element: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}, element {self.element}: {self.reason}"


class SchemaInvalid(ReportError):
    """The report does not validate; ``problems`` name each element and reason."""

    def __init__(self, schema: str, problems: list[SchemaProblem]) -> None:
        self.schema = schema
        self.problems = problems
        shown = "; ".join(str(p) for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__(f"{schema}: the report does not validate: {shown}{more}")

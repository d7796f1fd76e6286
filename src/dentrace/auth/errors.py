"""Errors of accounts and access; the web layer maps them to HTTP answers.

    DentraceError
    └── AccessError                 base of everything below
        ├── AuthenticationFailed    wrong or unknown credentials, disabled account (401)
        │   └── LoginThrottled      too many failures: wait ``retry_after`` seconds (429)
        ├── PermissionDenied        the role may not perform the action (403)
        │   └── FourEyesViolation   the approver is the person who submitted (403)
        └── AccountError            a user cannot be created or changed as asked (400 / 404)
"""

from __future__ import annotations

from dentrace.errors import DentraceError


class AccessError(DentraceError):
    """Base class of authentication, permission and account errors."""


class AuthenticationFailed(AccessError):
    """Credentials or token are wrong, unknown, expired, or the account is disabled."""


class LoginThrottled(AuthenticationFailed):
    """Too many failed logins for this username or address; retry after some seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermissionDenied(AccessError):
    """The acting user's role may not perform this action."""

    def __init__(self, message: str, *, username: str = "", action: str = "") -> None:
        super().__init__(message)
        self.username = username
        self.action = action


class FourEyesViolation(PermissionDenied):
    """A case must be approved by someone other than the person who submitted it."""


class AccountError(AccessError):
    """A user account cannot be created or changed as asked (names the field)."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(f"field '{field}': {message}" if field else message)
        self.field = field

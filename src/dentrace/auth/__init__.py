"""Accounts and access: users with Argon2 passwords, roles as data, login throttling, tokens.

Services call ``require(session, actor, action)``; the web layer maps ``PermissionDenied`` to 403.
"""

from dentrace.auth.accounts import (
    add_user,
    add_user_with_random_password,
    disable_user,
    enable_user,
    get_account,
    list_users,
    set_active,
    set_password,
)
from dentrace.auth.errors import (
    AccessError,
    AccountError,
    AuthenticationFailed,
    FourEyesViolation,
    LoginThrottled,
    PermissionDenied,
)
from dentrace.auth.login import (
    account_for_token,
    authenticate,
    issue_token,
    retry_after,
    revoke_token,
)
from dentrace.auth.passwords import hash_password, random_password, verify_password
from dentrace.auth.roles import ACTIONS, ROLES, Account, may, permissions, require

__all__ = [
    "ACTIONS",
    "ROLES",
    "AccessError",
    "Account",
    "AccountError",
    "AuthenticationFailed",
    "FourEyesViolation",
    "LoginThrottled",
    "PermissionDenied",
    "account_for_token",
    "add_user",
    "add_user_with_random_password",
    "authenticate",
    "disable_user",
    "enable_user",
    "get_account",
    "hash_password",
    "issue_token",
    "list_users",
    "may",
    "permissions",
    "random_password",
    "require",
    "retry_after",
    "revoke_token",
    "set_active",
    "set_password",
    "verify_password",
]

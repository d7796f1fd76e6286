"""User API for admins: list accounts, add one (with a one-time random password), disable or
enable one (never the last active admin: the auth service refuses with 400).

The auth service checks ``manage_users`` and audits every change; passwords are never echoed
back except the freshly generated one, once.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from dentrace.auth import (
    Account,
    add_user_with_random_password,
    disable_user,
    enable_user,
    list_users,
)
from dentrace.web.deps import AppContext, app_context, current_caller, permit
from dentrace.web.security import Caller

router = APIRouter(prefix="/users", tags=["users"])


class UserOut(BaseModel):
    username: str
    role: str
    active: bool

    @classmethod
    def of(cls, account: Account) -> UserOut:
        return cls(username=account.username, role=account.role, active=account.active)


class NewUser(BaseModel):
    username: str = Field(..., min_length=1, max_length=64)
    role: Literal["analyst", "supervisor", "admin", "screener"]


class CreatedUser(UserOut):
    password: str = Field(..., description="shown once: hand it to the user")


@router.get("", response_model=list[UserOut])
def all_users(caller: Caller = Depends(current_caller),
              context: AppContext = Depends(app_context)) -> list[UserOut]:
    """Every account, by username."""
    found = list_users(context.store, actor=caller.account, origin=caller.origin)
    return [UserOut.of(a) for a in found]


@router.post("", response_model=CreatedUser, status_code=201)
def create_user(body: NewUser, caller: Caller = Depends(current_caller),
                context: AppContext = Depends(app_context)) -> CreatedUser:
    """Add an account with a random password, returned once."""
    permit(context, caller, "manage_users")
    account, password = add_user_with_random_password(
        context.store, body.username, body.role, actor=caller.account, origin=caller.origin)
    return CreatedUser(**UserOut.of(account).model_dump(), password=password)


@router.post("/{username}/disable", response_model=UserOut)
def disable(username: str, caller: Caller = Depends(current_caller),
            context: AppContext = Depends(app_context)) -> UserOut:
    """Disable an account: its sessions and tokens stop working at once."""
    permit(context, caller, "manage_users")
    return UserOut.of(disable_user(context.store, username, actor=caller.account,
                                   origin=caller.origin))


@router.post("/{username}/enable", response_model=UserOut)
def enable(username: str, caller: Caller = Depends(current_caller),
           context: AppContext = Depends(app_context)) -> UserOut:
    """Enable a disabled account: it may log in again (its old tokens stay revoked)."""
    permit(context, caller, "manage_users")
    return UserOut.of(enable_user(context.store, username, actor=caller.account,
                                  origin=caller.origin))

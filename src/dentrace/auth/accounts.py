"""User accounts: add (with a given or a random password), list, disable, enable, change password.

Called by the CLI (``actor=None``: the local operator, audited by OS user name) or by an admin
through the web layer (``actor`` must hold ``manage_users``). Every change is audited.
"""

from __future__ import annotations

import re

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dentrace import audit
from dentrace.auth.errors import AccountError
from dentrace.auth.passwords import hash_password, random_password
from dentrace.auth.roles import ROLES, Account, require
from dentrace.store.sql import Store
from dentrace.store.sql.models import ApiToken, User, utcnow

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
# The audit actor of what the app does by itself (cases.SYSTEM_ACTOR): never a login's name.
RESERVED = frozenset({"system"})


def _acting(session: Session, actor: Account | None) -> str:
    if actor is None:
        return audit.local_operator()
    require(session, actor, "manage_users")
    return actor.username


def _user(session: Session, username: str) -> User:
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise AccountError(f"no user named '{username}'", field="username")
    return user


def add_user(
    store: Store,
    username: str,
    role: str,
    password: str,
    *,
    actor: Account | None = None,
    origin: str = "cli",
) -> Account:
    """Create an active account with an Argon2 hash of ``password``."""
    if not USERNAME.match(username):
        raise AccountError(
            "use 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit",
            field="username",
        )
    if username.lower() in RESERVED:
        raise AccountError(f"'{username}' is the audit log's name for the app itself",
                           field="username")
    if role not in ROLES:
        raise AccountError(f"unknown role '{role}' (one of {', '.join(ROLES)})", field="role")
    password_hash = hash_password(password)
    with store.session() as session:
        who = _acting(session, actor)
        if session.execute(select(User.id).where(User.username == username)).first():
            raise AccountError(f"user '{username}' already exists", field="username")
        user = User(username=username, password_hash=password_hash, role=role, active=True,
                    created_at=utcnow())
        session.add(user)
        session.flush()
        audit.record(session, actor=who, action="add_user", target_type="user",
                     target_id=username, origin=origin, detail={"role": role})
        return Account.of(user)


def add_user_with_random_password(
    store: Store, username: str, role: str, *, actor: Account | None = None, origin: str = "cli"
) -> tuple[Account, str]:
    """Create an account with a fresh random password; returns it once, to be shown once."""
    password = random_password()
    return add_user(store, username, role, password, actor=actor, origin=origin), password


def list_users(store: Store, *, actor: Account | None = None, origin: str = "cli") -> list[Account]:
    """Every account, by username."""
    with store.session(write=False) as session:
        if actor is not None:
            require(session, actor, "manage_users")
        users = session.execute(select(User).order_by(User.username)).scalars().all()
        return [Account.of(u) for u in users]


def get_account(store: Store, username: str) -> Account:
    """The account named ``username`` (raises ``AccountError`` if there is none)."""
    with store.session(write=False) as session:
        return Account.of(_user(session, username))


def _refuse_last_admin(session: Session, user: User) -> None:
    """Raise ``AccountError`` when ``user`` is the only active admin: without one, nobody
    could add, enable or disable accounts from the web any more."""
    if user.role != "admin" or not user.active:
        return
    # FOR UPDATE (ordered) on PostgreSQL: two admins disabling each other at once wait for
    # one another instead of both seeing the other still active. SQLite writes one at a time.
    admins = session.execute(
        select(User.id).where(User.role == "admin", User.active.is_(True))
        .order_by(User.id).with_for_update()
    ).scalars().all()
    if not set(admins) - {user.id}:
        raise AccountError(f"'{user.username}' is the last active admin: add or enable "
                           "another admin first", field="username")


def set_active(
    store: Store, username: str, active: bool, *, actor: Account | None = None,
    origin: str = "cli",
) -> Account:
    """Disable (revoking its API tokens) or re-enable an account; the last active admin
    cannot be disabled (``AccountError``)."""
    with store.session() as session:
        who = _acting(session, actor)
        user = _user(session, username)
        if not active:
            _refuse_last_admin(session, user)
        user.active = active
        if not active:
            session.execute(
                update(ApiToken).where(ApiToken.user_id == user.id).values(revoked=True)
            )
        audit.record(session, actor=who, action="enable_user" if active else "disable_user",
                     target_type="user", target_id=username, origin=origin)
        return Account.of(user)


def disable_user(
    store: Store, username: str, *, actor: Account | None = None, origin: str = "cli"
) -> Account:
    """Disable an account: it can no longer log in or act, and its tokens stop working."""
    return set_active(store, username, False, actor=actor, origin=origin)


def enable_user(
    store: Store, username: str, *, actor: Account | None = None, origin: str = "cli"
) -> Account:
    """Enable a disabled account: it can log in again (its old tokens stay revoked)."""
    return set_active(store, username, True, actor=actor, origin=origin)


def set_password(
    store: Store, username: str, password: str, *, actor: Account | None = None,
    origin: str = "cli",
) -> None:
    """Replace an account's password (an admin, or the local operator, resets it)."""
    password_hash = hash_password(password)
    with store.session() as session:
        who = _acting(session, actor)
        _user(session, username).password_hash = password_hash
        audit.record(session, actor=who, action="set_password", target_type="user",
                     target_id=username, origin=origin)

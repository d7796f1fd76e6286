"""Logging in: password check with throttling kept in the store, and bearer tokens for the API.

A username+address pair is locked after ``MAX_FAILURES`` failures within ``WINDOW``; an address
after ``MAX_FAILURES_PER_IP`` failures over all usernames. Success clears the pair's failures.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from dentrace import audit
from dentrace.auth.errors import AuthenticationFailed, LoginThrottled
from dentrace.auth.passwords import hash_password, needs_rehash, verify_password
from dentrace.auth.roles import Account
from dentrace.store.sql import Store
from dentrace.store.sql.models import ApiToken, LoginAttempt, User, utcnow

MAX_FAILURES = 5
MAX_FAILURES_PER_IP = 20
WINDOW = timedelta(minutes=15)
TOKEN_LIFETIME = timedelta(hours=8)


@cache
def _dummy_hash() -> str:
    """A real hash to verify against for unknown users: response times stay alike."""
    return hash_password("no-such-user-dummy-password")


def _failures_since(session: Session, since: datetime, ip: str, username: str | None) -> tuple[
    int, datetime | None
]:
    query = select(func.count(), func.min(LoginAttempt.at)).where(
        LoginAttempt.ip == ip, LoginAttempt.at > since
    )
    if username is not None:
        query = query.where(LoginAttempt.username == username)
    count, oldest = session.execute(query).one()
    return int(count), oldest


def retry_after(store: Store, username: str, ip: str, now: datetime | None = None) -> int:
    """Seconds until ``username`` may try again from ``ip``; 0 when not locked out."""
    now = now or utcnow()
    since = now - WINDOW
    with store.session(write=False) as session:
        waits = []
        for name, limit in ((username, MAX_FAILURES), (None, MAX_FAILURES_PER_IP)):
            count, oldest = _failures_since(session, since, ip, name)
            if count >= limit and oldest is not None:
                waits.append(int((oldest + WINDOW - now).total_seconds()) + 1)
    return max(waits, default=0)


def _fail(store: Store, username: str, ip: str, now: datetime, why: str) -> AuthenticationFailed:
    with store.session() as session:
        session.add(LoginAttempt(username=username[:64], ip=ip[:64], at=now))
        session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - 2 * WINDOW))
        audit.record(session, actor=username[:128] or "anonymous", action="login_failed",
                     target_type="user", target_id=username[:128], origin=ip,
                     detail={"why": why})
    return AuthenticationFailed("wrong username or password")


def authenticate(
    store: Store, username: str, password: str, *, ip: str, now: datetime | None = None
) -> Account:
    """The account for these credentials, or ``AuthenticationFailed`` / ``LoginThrottled``."""
    now = now or utcnow()
    wait = retry_after(store, username, ip, now)
    if wait > 0:
        raise LoginThrottled(f"too many failed logins: try again in {wait} s", retry_after=wait)
    with store.session() as session:
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        stored = user.password_hash if user is not None else _dummy_hash()
        matches = verify_password(stored, password)
        if user is None or not matches or not user.active:
            why = "unknown user" if user is None else "disabled" if matches else "wrong password"
            failed = True
        else:
            failed = False
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            user.last_login_at = now
            session.execute(delete(LoginAttempt).where(
                LoginAttempt.username == username, LoginAttempt.ip == ip))
            audit.record(session, actor=username, action="login", target_type="user",
                         target_id=username, origin=ip)
            account = Account.of(user)
    if failed:
        raise _fail(store, username, ip, now, why)
    return account


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(store: Store, account: Account, *, lifetime: timedelta = TOKEN_LIFETIME) -> str:
    """A new random bearer token for ``account``; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with store.session() as session:
        session.add(ApiToken(token_hash=_digest(token), user_id=account.id, created_at=now,
                             expires_at=now + lifetime, revoked=False))
    return token


def account_for_token(store: Store, token: str) -> Account:
    """The active account a bearer token belongs to, or ``AuthenticationFailed``."""
    with store.session(write=False) as session:
        row = session.get(ApiToken, _digest(token))
        user = session.get(User, row.user_id) if row is not None else None
        if row is None or user is None or row.revoked or row.expires_at <= utcnow():
            raise AuthenticationFailed("token is unknown, expired or revoked")
        if not user.active:
            raise AuthenticationFailed("account is disabled")
        return Account.of(user)


def revoke_token(store: Store, token: str) -> None:
    """Make a bearer token unusable (logout)."""
    with store.session() as session:
        row = session.get(ApiToken, _digest(token))
        if row is not None:
            row.revoked = True

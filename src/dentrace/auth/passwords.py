"""Argon2id password hashing and random passwords; there is no default password anywhere.

Hashes carry their own parameters, so ``needs_rehash`` tells when to upgrade a stored hash.
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from dentrace.auth.errors import AccountError

MIN_LENGTH = 12
_HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    """The Argon2id hash of ``password`` after checking it is long enough."""
    check_strength(password)
    return _HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True when ``password`` matches ``stored_hash``; never raises on a mismatch."""
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _HASHER.check_needs_rehash(stored_hash)


def check_strength(password: str) -> None:
    """Refuse passwords shorter than ``MIN_LENGTH`` characters or made of one repeated character."""
    if len(password) < MIN_LENGTH:
        raise AccountError(f"password must have at least {MIN_LENGTH} characters",
                           field="password")
    if len(set(password)) < 4:
        raise AccountError("password is too repetitive", field="password")


def random_password() -> str:
    """A fresh random password (about 120 bits), for demo and first-admin accounts."""
    return secrets.token_urlsafe(15)

"""Password hashing: Argon2id, verification never raises, weak and default passwords refused."""

from __future__ import annotations

import pytest

from dentrace.auth import AccountError, hash_password, random_password, verify_password


def test_hash_verifies_only_the_same_password() -> None:
    stored = hash_password("a long secret phrase")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "a long secret phrase")
    assert not verify_password(stored, "a long secret phrasE")
    assert not verify_password("not a hash", "a long secret phrase")


@pytest.mark.parametrize("weak", ["", "short", "aaaaaaaaaaaaaaaa", "abababababab"])
def test_weak_passwords_are_refused(weak: str) -> None:
    with pytest.raises(AccountError, match="field 'password'"):
        hash_password(weak)


def test_random_passwords_are_long_and_distinct() -> None:
    passwords = {random_password() for _ in range(50)}
    assert len(passwords) == 50 and min(map(len, passwords)) >= 16

"""Identifiers are read by shape into one written form, so two institutions writing the same
id differently make the same token; tokens are keyed, so a plain hash does not reverse them."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dentrace.share.identifiers import identifier_token, normalised, token

KEY = bytes(range(32))


@pytest.mark.parametrize(("written", "expected"), [
    ("de89 3704 0044 0532 0130 00", ("iban", "DE89370400440532013000")),
    ("DE89-3704-0044-0532-0130-00", ("iban", "DE89370400440532013000")),
    ("0063 917 555 0101", ("phone", "+639175550101")),
    ("+63 (917) 555-0101", ("phone", "+639175550101")),
    ("Juan.Cruz@GCash.ph", ("wallet", "juan.cruz@gcash.ph")),
    ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KYGT080",
     ("crypto", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080")),
    ("0x52908400098527886E0F7030069857D2E4169EE7",
     ("crypto", "0x52908400098527886e0f7030069857d2e4169ee7")),
    ("TN3W4H6rK2ce4vX9YnFQHwKENnHjoxb3m9", ("crypto", "TN3W4H6rK2ce4vX9YnFQHwKENnHjoxb3m9")),
    ("acc 00-12/345.678", ("account", "ACC0012345678")),
    ("0012345678", ("account", "0012345678")),      # an account number, not +12345678
    ("0099 1234 5678 90", ("account", "00991234567890")),  # 99: no calling code
    ("001 809 555 0101", ("phone", "+18095550101")),
    # a German IBAN one digit short is not an IBAN
    ("DE8937040044053201300", ("account", "DE8937040044053201300")),
])
def test_identifiers_are_read_by_shape(written: str, expected: tuple[str, str]) -> None:
    assert normalised(written) == expected


def test_base58_case_is_kept_and_tokens_differ_by_case() -> None:
    upper = identifier_token(KEY, "TN3W4H6rK2ce4vX9YnFQHwKENnHjoxb3m9")
    lower = identifier_token(KEY, "tn3w4h6rk2ce4vx9ynfqhwkennhjoxb3m9")
    assert upper is not None and lower is not None and upper != lower


@pytest.mark.parametrize("written", ["", "   ", " - / . ", "\x00abc"])
def test_nothing_left_is_no_token(written: str) -> None:
    assert identifier_token(KEY, written) is None


def test_the_kind_separates_tokens_and_the_key_protects_them() -> None:
    assert token(KEY, "account", "639175550101") != token(KEY, "phone", "639175550101")
    kind, tok = identifier_token(KEY, "+63 917 555 0101") or ("", "")
    plain = hashlib.sha256(b"phone:+639175550101").hexdigest()
    assert kind == "phone" and tok != plain
    assert tok != token(bytes(32), "phone", "+639175550101")


@given(st.text(max_size=80))
def test_any_text_normalises_without_error_to_a_fixed_point(text: str) -> None:
    found = normalised(text)
    if found is not None:
        assert normalised(found[1]) == found

"""Exact identifiers brought to one written form and turned into keyed tokens: what two
institutions compare without either seeing the other's identifiers.

A plain hash of a phone number is reversed by hashing every phone number; the consortium's key
is what protects a token (HMAC-SHA256), so only members can make or test them. The kind of an
identifier is read from its shape (the same rules at every member, so both sides agree), and
it is part of the token so an account number never matches a phone number's digits.
"""

from __future__ import annotations

import hmac
import re
from typing import Final

from dentrace.features.normalise import CALLING_CODES, IBAN_LENGTHS

KINDS: Final = ("account", "iban", "phone", "wallet", "crypto")

# compact form: spaces, dashes, dots, slashes and brackets are how people write ids, not ids
_SEPARATORS = re.compile(r"[\s\-./()]")
_SPACE = re.compile(r"\s")
_BECH32 = re.compile(r"^(bc1|tb1|ltc1)[02-9ac-hj-np-z]{20,87}$")
_ETHEREUM = re.compile(r"^0x[0-9a-f]{40}$")
_BASE58 = re.compile(r"^[13T][1-9A-HJ-NP-Za-km-z]{25,34}$")
_IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")
_PHONE = re.compile(r"^\+([0-9]{8,15})$")
# "00" then digits is also how account numbers start: read as a phone only with 10-15 digits
# after it that begin with a calling code
_PHONE_00 = re.compile(r"^00(?=[0-9]{10,15}$)((?:"
                       + "|".join(sorted(CALLING_CODES, key=len, reverse=True)) + r"|1)[0-9]+)$")
_WALLET = re.compile(r"^[^@]{1,64}@[^@]{1,255}$")  # e-wallet ids written as an e-mail


def normalised(identifier: str) -> tuple[str, str] | None:
    """(kind, normalised form) of one identifier as written, or None when nothing is left.

    Crypto addresses keep base58's case (it is significant) and lower-case bech32 and hex;
    IBANs are upper-cased when the country's registered length fits; phone numbers become
    ``+digits`` (``+`` and 8-15 digits, or ``00``, a calling code and 10-15 digits in all);
    e-mail-style wallet ids are lower-cased without spaces; any other id is an account
    number, upper-cased without separators.
    """
    text = identifier.strip()
    if not text or "\x00" in text:
        return None
    if "@" in text:
        unspaced = _SPACE.sub("", text)
        if _WALLET.match(unspaced):
            return "wallet", unspaced.lower()
    compact = _SEPARATORS.sub("", text)
    if not compact:
        return None
    # each shape is tried only when its first characters fit: most ids need one regex or none
    # (1M local ids are keyed on every match: benchmarks/share.py)
    head = compact[:4].lower()
    if head.startswith(("bc1", "tb1", "ltc1", "0x")):
        lower = compact.lower()
        if _BECH32.match(lower) or _ETHEREUM.match(lower):
            return "crypto", lower
    if compact[0] in "13T" and _BASE58.match(compact):
        return "crypto", compact
    upper = compact.upper()
    if upper[:2].isalpha() and _IBAN.match(upper) and IBAN_LENGTHS.get(upper[:2]) == len(upper):
        return "iban", upper
    if upper[0] in "+0":
        phone = _PHONE.match(upper) or _PHONE_00.match(upper)
        if phone:
            return "phone", "+" + phone.group(1)
    return "account", upper


def token(key: bytes, kind: str, value: str) -> str:
    """HMAC-SHA256 of ``kind:value`` under the consortium's token key, as 64 hex digits."""
    # hmac.digest: the one-shot C path, several times faster than hmac.new per identifier
    return hmac.digest(key, f"{kind}:{value}".encode(), "sha256").hex()


def identifier_token(key: bytes, identifier: str) -> tuple[str, str] | None:
    """(kind, token) of an identifier as written, or None when it normalises to nothing."""
    found = normalised(identifier)
    return None if found is None else (found[0], token(key, *found))

"""The bounds a payment's time, amount and text must keep, stated once for ingest and screening.

Ingest writes them into its SQL rules (``dentrace.ingest.rules``), screening checks them in
Python (``dentrace.screen.payment``); ``tests/unit/screen/test_payment_rules.py`` feeds both the
same values, so a payment refused in real time is refused from a file, for the same field.

Why these bounds:
- Years 1900 to 2100, for the time as written and in UTC, and for the contract's dates
  (birth, customer since, known as of). Electronic payments and living customers fall inside
  with room; outside lie typos (0025, 20255) and values the exporters cannot write (goAML and
  Python stop at years 1 and 9999, DuckDB reads year 0000 as 1 BC).
- UTC offsets from -12:00 to +14:00: every zone in the tz database keeps inside since 1900
  (Baker Island to Kiribati); anything else is a mistyped offset, not a place.
- Amounts finite, above 0 and at most 1e13 in the payment's currency: 1e13 is below the
  2^53 cents a double holds to the cent (9e13), and still 390 million USD in Vietnamese dong,
  so no real payment is refused; times any rate it keeps ``amount_ref`` finite.
- Text: the characters XML 1.0 cannot hold (C0 controls but tab, line feed and carriage
  return; U+FFFE, U+FFFF) become U+FFFD in names, memos and codes, and refuse an id, which
  changed would name another party. goAML, FollowTheMoney and GraphML are XML, and one
  GIFT\\x01 stopped a report. DEL and the C1 controls are kept: XML 1.0 and JSON hold them,
  and in a bank's export they are mostly cp1252 text read as Latin-1 (\\x92 for an
  apostrophe), which the mapping's ``encoding`` fixes and the stored value shows. Lone
  surrogates cannot occur: DuckDB text is valid UTF-8, the CSV reader quarantines bytes that
  do not decode and JSON parsers refuse them.
- Ids (payments, parties, customers) of at most 128 characters: the cases store keeps a party
  id in 128 (``cases.limits.MAX_PARTY_ID``), ISO 20022 references hold 35, and no HTTP client
  opens a party page whose id is 100 kB long; a longer id is a broken export, quarantined.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta

YEAR_MIN = 1900
YEAR_MAX = 2100
OFFSET_MIN = -12 * 60  # minutes east of UTC
OFFSET_MAX = 14 * 60
AMOUNT_MAX = 1e13
ID_MAX = 128  # characters

# The same characters for DuckDB's regular expressions (RE2) and for Python's.
UNSAFE_CHARACTERS_RE2 = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x{FFFE}\x{FFFF}]"
UNSAFE_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
REPLACEMENT = "\ufffd"

# The reasons, shared word for word; ingest follows each with ': ' and the value.
YEAR_RANGE = f"outside the years {YEAR_MIN} to {YEAR_MAX}"
TIMESTAMP_RANGE = f"timestamp {YEAR_RANGE}"
DATE_RANGE = f"date {YEAR_RANGE}"
OFFSET_RANGE = "UTC offset outside -12:00 to +14:00"
AMOUNT_RANGE = f"amount above {AMOUNT_MAX:,.0f}, the largest accepted"
AMOUNT_NOT_POSITIVE = "non-positive amount"
AMOUNT_NOT_NUMBER = "non-numeric amount"
ID_TOO_LONG = f"id longer than {ID_MAX} characters"

# The same bounds as SQL over DuckDB values, for ingest's rules.
FIRST_DAY = f"{YEAR_MIN:04d}-01-01"
DAY_AFTER = f"{YEAR_MAX + 1:04d}-01-01"
_YEAR = re.compile(r"\s*[+-]?(\d{4,})-")


def sql_outside_years(expr: str, kind: str = "TIMESTAMP") -> str:
    """SQL true when ``expr`` (a TIMESTAMP or DATE, per ``kind``) lies outside the years;
    comparisons with constants, cheaper per row than ``year()``."""
    return f"({expr} < {kind} '{FIRST_DAY}' OR {expr} >= {kind} '{DAY_AFTER}')"


def sql_offset_outside(minutes: str) -> str:
    """SQL true when the offset ``minutes`` (INTEGER, NULL when none) lies outside the range."""
    return f"({minutes} NOT BETWEEN {OFFSET_MIN} AND {OFFSET_MAX})"


def timestamp_problem(ts: datetime) -> str | None:
    """Why an aware ``ts`` is refused (its offset, or its year as written or in UTC)."""
    offset = ts.utcoffset()
    if offset is not None and not OFFSET_MIN <= offset / timedelta(minutes=1) <= OFFSET_MAX:
        return OFFSET_RANGE
    if not YEAR_MIN <= ts.year <= YEAR_MAX:
        return TIMESTAMP_RANGE
    utc = ts.replace(tzinfo=None) - (offset or timedelta(0))
    return TIMESTAMP_RANGE if not YEAR_MIN <= utc.year <= YEAR_MAX else None


def year_problem(text: str) -> str | None:
    """The range reason for an ISO 8601 text whose year cannot be a Python date (0000 or
    five digits), which then fails to parse: screening names the range as ingest does."""
    year = _YEAR.match(text)
    if year and not YEAR_MIN <= int(year.group(1)) <= YEAR_MAX:
        return TIMESTAMP_RANGE
    return None


def unsafe_id_problem(text: str) -> str | None:
    """Why an id is refused: too long, or a character XML cannot hold (the words ingest uses)."""
    if len(text) > ID_MAX:
        return ID_TOO_LONG
    found = UNSAFE_CHARACTERS.search(text)
    if found is None:
        return None
    return f"id holds U+{ord(found.group()):04X}, a character XML cannot hold; an id is not changed"


def safe_text(text: str) -> str:
    """``text`` with each character XML cannot hold replaced by U+FFFD."""
    return UNSAFE_CHARACTERS.sub(REPLACEMENT, text)


def amount_problem(amount: float) -> str | None:
    """Why an amount is refused: not a finite number, not above 0, or above the largest."""
    if not math.isfinite(amount):
        return AMOUNT_NOT_NUMBER
    if amount <= 0:
        return AMOUNT_NOT_POSITIVE
    return AMOUNT_RANGE if amount > AMOUNT_MAX else None

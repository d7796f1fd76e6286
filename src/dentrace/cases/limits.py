"""Bounds on what the cases workflow accepts: ids within the database's integer range, and sizes
of titles, notes, reasons and id lists, enforced by the services (so every caller) and by the API.

Issue 16 found a 500 on ids ≥ 2**63 and a 152 MB database from one case creation.
"""

from __future__ import annotations

from collections.abc import Sized

from dentrace.cases.errors import NotFound, TooLarge

# SQLite's INTEGER and PostgreSQL's BIGINT hold at most 2**63 - 1; no row id is larger, and
# binding a larger Python int raises OverflowError in the driver.
MAX_ID = 2**63 - 1
MAX_TITLE = 200            # characters of a case title
MAX_NOTE = 20_000          # characters of a note
MAX_REASON = 2_000         # characters of a reason (dismiss, close, send back, escalation note)
MAX_PARTY_ID = 128         # characters of a party id (the column is VARCHAR(128))
MAX_TXN_ID = 128           # characters of a transaction id (VARCHAR(128))
MAX_PARTIES = 200          # parties in one call (open a case, add parties)
MAX_TXNS = 1_000           # transactions in one call
MAX_ALERTS = 500           # alerts in one bulk disposition
MAX_MEMBERS = 50           # named members of a restricted case


def in_id_range(number: int) -> bool:
    """True when ``number`` can be a row id (1 … 2**63 - 1)."""
    return 1 <= number <= MAX_ID


def existing_id(number: int, what: str) -> int:
    """``number`` if it can be a row id, else ``NotFound`` (no such row can exist)."""
    if not in_id_range(number):
        raise NotFound(f"no {what} {number}")
    return number


def text_within(value: str, field: str, limit: int) -> str:
    """``value`` stripped, or ``TooLarge`` naming the field and the limit."""
    value = value.strip()
    if len(value) > limit:
        raise TooLarge(f"field '{field}': {len(value)} characters, at most {limit}")
    return value


def count_within(values: Sized, field: str, limit: int) -> None:
    """``TooLarge`` when the list ``field`` has more than ``limit`` entries."""
    if len(values) > limit:
        raise TooLarge(f"field '{field}': {len(values)} entries, at most {limit}")


def ids_within(values: list[str], field: str, limit: int) -> None:
    """``TooLarge`` naming the first id of ``field`` longer than ``limit`` characters."""
    for number, value in enumerate(values):
        if len(value) > limit:
            raise TooLarge(f"field '{field}', entry {number}: {len(value)} characters, "
                           f"at most {limit}")

"""Bounds on what the cases workflow accepts: ids within the database's integer range, and sizes
of titles, notes, reasons and id lists, enforced by the services (so every caller) and by the API.

Issue 16 found a 500 on ids ≥ 2**63 and a 152 MB database from one case creation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sized
from typing import Protocol

from dentrace.cases.errors import InvalidCaseInput, NotFound, TooLarge, UnknownParties

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
MAX_USERNAME = 64          # characters of a username (VARCHAR(64))
PARTY_ROLES = ("payer", "facilitator")


class PartyDirectory(Protocol):
    """Who exists in a workspace's data (the web app's ``Evidence``: warehouse and scan)."""

    def is_known_party(self, party_id: str) -> bool:
        """True when the party is in the warehouse (customers, payments) or the scan."""
        ...


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


def checked_parties(parties: Iterable[tuple[str, str]],
                    directory: PartyDirectory | None = None) -> list[tuple[str, str]]:
    """(party_id, role) pairs within the limits, with known roles and, when a ``directory``
    is given, ids that exist in the workspace's data (else ``UnknownParties`` naming them)."""
    pairs = []
    for number, pair in enumerate(parties):
        if number >= MAX_PARTIES:  # stop reading an oversized list at once
            raise TooLarge(f"field 'parties': more than {MAX_PARTIES} entries")
        pairs.append(pair)
    ids_within([p for p, _ in pairs], "parties", MAX_PARTY_ID)
    for number, (party_id, role) in enumerate(pairs):
        if not party_id.strip():
            raise InvalidCaseInput(f"field 'parties', entry {number}: the party id is empty")
        if role not in PARTY_ROLES:
            raise InvalidCaseInput(f"field 'parties', entry {number}: role must be one of "
                                   f"{', '.join(PARTY_ROLES)}, not {role[:40]!r}")
    if directory is not None:
        unknown = [p for p in dict.fromkeys(p for p, _ in pairs)
                   if not directory.is_known_party(p)]
        if unknown:
            raise UnknownParties(unknown)
    return pairs

"""The party page's payment table: which payments its filters keep and in what order, for the
CSV export; static/js/party.js applies the same rules to the rows on the page.

Text matches case-insensitively in the counterparty's id and name, the memo, the channel and the
transaction id; sorting is stable (ties keep the newest-first order), empty values last.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

SortColumn = Literal["ts_utc", "direction", "counterparty", "corridor", "amount", "amount_ref",
                     "channel", "memo", "txn_id"]
SORT_COLUMNS: tuple[str, ...] = SortColumn.__args__  # type: ignore[attr-defined]
NUMERIC = frozenset({"amount", "amount_ref"})
Direction = Literal["", "sent", "received"]


@dataclass(frozen=True)
class TableView:
    """What the analyst asked the table for."""

    text: str = ""
    direction: Direction = ""
    flagged_only: bool = False
    sort: str = "-ts_utc"  # a SORT_COLUMNS name, '-' first for descending


def counterparty(item: dict[str, Any]) -> tuple[str, str]:
    """The other party of a payment, as (id, name)."""
    if item.get("direction") == "sent":
        return str(item.get("beneficiary_id") or ""), str(item.get("beneficiary_name") or "")
    return str(item.get("sender_id") or ""), str(item.get("sender_name") or "")


def _value(item: dict[str, Any], column: str) -> Any:
    if column == "counterparty":
        return counterparty(item)[0]
    if column == "corridor":
        return f"{item.get('sender_country') or '?'} → {item.get('beneficiary_country') or '?'}"
    return item.get(column)


def matches(item: dict[str, Any], view: TableView, flagged: set[str]) -> bool:
    """True when the payment passes the view's filters."""
    if view.direction and item.get("direction") != view.direction:
        return False
    if view.flagged_only and item.get("txn_id") not in flagged:
        return False
    needle = view.text.strip().lower()
    if not needle:
        return True
    other_id, other_name = counterparty(item)
    haystack = (other_id, other_name, item.get("memo"), item.get("channel"), item.get("txn_id"))
    return any(needle in str(field).lower() for field in haystack if field)


def arrange(items: Iterable[dict[str, Any]], view: TableView,
            flagged: set[str]) -> list[dict[str, Any]]:
    """The payments the view keeps, in its order (``items`` come newest first)."""
    kept = [item for item in items if matches(item, view, flagged)]
    column = view.sort.lstrip("-")
    if column not in SORT_COLUMNS or view.sort == "-ts_utc":
        return kept
    present = [item for item in kept if _value(item, column) not in (None, "")]
    missing = [item for item in kept if _value(item, column) in (None, "")]
    if column in NUMERIC:
        present.sort(key=lambda item: float(_value(item, column)),
                     reverse=view.sort.startswith("-"))
    else:
        present.sort(key=lambda item: str(_value(item, column)),
                     reverse=view.sort.startswith("-"))
    return present + missing

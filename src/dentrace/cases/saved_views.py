"""Saved views of the alert queue: a user names the queue's current filters and sort, lists
them and deletes them; each user sees only their own. Saving and deleting are audited.

The filters are kept as a JSON object of the queue's own parameter names (``VIEW_KEYS``), so a
view is replayed as the queue's query string; unknown keys are refused, values bounded.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from dentrace import audit
from dentrace.auth import Account, require
from dentrace.cases.errors import InvalidCaseInput, NotFound
from dentrace.cases.limits import existing_id, text_within
from dentrace.store.sql import Store
from dentrace.store.sql.models import SavedView, utcnow

VIEW_KEYS = ("status", "role", "country", "min_score", "max_score", "since", "until",
             "party_id", "assignee", "overdue", "sort")
MAX_VIEW_NAME = 80
MAX_VIEW_VALUE = 128
MAX_VIEWS = 100  # per user


@dataclass(frozen=True)
class QueueView:
    """One saved view: its name and the queue parameters it sets."""

    id: int
    name: str
    filters: dict[str, str]
    created_at: datetime


def _filters(filters: Mapping[str, str]) -> dict[str, str]:
    kept = {}
    for key, value in filters.items():
        if key not in VIEW_KEYS:
            raise InvalidCaseInput(f"field 'filters': {key[:40]!r} is not a queue filter "
                                   f"({', '.join(VIEW_KEYS)})")
        value = text_within(str(value), f"filters.{key}", MAX_VIEW_VALUE)
        if value:
            kept[key] = value
    return kept


def _view(row: SavedView) -> QueueView:
    return QueueView(row.id, row.name, json.loads(row.query), row.created_at)


def save_view(
    store: Store, actor: Account, name: str, filters: Mapping[str, str], *, origin: str = "cli",
) -> QueueView:
    """Save (or replace) the actor's view called ``name``."""
    name = text_within(name, "name", MAX_VIEW_NAME)
    if not name:
        raise InvalidCaseInput("field 'name': a saved view needs a name")
    kept = _filters(filters)
    with store.session() as session:
        user = require(session, actor, "view_alerts")
        mine = {v.name: v for v in session.execute(
            select(SavedView).where(SavedView.user_id == user.id)).scalars()}
        row = mine.get(name)
        if row is None:
            if len(mine) >= MAX_VIEWS:
                raise InvalidCaseInput(f"field 'name': at most {MAX_VIEWS} saved views; "
                                       "delete one first")
            row = SavedView(user_id=user.id, name=name, query="{}", created_at=utcnow())
            session.add(row)
        row.query = json.dumps(kept, sort_keys=True)
        session.flush()
        audit.record(session, actor=actor.username, action="save_view", target_type="view",
                     target_id=row.id, origin=origin, detail={"name": name, "filters": kept})
        return _view(row)


def list_views(store: Store, actor: Account) -> list[QueueView]:
    """The actor's saved views, by name."""
    with store.session(write=False) as session:
        user = require(session, actor, "view_alerts")
        rows = session.execute(select(SavedView).where(SavedView.user_id == user.id)
                               .order_by(SavedView.name, SavedView.id)).scalars()
        return [_view(r) for r in rows]


def delete_view(store: Store, actor: Account, view_id: int, *, origin: str = "cli") -> None:
    """Delete one of the actor's saved views (another user's answers ``NotFound``)."""
    with store.session() as session:
        user = require(session, actor, "view_alerts")
        row = session.get(SavedView, existing_id(view_id, "saved view"))
        if row is None or row.user_id != user.id:
            raise NotFound(f"no saved view {view_id}")
        audit.record(session, actor=actor.username, action="delete_view", target_type="view",
                     target_id=row.id, origin=origin, detail={"name": row.name})
        session.delete(row)

"""docs/cases.md documents every action, role and case status: documentation is a contract."""

from __future__ import annotations

import importlib
from pathlib import Path

from dentrace import cases
from dentrace.auth import ACTIONS, ROLES

DOC = Path(__file__).resolve().parents[3] / "docs" / "cases.md"


def test_every_action_role_and_status_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [name for name in (*ACTIONS, *ROLES, *cases.STATUSES) if name not in text]
    assert missing == []


def test_every_action_is_granted_by_the_shipped_migration() -> None:
    migration = importlib.import_module("dentrace.store.sql.migrations.versions.0001_initial")
    granted = {a for actions in migration.PERMISSIONS.values() for a in actions}
    assert granted == set(ACTIONS)
    assert set(migration.ROLES) == set(ROLES)

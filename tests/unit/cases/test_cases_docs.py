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


def test_every_action_is_granted_by_the_shipped_migrations() -> None:
    granted: set[str] = set()
    roles: set[str] = set()
    for name in ("0001_initial", "0002_screener", "0003_restricted_cases",
                 "0006_work_management"):
        migration = importlib.import_module(f"dentrace.store.sql.migrations.versions.{name}")
        granted |= {a for actions in migration.PERMISSIONS.values() for a in actions}
        roles |= set(migration.ROLES)
    assert granted == set(ACTIONS)
    assert roles == set(ROLES)

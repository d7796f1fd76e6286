"""The public names of cases, auth, audit and the SQL store: the surface grows only on purpose."""

from __future__ import annotations

import importlib

import pytest

from dentrace import audit, auth, cases
from dentrace.store import sql


@pytest.mark.parametrize("package", [audit, auth, cases, sql])
def test_all_names_exist_and_are_unique(package: object) -> None:
    names = package.__all__  # type: ignore[attr-defined]
    assert len(names) == len(set(names))
    module = importlib.import_module(package.__name__)  # type: ignore[attr-defined]
    assert all(hasattr(module, name) for name in names)


def test_service_entry_points_are_public() -> None:
    assert {"import_alerts", "dismiss_alerts", "escalate_alerts", "approve_case",
            "export_known_labels", "write_known_csv", "record_party_view"} <= set(cases.__all__)
    assert {"authenticate", "require", "issue_token", "account_for_token",
            "add_user_with_random_password", "PermissionDenied"} <= set(auth.__all__)
    assert {"record", "verify", "entries"} <= set(audit.__all__)

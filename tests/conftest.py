"""Shared fixtures: paths to the shared reference data, PostgreSQL URL and Chromium path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The project's shared/ folder (reference schemas and samples), or skip with a reason."""
    if not SHARED.is_dir():
        pytest.skip(f"shared reference data not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def pg_url() -> str:
    """URL of a real PostgreSQL server for integration tests (set by scripts/test.sh)."""
    url = os.environ.get("DENTRACE_TEST_PG_URL")
    if not url:
        if os.environ.get("DENTRACE_REQUIRE_PG"):
            pytest.fail("DENTRACE_REQUIRE_PG is set but DENTRACE_TEST_PG_URL is not")
        pytest.skip("no PostgreSQL server: run the suite through scripts/test.sh")
    return url

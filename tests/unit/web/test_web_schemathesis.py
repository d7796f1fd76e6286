"""Property-based run of every API operation from the app's OpenAPI schema, authenticated.

Schemathesis generates a few requests per operation (valid and invalid); none may answer 5xx.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from dentrace.store.sql import open_store
from dentrace.web import WebSettings, create_app
from tests.unit.web.web_sample import bearer

EXAMPLES_PER_OPERATION = 4


@pytest.fixture()
def api_schema(workspace: Path) -> Any:
    store = open_store(workspace)
    app = create_app(workspace, settings=WebSettings(secure_cookies=False), store=store)
    yield schemathesis.openapi.from_asgi("/openapi.json", app, headers=bearer("sam"))
    store.close()


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_operation_answers_a_server_error(case: Any) -> None:
    case.call_and_validate(headers=bearer("sam"), checks=[not_a_server_error])

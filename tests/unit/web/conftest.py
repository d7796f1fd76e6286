"""Fixtures of the web tests: a sample workspace, the app on it and logged-in API clients."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_sample import PASSWORD, build

from dentrace.web import WebSettings, create_app


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    return tmp_path / "ws"


@pytest.fixture()
def client(workspace: Path) -> Iterator[TestClient]:
    store = build(workspace)
    app = create_app(workspace, settings=WebSettings(secure_cookies=False), store=store)
    with TestClient(app) as test_client:
        yield test_client
    store.close()


def token_for(client: TestClient, username: str) -> dict[str, str]:
    """Authorization header of a fresh bearer token for ``username``."""
    answer = client.post("/api/v1/auth/token",
                         data={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


@pytest.fixture()
def analyst(client: TestClient) -> dict[str, str]:
    return token_for(client, "ana")


@pytest.fixture()
def supervisor(client: TestClient) -> dict[str, str]:
    return token_for(client, "sam")


@pytest.fixture()
def admin(client: TestClient) -> dict[str, str]:
    return token_for(client, "adam")

"""Fixtures of the web tests: a sample workspace, the app on it and logged-in API clients.

The workspace (with its users and their tokens) is built once per session and copied per test,
because hashing the sample users' Argon2 passwords dominates the build time.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_sample import PASSWORD, build, issue_tokens

from dentrace.store.sql import open_store
from dentrace.web import WebSettings, create_app

TOKENS: dict[str, str] = {}


@pytest.fixture(scope="session")
def sample_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("web-sample") / "ws"
    store = build(folder)
    TOKENS.update(issue_tokens(store))
    store.close()
    return folder


@pytest.fixture()
def workspace(tmp_path: Path, sample_template: Path) -> Path:
    copy = tmp_path / "ws"
    shutil.copytree(sample_template, copy)
    return copy


@pytest.fixture()
def client(workspace: Path) -> Iterator[TestClient]:
    store = open_store(workspace)
    app = create_app(workspace, settings=WebSettings(secure_cookies=False), store=store)
    with TestClient(app) as test_client:
        yield test_client
    store.close()


def bearer(username: str) -> dict[str, str]:
    """Authorization header with the sample user's pre-issued token."""
    return {"Authorization": f"Bearer {TOKENS[username]}"}


def token_for(client: TestClient, username: str) -> dict[str, str]:
    """Authorization header of a fresh token from the OAuth2 password flow."""
    answer = client.post("/api/v1/auth/token",
                         data={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


@pytest.fixture()
def analyst(client: TestClient) -> dict[str, str]:
    return bearer("ana")


@pytest.fixture()
def supervisor(client: TestClient) -> dict[str, str]:
    return bearer("sam")


@pytest.fixture()
def admin(client: TestClient) -> dict[str, str]:
    return bearer("adam")

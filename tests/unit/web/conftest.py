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

from dentrace.store.sql import open_store
from dentrace.web import WebSettings, create_app
from tests.unit.web.web_sample import TOKENS, bearer, build, issue_tokens


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


@pytest.fixture()
def analyst(client: TestClient) -> dict[str, str]:
    return bearer("ana")


@pytest.fixture()
def supervisor(client: TestClient) -> dict[str, str]:
    return bearer("sam")


@pytest.fixture()
def admin(client: TestClient) -> dict[str, str]:
    return bearer("adam")

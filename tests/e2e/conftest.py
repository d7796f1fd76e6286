"""A live investigator app on a free loopback port and a headless Chromium to drive it.

The server runs uvicorn in a thread on the sample workspace of the web unit tests.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests import live_server

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
VENDOR = Path(__file__).resolve().parents[2] / "src/dentrace/web/static/vendor"


def _sample() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "unit" / "web" / "web_sample.py"
    spec = importlib.util.spec_from_file_location("dentrace_web_sample", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SAMPLE = _sample()


@contextmanager
def serving(workspace: Path, store: Any, settings: Any = None) -> Iterator[str]:
    """The app on ``workspace`` (tests.live_server), skipped without the front-end libraries."""
    if not (VENDOR / "cytoscape.esm.min.js").exists():
        store.close()
        pytest.skip("front-end libraries missing: run `npm ci` at the repository root")
    with live_server.serving(workspace, store, settings) as base:
        yield base


@pytest.fixture()
def live_app(tmp_path: Path) -> Iterator[str]:
    """Base URL of the app serving a fresh sample workspace."""
    workspace = tmp_path / "ws"
    with serving(workspace, SAMPLE.build(workspace)) as base:
        yield base


@pytest.fixture()
def browser() -> Iterator[Any]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    executable = os.environ.get("DENTRACE_CHROMIUM") or shutil.which("chromium") \
        or "/usr/bin/chromium"
    if not Path(executable).exists():
        pytest.skip(f"no Chromium at {executable}")
    with playwright_api.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=executable, headless=True,
                                          args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the screenshots go: $DENTRACE_SCREENSHOTS if set, else a pytest temp folder."""
    chosen = os.environ.get("DENTRACE_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture()
def password() -> str:
    return str(SAMPLE.PASSWORD)


def log_in(browser: Any, base: str, username: str, password: str, *,
           warnings: bool = False) -> tuple[Any, list[str]]:
    """A new page logged in as ``username`` (the queue asks for a login first), and the list
    its console errors (and warnings, if asked), page errors and dialogs are gathered in."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    kinds = ("error", "warning") if warnings else ("error",)
    page.on("console", lambda m: problems.append(f"{page.url}: {m.text}")
            if m.type in kinds else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: problems.append(f"dialog: {d.message}"))
    page.goto(f"{base}/alerts")
    assert "/login" in page.url
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/alerts")
    return page, problems

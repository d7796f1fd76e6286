"""Build the investigator app: JSON API under /api/v1, server-rendered screens, static assets.

``create_app(workspace, database_url, settings)`` is what ``dentrace serve`` and the tests call.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import duckdb
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from dentrace import __version__
from dentrace.detect.indicators import catalogue
from dentrace.errors import DentraceError
from dentrace.screen.supervisor import ScreeningService
from dentrace.store.sql import Store, open_store
from dentrace.web import errors, pages, screens
from dentrace.web.api import (
    alerts,
    audit_log,
    auth,
    cases,
    exports,
    overview,
    parties,
    reports,
    screen,
    search,
    users,
    work,
)
from dentrace.web.deps import AppContext, current_caller
from dentrace.web.evidence import Evidence
from dentrace.web.party_paths import EncodedPartySlashes
from dentrace.web.queue import ScanFeed, fill_queue
from dentrace.web.security import Caller, SecurityHeaders
from dentrace.web.settings import WebSettings

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"
VENDOR_FILES = ("cytoscape.esm.min.js", "chart.umd.min.js", "swagger-ui-bundle.js",
                "swagger-ui.css")
DESCRIPTION = (
    "Alerts, parties, networks and cases of a dentrace workspace. Log in with "
    "`POST /api/v1/auth/token` (OAuth2 password flow) and send `Authorization: Bearer TOKEN`."
)


def missing_vendor_files() -> list[str]:
    """Front-end library files that ``npm ci`` has not copied into static/vendor yet."""
    return [name for name in VENDOR_FILES if not (STATIC / "vendor" / name).is_file()]


def indicator_descriptions() -> dict[str, str]:
    """Plain-language description of each indicator code, from the detection catalogue (and
    SHARED_SIGNAL, other institutions' signals: issue 21)."""
    from dentrace.detect.explain import SHARED_REASON
    from dentrace.detect.shared_signal import SHARED_DESCRIPTION

    return {**{code: ind.description for code, ind in catalogue().items()},
            SHARED_REASON: SHARED_DESCRIPTION}


def api_router() -> APIRouter:
    """Every JSON route, under /api/v1."""
    router = APIRouter(prefix="/api/v1")
    for module in (auth, alerts, parties, cases, reports, overview, audit_log, users, screen,
                   search, exports, work):
        router.include_router(module.router)
    return router


def _add_docs(app: FastAPI) -> None:
    """OpenAPI schema and Swagger UI, both behind login, served from vendored files."""

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_schema(caller: Caller = Depends(current_caller)) -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False)
    def swagger_ui(request: Request, caller: Caller = Depends(current_caller)) -> HTMLResponse:
        return pages.render(request, "docs.html", caller=caller)


def _warm_read_cache(context: AppContext) -> None:
    try:
        context.evidence.warm()
    except (DentraceError, duckdb.Error) as exc:  # the first page to need it will say why
        log.warning("could not prepare the party screens' read cache: %s", exc)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.scan_feed.check()  # a scan published while the app was down
    context: AppContext = app.state.context
    if context.settings.warm_read_cache:
        threading.Thread(target=_warm_read_cache, args=(context,), daemon=True,
                         name="dentrace-warm-read-cache").start()
    yield
    app.state.screening.stop()  # the screening process, when one was started


def create_app(
    workspace: Path,
    database_url: str | None = None,
    settings: WebSettings | None = None,
    *,
    store: Store | None = None,
) -> FastAPI:
    """The investigator app for ``workspace`` with its cases database (SQLite by default)."""
    settings = settings or WebSettings()
    store = store or open_store(workspace, database_url)
    app = FastAPI(title="dentrace", version=__version__, description=DESCRIPTION,
                  docs_url=None, redoc_url=None, openapi_url=None, lifespan=_lifespan,
                  dependencies=[Depends(fill_queue)])
    app.state.scan_feed = ScanFeed(Path(workspace), store)
    app.state.screening = ScreeningService(Path(workspace), settings.screening)
    app.state.context = AppContext(store=store, evidence=Evidence(Path(workspace)),
                                   settings=settings, indicators=indicator_descriptions())
    # outermost last: security headers on every answer, then the screening fast path
    app.add_middleware(screen.ScreeningFastPath)
    app.add_middleware(EncodedPartySlashes)
    app.add_middleware(SecurityHeaders)
    errors.install(app)
    app.include_router(api_router())
    app.include_router(pages.router)
    app.include_router(screens.router)
    _add_docs(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app

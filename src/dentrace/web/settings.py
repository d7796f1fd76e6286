"""Settings of the investigator web app, in one place: cookies, token lifetimes, page sizes,
screening (``ScreeningSettings``) and casework (``CaseSettings``: SLAs, dismissal review,
attachment size).

``WebSettings`` is passed to ``create_app``; ``dentrace serve`` fills it from its options. The
environment is read by the settings objects only: ``ScreeningSettings.from_environment`` for
``DENTRACE_SCREEN_*``, ``goaml_sources`` for ``DENTRACE_GOAML_*``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from dentrace.cases import CaseSettings
from dentrace.screen.settings import ScreeningSettings

GOAML_CONFIG_ENV, GOAML_SCHEMA_ENV = "DENTRACE_GOAML_CONFIG", "DENTRACE_GOAML_SCHEMA"


@dataclass(frozen=True)
class WebSettings:
    """How the app issues sessions and tokens and how much it shows per page."""

    # Browsers drop Secure cookies on plain http://, so localhost demos turn this off.
    secure_cookies: bool = True
    session_lifetime: timedelta = timedelta(hours=8)
    token_lifetime: timedelta = timedelta(hours=1)
    page_size: int = 50
    max_page_size: int = 500
    network_hops: int = 2
    session_cookie: str = "dentrace_session"
    csrf_cookie: str = "dentrace_csrf"
    csrf_header: str = "X-CSRF-Token"
    # in a child process or the event loop, review ratio, linger: DENTRACE_SCREEN_* when set
    screening: ScreeningSettings = field(default_factory=ScreeningSettings.from_environment)
    # the FIU's goAML settings and XSD; None: DENTRACE_GOAML_CONFIG / _SCHEMA at each report
    goaml_config: str | None = None
    goaml_schema: str | None = None
    # build the party screens' read cache (web/read_cache.py) when the app starts (dentrace
    # serve), not on the first party or queue page (seconds on a scale-1 workspace)
    warm_read_cache: bool = False

    def goaml_sources(self) -> tuple[str | None, str | None]:
        """The goAML settings and XSD to report with (``report.goaml.load_config``): the
        values given, else the environment's now, so an operator can give the FIU's XSD to a
        running server (the case page's readiness panel says what is missing)."""
        config = self.goaml_config or os.environ.get(GOAML_CONFIG_ENV) or None
        schema = self.goaml_schema or os.environ.get(GOAML_SCHEMA_ENV) or None
        return config, schema

    def export_options(self) -> dict[str, Any]:
        """The options the web app builds registered exporters with (``report.registry``),
        named as their command-line options."""
        config, schema = self.goaml_sources()
        return {"config": config, "schema": schema}
    # service levels per priority, second review of dismissals, attachment size (issue 19)
    cases: CaseSettings = field(default_factory=CaseSettings)

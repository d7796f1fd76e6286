"""Settings of the investigator web app, in one place: cookies, token lifetimes, page sizes.

``WebSettings`` is passed to ``create_app``; ``dentrace serve`` fills it from its options.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


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
    # screen payments in a child process holding the party state (dentrace.screen.worker),
    # so HTTP work and screening use two cores; else in the server's own event loop
    screening_process: bool = False

"""Settings of real-time screening in one place: where payments are screened, the review
ratio, the micro-batch linger; read from the environment here and nowhere else.

``ScreeningSettings.from_environment`` is the one reader of ``DENTRACE_SCREEN_*``; the web
app's ``WebSettings`` holds one, and ``dentrace serve`` fills it from its options.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from dentrace.errors import ConfigError

REVIEW_RATIO_ENV = "DENTRACE_SCREEN_REVIEW_RATIO"
LINGER_ENV = "DENTRACE_SCREEN_LINGER_MS"


@dataclass(frozen=True)
class ScreeningSettings:
    """How the screening service runs.

    ``process``: screen in a child process holding the party state (``screen.worker``), so
    HTTP work and screening use two cores; else in the server's event loop.
    ``review_ratio``: a party is reviewed from this share of its role's hold threshold.
    ``linger``: seconds a busy server waits for more payments before a drain (0: off;
    docs/screening.md, "Speed").
    """

    process: bool = False
    review_ratio: float = 0.5
    linger: float = 0.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.review_ratio) and 0 < self.review_ratio <= 1):
            raise ConfigError(f"the screening review ratio is {self.review_ratio!r}; give a "
                              f"number above 0 and at most 1 ({REVIEW_RATIO_ENV})")
        if not (math.isfinite(self.linger) and 0 <= self.linger <= 1):
            raise ConfigError(f"the screening linger is {self.linger!r} s; give 0 to 1000 ms "
                              f"({LINGER_ENV})")

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None,
                         **overrides: Any) -> ScreeningSettings:
        """The defaults, with ``DENTRACE_SCREEN_REVIEW_RATIO`` and
        ``DENTRACE_SCREEN_LINGER_MS`` when set, then ``overrides`` (``ConfigError`` naming
        the variable on a value that is not a number in range)."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        ratio = environ.get(REVIEW_RATIO_ENV, "").strip()
        if ratio:
            values["review_ratio"] = _number(REVIEW_RATIO_ENV, ratio)
        linger = environ.get(LINGER_ENV, "").strip()
        if linger:
            values["linger"] = _number(LINGER_ENV, linger) / 1000
        return replace(cls(), **{**values, **overrides})


def _number(name: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ConfigError(f"{name} is {text!r}; give a number") from None

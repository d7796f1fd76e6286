"""The screening service of one workspace: starts the batcher on first use (in the event loop,
or feeding a screening process), starts it again when it stopped, stops it, reports health.

The web app holds one ``ScreeningService`` and only calls it: ``screen`` per payment, ``warm``
before serving (``dentrace serve --warm-screening``), ``health`` for monitoring, ``stop`` at
shutdown. Which batcher runs follows ``ScreeningSettings.process``, and the event loop always
when a screener is given (``use``: tests, tools).
"""

from __future__ import annotations

import gc
import threading
from pathlib import Path
from typing import Any

from dentrace.screen.batching import Batcher, ScreeningBatcher
from dentrace.screen.log import ScreeningLog
from dentrace.screen.service import Screener
from dentrace.screen.settings import ScreeningSettings
from dentrace.screen.setup import screener_from_workspace
from dentrace.screen.worker import ProcessBatcher, ScreeningProcess
from dentrace.store.workspace import Workspace


class ScreeningService:
    """Start, restart, stop and health of real-time screening for ``workspace``."""

    def __init__(self, workspace: Path, settings: ScreeningSettings | None = None) -> None:
        self.workspace = Path(workspace)
        self.settings = settings or ScreeningSettings()
        self.screener: Screener | None = None  # given, or built here when screening in-loop
        self.starts = 0  # batchers started: the first, then one per restart
        self._batcher: Batcher | None = None
        self._log: ScreeningLog | None = None
        # the server's threads (sync routes, --warm-screening) and its event loop share it
        self._lock = threading.Lock()

    @property
    def in_process(self) -> bool:
        """Screen in the server's event loop: a screener was given, or the settings do not
        ask for a screening process."""
        return self.screener is not None or not self.settings.process

    @property
    def current(self) -> Batcher | None:
        """The batcher running now, without starting one."""
        return self._batcher

    def use(self, screener: Screener) -> None:
        """Screen with ``screener`` in the event loop from the next payment on."""
        with self._lock:
            self._close_batcher()
            self.screener = screener

    def batcher(self) -> Batcher:
        """The batcher to screen with: the running one, or a new one when none runs or the
        last one stopped (its screening process died, or could not start ``FAILED_HOLD``
        seconds ago). A screening process is launched, not awaited: while it builds its
        state, payments get ``ScreeningStarting``."""
        batcher = self._batcher
        if batcher is not None and batcher.serving:
            return batcher
        with self._lock:
            batcher = self._batcher
            if batcher is not None and batcher.serving:
                return batcher
            self._close_batcher()
            if self._log is None:
                self._log = ScreeningLog(Workspace(self.workspace).screening_log)
            self._batcher = batcher = self._start(self._log)
            self.starts += 1
            return batcher

    def _start(self, log: ScreeningLog) -> Batcher:
        if not self.in_process:
            process = ScreeningProcess(self.workspace, self.settings.review_ratio).launch()
            return ProcessBatcher(process, log)
        if self.screener is None:
            self.screener = screener_from_workspace(self.workspace,
                                                    review_ratio=self.settings.review_ratio)
        # the party state is hundreds of thousands of long-lived objects: keep them out of
        # the garbage collector's full passes, which would otherwise pause answers for tens of ms
        gc.collect()
        gc.freeze()
        return ScreeningBatcher(self.screener, log, linger=self.settings.linger)

    async def screen(self, payment: dict[str, Any], actor: str, origin: str) -> dict[str, Any]:
        """The decision on ``payment``, logged (errors as ``Batcher.screen``)."""
        return await self.batcher().screen(payment, actor, origin)

    def warm(self) -> dict[str, int]:
        """Start screening now and wait until it can answer, rather than on the first payment
        (seconds per 100k scanned payments): the size of the party state."""
        return self.batcher().wait_ready()

    def health(self) -> dict[str, Any]:
        """Where payments are screened, whether it runs (``state``: stopped, starting, ready,
        failed), its restarts and what the running batcher reports; starts nothing."""
        batcher = self._batcher
        facts: dict[str, Any] = {"state": "stopped"} if batcher is None else batcher.health()
        return {"mode": "event loop" if self.in_process else "process",
                "restarts": max(self.starts - 1, 0), **facts}

    def stop(self) -> None:
        """Stop the batcher (and its screening process) and close the screening log."""
        with self._lock:
            self._close_batcher()
            if self._log is not None:
                self._log.close()
                self._log = None

    def _close_batcher(self) -> None:
        batcher, self._batcher = self._batcher, None
        if batcher is not None:
            batcher.close()

"""One way for tests to serve the investigator app for real: uvicorn in a thread on a free
loopback port (the browser tests and the scan-beside-the-app fault tests)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(workspace: Path, store: Any, settings: Any = None) -> Iterator[str]:
    """Serve ``workspace`` (its cases ``store``); yields the base URL, then stops the server
    and closes the store."""
    import uvicorn

    from dentrace.web import WebSettings, create_app

    app = create_app(workspace, settings=settings or WebSettings(secure_cookies=False),
                     store=store)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        store.close()

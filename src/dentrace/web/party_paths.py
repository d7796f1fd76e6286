"""Party ids in URL paths: one path segment each, whatever characters the bank's ids hold.

ASGI servers decode ``%2F`` to ``/`` before routing, so the party ``a/b`` would reach no route
and ``a/payments`` the payments of a party ``a``. ``EncodedPartySlashes`` keeps ``%2F`` (and
``%25``, so that the decoding stays reversible) encoded in party paths, and routes take the id
through ``party_id_in_path``, which decodes the rest. Links are built with ``path_segment``.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

from starlette.types import ASGIApp, Receive, Scope, Send

PARTY_PREFIXES = ("/parties/", "/api/v1/parties/")
_KEPT_ENCODED = re.compile(r"%(25|2[Ff])")


def path_segment(value: object) -> str:
    """``value`` quoted as one URL path segment: '/', '?', '#', '%' and spaces included."""
    return quote(str(value), safe="")


def party_path(raw_path: bytes) -> str:
    """The request path of ``raw_path`` decoded except for ``%2F`` and ``%25``."""
    text = raw_path.decode("latin-1")
    return unquote(_KEPT_ENCODED.sub(r"%25\1", text))


def party_id_in_path(party_id: str) -> str:
    """FastAPI dependency: the party id of the path, its kept ``%2F`` and ``%25`` decoded."""
    return unquote(party_id)


class EncodedPartySlashes:
    """Pure ASGI middleware: party paths are decoded from the raw request bytes, keeping
    ``%2F`` and ``%25`` for ``party_id_in_path``; other paths pass untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and path.startswith(PARTY_PREFIXES):
            raw = scope.get("raw_path")
            # Without the raw bytes no '/' can be told from '%2F'; escaping '%' keeps the
            # decoding in party_id_in_path from changing ids such as '100%41'.
            rebuilt = party_path(raw) if raw else path.replace("%", "%25")
            if rebuilt.startswith(PARTY_PREFIXES):
                scope = {**scope, "path": rebuilt}
        await self.app(scope, receive, send)

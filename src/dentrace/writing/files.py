"""Where and how every exporter writes a file: names confined to their folder, and each file
written whole (a temporary beside it, renamed into place) so a failure leaves no partial file.

``safe_file_name`` turns a user-supplied or data-derived name (a party id) into a plain file
name; ``confined`` refuses any path that would resolve outside its folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dentrace.errors import InputError

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
MAX_NAME = 80  # well under every file system's 255 bytes, with room for a suffix and hash


def safe_file_name(name: str) -> str:
    """``name`` if it is plain (letters, digits, ``-``, ``_``), else a plain form plus a hash.

    The hash keeps two different names apart once their unsafe characters are replaced
    (``a/b`` and ``a:b``). Dots are replaced too: no hidden file, no ``..``, and a party id's
    dot is never mistaken for a suffix.
    """
    plain = _UNSAFE.sub("_", name).strip("_")[:MAX_NAME]
    if plain == name and plain:
        return plain
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{plain}-{digest}" if plain else digest


def confined(folder: Path, name: str) -> Path:
    """``folder / name`` when it resolves inside ``folder``; ``InputError`` otherwise."""
    root = Path(folder).resolve()
    path = (root / name).resolve()
    if path == root or not path.is_relative_to(root):
        raise InputError(f"'{name}' would be written outside {folder}", file=str(folder))
    return path


@contextmanager
def whole_file(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it to ``path`` only when the block ends
    without an error (else remove it), so readers never see half a report."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # created like any file (the umask decides who may read it), under a name no one else has
    temporary = path.with_name(f".{path.name[:40]}.{secrets.token_hex(6)}.part")
    temporary.touch(exist_ok=False)
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_whole(path: Path, data: bytes | str) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` whole; returns ``path``."""
    with whole_file(path) as temporary:
        if isinstance(data, str):
            temporary.write_text(data, encoding="utf-8")
        else:
            temporary.write_bytes(data)
    return Path(path)

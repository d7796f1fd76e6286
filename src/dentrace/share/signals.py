"""The signals file: what one institution sends the others, signed with its Ed25519 key.

Layout: one line of JSON, the envelope (``format``, ``sender``, ``signature`` in base64), then
the body, the exact bytes signed: JSON with the consortium key id, the encoding's parameters,
the signals and the ids of signals the sender withdraws. The signature is checked on the
bytes as received, before any of the body is parsed, so nothing an outsider wrote is read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from dentrace.share.encoding import BITS, BYTES, HASHES
from dentrace.share.errors import (
    SignalFileError,
    SignatureError,
    UnknownKeyError,
    UnknownSenderError,
)
from dentrace.share.identifiers import KINDS
from dentrace.share.keys import INSTITUTION, ConsortiumKeys, SigningIdentity
from dentrace.writing.files import write_whole

FORMAT: Final = "dentrace-signals/1"
ROLES: Final = {"facilitator": "facilitator", "payer": "offender"}  # role -> label
STRENGTHS: Final = ("alerted", "known", "confirmed")  # weakest first
MAX_BYTES: Final = 1 << 30  # a file past this is refused before it is read (1 GiB)
_ENVELOPE_MAX = 4096
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_SIGNAL_ID = re.compile(r"^[0-9a-f]{32}$")
_BLOCK = re.compile(r"^[0-9a-f]{16}$")
ENCODING: Final = {"bits": BITS, "hashes": HASHES, "qgram": 2, "balanced": True}


@dataclass(frozen=True)
class Signal:
    """One party an institution flags: tokens of its identifiers, its name encoding, and why."""

    signal_id: str
    role: str
    strength: str
    as_of: date
    tokens: tuple[tuple[str, str], ...]  # (kind, token)
    block: str | None = None
    bloom: bytes | None = None

    @property
    def label(self) -> str:
        return ROLES[self.role]


@dataclass(frozen=True)
class SignalsFile:
    """A verified signals file: who sent it, under which key, what it holds."""

    sender: str
    key_id: str
    created: str
    signals: list[Signal]
    revoked: frozenset[str] = field(default_factory=frozenset)
    sha256: str = ""


def _signal_json(signal: Signal) -> dict[str, Any]:
    return {
        "id": signal.signal_id, "role": signal.role, "strength": signal.strength,
        "date": signal.as_of.isoformat(),
        "tokens": [{"kind": kind, "token": tok} for kind, tok in signal.tokens],
        "name": None if signal.bloom is None else {
            "block": signal.block, "bloom": base64.b64encode(signal.bloom).decode("ascii")},
    }


def write_signals(path: Path, identity: SigningIdentity, key_id: str, created: str,
                  signals: list[Signal], revoked: list[str]) -> Path:
    """Write and sign a signals file (whole: a reader never sees half of it)."""
    body = json.dumps({
        "format": FORMAT, "sender": identity.institution, "key_id": key_id, "created": created,
        "encoding": ENCODING, "signals": [_signal_json(s) for s in signals],
        "revoked": sorted(set(revoked)),
    }, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    signature = base64.b64encode(identity.private_key.sign(body)).decode("ascii")
    envelope = json.dumps({"format": FORMAT, "sender": identity.institution,
                           "signature": signature}, separators=(",", ":"))
    return write_whole(path, envelope.encode("ascii") + b"\n" + body)


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise SignalFileError(f"{size:,} bytes, more than the {max_bytes:,} allowed "
                                  f"(raise --max-bytes if the file is expected)", file=path)
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as error:
        raise SignalFileError(f"cannot read: {error}", file=path) from error
    if len(data) > max_bytes:  # grew while read
        raise SignalFileError(f"more than the {max_bytes:,} bytes allowed", file=path)
    return data


def _envelope(path: Path, data: bytes) -> tuple[dict[str, Any], bytes]:
    head, newline, body = data.partition(b"\n")
    if not newline or len(head) > _ENVELOPE_MAX:
        raise SignalFileError("no envelope line: not a dentrace signals file", file=path, row=1)
    try:
        envelope = json.loads(head.decode("ascii"))
    except (UnicodeDecodeError, ValueError) as error:
        raise SignalFileError(f"envelope is not JSON: {error}", file=path, row=1) from error
    if not isinstance(envelope, dict) or envelope.get("format") != FORMAT:
        raise SignalFileError(f"envelope format is not {FORMAT}", file=path, row=1,
                              field="format")
    return envelope, body


def verify(path: Path, data: bytes, senders: dict[str, Ed25519PublicKey]) -> tuple[str, bytes]:
    """(sender, body) once the body's signature verifies under the named sender's key."""
    envelope, body = _envelope(path, data)
    sender = envelope.get("sender")
    if not isinstance(sender, str) or not INSTITUTION.match(sender):
        raise SignalFileError("envelope names no valid sender", file=path, row=1, field="sender")
    if sender not in senders:
        raise UnknownSenderError(f"sender {sender!r} is not in the trusted-senders file",
                                 file=path, row=1, field="sender")
    try:
        signature = base64.b64decode(str(envelope.get("signature", "")), validate=True)
        senders[sender].verify(signature, body)
    except (binascii.Error, InvalidSignature) as error:
        raise SignatureError(f"signature does not verify for sender {sender!r}: the file was "
                             f"altered or not signed by {sender!r}'s key", file=path, row=1,
                             field="signature") from error
    return sender, body


def _field(path: Path, row: int | None, item: dict[str, Any], name: str, kind: type) -> Any:
    value = item.get(name)
    if not isinstance(value, kind):
        raise SignalFileError(f"expected {kind.__name__}, got {type(value).__name__}",
                              file=path, row=row, field=name)
    return value


def _matching(path: Path, row: int, name: str, value: str, pattern: re.Pattern[str]) -> str:
    if not pattern.match(value):
        raise SignalFileError(f"malformed value {value[:80]!r}", file=path, row=row, field=name)
    return value


def _name(path: Path, row: int, item: Any) -> tuple[str | None, bytes | None]:
    if item is None:
        return None, None
    if not isinstance(item, dict):
        raise SignalFileError("expected an object or null", file=path, row=row, field="name")
    block = _matching(path, row, "name.block", _field(path, row, item, "block", str), _BLOCK)
    try:
        bloom = base64.b64decode(_field(path, row, item, "bloom", str), validate=True)
    except binascii.Error as error:
        raise SignalFileError("not base64", file=path, row=row, field="name.bloom") from error
    if len(bloom) != BYTES:
        raise SignalFileError(f"{len(bloom)} bytes, expected {BYTES}", file=path, row=row,
                              field="name.bloom")
    return block, bloom


def _tokens(path: Path, row: int, items: list[Any]) -> tuple[tuple[str, str], ...]:
    tokens = []
    for item in items:
        if not isinstance(item, dict) or item.get("kind") not in KINDS:
            raise SignalFileError(f"each token needs a kind of {KINDS}", file=path, row=row,
                                  field="tokens")
        tok = _matching(path, row, "tokens.token", _field(path, row, item, "token", str),
                        _HEX64)
        tokens.append((str(item["kind"]), tok))
    return tuple(tokens)


def _signal(path: Path, row: int, item: Any) -> Signal:
    if not isinstance(item, dict):
        raise SignalFileError("expected an object", file=path, row=row)
    role, strength = item.get("role"), item.get("strength")
    if role not in ROLES:
        raise SignalFileError(f"role must be one of {sorted(ROLES)}", file=path, row=row,
                              field="role")
    if strength not in STRENGTHS:
        raise SignalFileError(f"strength must be one of {STRENGTHS}", file=path, row=row,
                              field="strength")
    try:
        as_of = date.fromisoformat(_field(path, row, item, "date", str))
    except ValueError as error:
        raise SignalFileError("not an ISO date", file=path, row=row, field="date") from error
    block, bloom = _name(path, row, item.get("name"))
    tokens = _tokens(path, row, _field(path, row, item, "tokens", list))
    if not tokens and bloom is None:
        raise SignalFileError("a signal needs a token or a name", file=path, row=row)
    signal_id = _matching(path, row, "id", _field(path, row, item, "id", str), _SIGNAL_ID)
    return Signal(signal_id, str(role), str(strength), as_of, tokens, block, bloom)


def _body(path: Path, body: bytes, sender: str, keys: ConsortiumKeys) -> dict[str, Any]:
    try:
        parsed = json.loads(body.decode("ascii"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise SignalFileError(f"body is not JSON: {error}", file=path) from error
    if not isinstance(parsed, dict) or parsed.get("format") != FORMAT:
        raise SignalFileError(f"body format is not {FORMAT}", file=path, field="format")
    if parsed.get("sender") != sender:
        raise SignalFileError("body names another sender than the envelope", file=path,
                              field="sender")
    key_id = _field(path, None, parsed, "key_id", str)
    if keys.get(key_id) is None:
        raise UnknownKeyError(f"made under consortium key {key_id[:64]!r}, which the key file "
                              f"does not hold (held: {sorted(keys.keys)})", file=path,
                              field="key_id")
    if parsed.get("encoding") != ENCODING:
        raise SignalFileError(f"name encoding {parsed.get('encoding')!r} is not this "
                              f"version's {ENCODING}", file=path, field="encoding")
    return parsed


def read_signals(path: Path, senders: dict[str, Ed25519PublicKey], keys: ConsortiumKeys,
                 *, max_bytes: int = MAX_BYTES) -> SignalsFile:
    """Read, verify and check a signals file; any problem raises a SignalFileError naming the
    file and, for one signal, its number (as the row) and the field."""
    data = _read_bytes(path, max_bytes)
    sender, body = verify(path, data, senders)
    parsed = _body(path, body, sender, keys)
    items = _field(path, None, parsed, "signals", list)
    signals = [_signal(path, row, item) for row, item in enumerate(items, start=1)]
    revoked = _field(path, None, parsed, "revoked", list)
    for value in revoked:
        if not isinstance(value, str) or not _SIGNAL_ID.match(value):
            raise SignalFileError(f"malformed signal id {str(value)[:80]!r}", file=path,
                                  field="revoked")
    return SignalsFile(sender, str(parsed["key_id"]), str(parsed.get("created", "")), signals,
                       frozenset(revoked), hashlib.sha256(data).hexdigest())

"""The keys of a signal-sharing consortium: the shared HMAC keys (by key id, so they rotate),
each institution's Ed25519 signing key, and the trusted-senders file of public keys.

Files:
- consortium key file (TOML, held by every member, never sent): ``current = "ID"`` and a
  ``[keys]`` table of ``ID = "<64 hex digits>"``; old ids stay so older signals still match;
- signing key: an Ed25519 private key, PKCS#8 PEM, unencrypted (file mode 0600);
- trusted senders (TOML): ``[senders]`` table of ``INSTITUTION = "<base64 raw public key>"``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from dentrace.share.errors import ShareKeyError
from dentrace.toml_settings import parse_toml

_KEY_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_HEX_KEY = re.compile(r"^[0-9a-fA-F]{64}$")
INSTITUTION = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ShareKeyError(f"{path}: cannot read the {what}: {error}") from error


@dataclass(frozen=True)
class ConsortiumKey:
    """One consortium key: its id and the sub-keys derived for each use (domain separation)."""

    key_id: str
    secret: bytes

    def derived(self, purpose: str) -> bytes:
        """The key for one purpose ('token', 'bloom', 'block', 'permute'): HMAC of its name."""
        return hmac.new(self.secret, f"dentrace-share/{purpose}".encode(), hashlib.sha256).digest()


@dataclass(frozen=True)
class ConsortiumKeys:
    """Every consortium key a member holds; ``current`` is the one new exports use."""

    current: str
    keys: dict[str, ConsortiumKey]

    def get(self, key_id: str) -> ConsortiumKey | None:
        return self.keys.get(key_id)

    @property
    def newest(self) -> ConsortiumKey:
        return self.keys[self.current]


def read_consortium_keys(path: Path) -> ConsortiumKeys:
    """The consortium key file at ``path``; every problem names the file and the key id."""
    settings = parse_toml(_read_text(path, "consortium key file"), str(path))
    table = settings.get("keys")
    if not isinstance(table, dict) or not table:
        raise ShareKeyError(f"{path}: no [keys] table with at least one key")
    keys = {}
    for key_id, value in table.items():
        if not _KEY_ID.match(key_id):
            raise ShareKeyError(f"{path}: key id {key_id!r}: use letters, digits, . _ - "
                                f"(at most 64)")
        if not isinstance(value, str) or not _HEX_KEY.match(value):
            raise ShareKeyError(f"{path}: key {key_id!r}: expected 64 hex digits (32 bytes)")
        keys[key_id] = ConsortiumKey(key_id, bytes.fromhex(value))
    current = settings.get("current")
    if not isinstance(current, str) or current not in keys:
        raise ShareKeyError(f"{path}: 'current' must name one of the keys {sorted(keys)}")
    return ConsortiumKeys(current, keys)


def add_consortium_key(path: Path, key_id: str) -> ConsortiumKeys:
    """Add a fresh random key ``key_id`` to the file at ``path`` (made if absent) and make it
    current: rotation keeps the older keys so signals made under them still match."""
    if not _KEY_ID.match(key_id):
        raise ShareKeyError(f"key id {key_id!r}: use letters, digits, . _ - (at most 64)")
    old = read_consortium_keys(path).keys if path.exists() else {}
    if key_id in old:
        raise ShareKeyError(f"{path}: key id {key_id!r} exists already")
    secrets_hex = {k: v.secret.hex() for k, v in old.items()}
    secrets_hex[key_id] = secrets.token_hex(32)
    lines = [f'current = "{key_id}"', "", "[keys]"]
    lines += [f'"{k}" = "{v}"' for k, v in secrets_hex.items()]
    _write_private(path, "\n".join(lines) + "\n")
    return read_consortium_keys(path)


def _write_private(path: Path, text: str) -> None:
    """Write a secret file readable by its owner only (created 0600, never world-readable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)


@dataclass(frozen=True)
class SigningIdentity:
    """An institution's name and its Ed25519 private key."""

    institution: str
    private_key: Ed25519PrivateKey

    def public_text(self) -> str:
        """The public key as base64 of its 32 raw bytes (what the senders file holds)."""
        raw = self.private_key.public_key().public_bytes(serialization.Encoding.Raw,
                                                         serialization.PublicFormat.Raw)
        return base64.b64encode(raw).decode("ascii")

    def signal_id_key(self) -> bytes:
        """A secret only this institution can compute signal ids with (stable across consortium
        key rotations, so a later revocation names the same signal)."""
        raw = self.private_key.private_bytes(serialization.Encoding.Raw,
                                             serialization.PrivateFormat.Raw,
                                             serialization.NoEncryption())
        return hmac.new(raw, b"dentrace-share/signal-id", hashlib.sha256).digest()


def _institution(name: str) -> str:
    if not INSTITUTION.match(name):
        raise ShareKeyError(f"institution {name!r}: use letters, digits, . _ - (at most 64)")
    return name


def new_signing_key(institution: str, path: Path) -> SigningIdentity:
    """Make an Ed25519 key for ``institution`` and write it to ``path`` (0600, PKCS#8 PEM)."""
    if path.exists():
        raise ShareKeyError(f"{path}: exists already; a signing key is never overwritten")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    _write_private(path, pem.decode("ascii"))
    return SigningIdentity(_institution(institution), key)


def read_signing_key(institution: str, path: Path) -> SigningIdentity:
    """The Ed25519 private key at ``path`` as ``institution``'s signing identity."""
    text = _read_text(path, "signing key")
    try:
        key = serialization.load_pem_private_key(text.encode("ascii", "replace"), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise ShareKeyError(f"{path}: not an unencrypted PEM private key: {error}") from error
    if not isinstance(key, Ed25519PrivateKey):
        raise ShareKeyError(f"{path}: not an Ed25519 key ({type(key).__name__})")
    return SigningIdentity(_institution(institution), key)


def read_trusted_senders(path: Path) -> dict[str, Ed25519PublicKey]:
    """The trusted-senders file: institution name -> public key."""
    settings = parse_toml(_read_text(path, "trusted-senders file"), str(path))
    table = settings.get("senders")
    if not isinstance(table, dict):
        raise ShareKeyError(f"{path}: no [senders] table")
    senders = {}
    for name, value in table.items():
        if not INSTITUTION.match(name):
            raise ShareKeyError(f"{path}: sender {name!r}: use letters, digits, . _ -")
        try:
            raw = base64.b64decode(str(value), validate=True)
            senders[name] = Ed25519PublicKey.from_public_bytes(raw)
        except (binascii.Error, ValueError) as error:
            raise ShareKeyError(f"{path}: sender {name!r}: not a base64 Ed25519 public key "
                                f"(32 bytes)") from error
    return senders

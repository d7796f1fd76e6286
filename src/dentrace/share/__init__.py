"""Sharing signals between institutions without personal data (issue 21): keyed tokens of
identifiers and hardened Bloom encodings of names, in signed files; matched on each member's
own premises, results kept in the workspace for a person to review (never an alert alone).
"""

from dentrace.share.errors import (
    ShareKeyError,
    SignalFileError,
    SignatureError,
    UnknownKeyError,
    UnknownSenderError,
)
from dentrace.share.export import ExportCounts, export_signals
from dentrace.share.keys import (
    ConsortiumKeys,
    SigningIdentity,
    add_consortium_key,
    new_signing_key,
    read_consortium_keys,
    read_signing_key,
    read_trusted_senders,
)
from dentrace.share.signals import SignalsFile, read_signals

__all__ = [
    "ConsortiumKeys", "ExportCounts", "ShareKeyError", "SignalFileError", "SignalsFile",
    "SignatureError", "SigningIdentity", "UnknownKeyError", "UnknownSenderError",
    "add_consortium_key", "export_signals", "new_signing_key", "read_consortium_keys",
    "read_signals", "read_signing_key", "read_trusted_senders",
]

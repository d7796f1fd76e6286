"""The errors of sharing signals between institutions, each naming the file and, where there
is one, the signal (as its row) and the field.

    DentraceError
    ├── InputError
    │   └── SignalFileError       a signals file cannot be used as given
    │       ├── SignatureError    its signature does not verify: altered, or not the sender's
    │       ├── UnknownSenderError  its sender is not in the trusted-senders file
    │       └── UnknownKeyError   it was made under a consortium key id we do not hold
    └── ConfigError
        └── ShareKeyError         a key file (consortium, signing, senders) is unusable
"""

from __future__ import annotations

from dentrace.errors import ConfigError, InputError


class SignalFileError(InputError):
    """A signals file is malformed, too large, or fails a check."""


class SignatureError(SignalFileError):
    """The Ed25519 signature does not verify against the named sender's public key."""


class UnknownSenderError(SignalFileError):
    """The file names a sender the trusted-senders file does not hold."""


class UnknownKeyError(SignalFileError):
    """The file was made under a consortium key id the local key file does not hold."""


class ShareKeyError(ConfigError):
    """A consortium key file, signing key or trusted-senders file is missing or malformed."""

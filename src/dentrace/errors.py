"""Every error dentrace raises on purpose, in one hierarchy.

    DentraceError                 base: callers catch this broadly
    ├── InputError                a user's file cannot be used as given
    │   ├── MissingColumnError    a required column is absent (names file and column)
    │   ├── HeaderError           no usable header row
    │   └── MappingError          a mapping file is malformed or refers to unknown columns
    ├── WorkspaceError            a workspace is missing, locked or of another version
    └── ConfigError               a configuration value is invalid

Messages always name the file and, where there is one, the row and the field.
"""

from __future__ import annotations

from pathlib import Path


class DentraceError(Exception):
    """Base class of all errors dentrace raises on purpose."""


class InputError(DentraceError):
    """A user's input file cannot be used as given."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.row = row
        self.field = field
        where = []
        if self.file:
            where.append(self.file)
        if row is not None:
            where.append(f"row {row}")
        if field:
            where.append(f"field '{field}'")
        prefix = ": ".join([", ".join(where)]) + ": " if where else ""
        super().__init__(prefix + message)
        self.message = message


class MissingColumnError(InputError):
    """A required column is absent from a file's header."""


class HeaderError(InputError):
    """A file has no usable header row."""


class MappingError(InputError):
    """A mapping file is malformed or refers to columns the export does not have."""


class WorkspaceError(DentraceError):
    """A workspace directory is missing, unreadable or of an incompatible version."""


class ConfigError(DentraceError):
    """A configuration value is invalid."""

"""What all readers share: the staging relation's name, its bookkeeping columns, progress.

Bookkeeping columns: ``_dt_line`` (1-based physical line or row), ``_dt_fault_field`` and
``_dt_fault_reason`` (set when the reader itself could not read the row), ``_dt_raw``, and
for a reader that can seek, ``_dt_row``.
"""

from __future__ import annotations

from collections.abc import Callable

STAGING = "_dt_staging"  # always a view, so readers can follow each other
ROWS = "_dt_rows"  # the table behind the view for readers that copy rows
BOOKKEEPING = ("_dt_line", "_dt_fault_field", "_dt_fault_reason", "_dt_raw")
# Optional: the row's 0-based position as the file's own reader sees it (Parquet's
# file_row_number). A join on it reaches a few rows without decoding the others.
ROW_IN_FILE = "_dt_row"

# The longest row a text reader takes, in characters (a row of several lines counts them
# all). A payment row is a few hundred characters (ISO 20022 caps a name at 140, a remittance
# line at 140); a longer line is a broken or hostile file (2 GiB of NUL bytes on one line
# took 8 GiB to read whole), so it is quarantined unread and memory stays a few MiB a line.
MAX_LINE_CHARS = 1 << 20

# Called with (units done, units in total) while a file is read.
Progress = Callable[[int, int], None]


def quote(name: str) -> str:
    """``name`` as a DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """``text`` as a DuckDB string literal."""
    return "'" + text.replace("'", "''") + "'"

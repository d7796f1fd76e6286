"""The one way dentrace writes CSV: every text cell that a spreadsheet would run as a formula
is neutralised with a leading apostrophe (OWASP, "CSV Injection"), by row or by Arrow table.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is such a cell:
``=cmd|' /C calc'!A0`` is written ``'=cmd|' /C calc'!A0``. Numbers are not text and are left
alone, so a negative amount stays a number.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from dentrace.writing.files import whole_file

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_PATTERN = r"^[=+\-@\t\r]"


def neutralise(value: Any) -> Any:
    """``value`` with a leading apostrophe when it is text a spreadsheet would evaluate."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write ``header`` and ``rows`` to ``path`` whole, every cell neutralised; the row count."""
    count = 0
    # errors="replace": a lone surrogate (no UTF-8 form) is written "?" instead of failing
    with whole_file(Path(path)) as temporary, temporary.open(
            "w", newline="", encoding="utf-8", errors="replace") as handle:
        writer = csv.writer(handle)
        writer.writerow([neutralise(name) for name in header])
        for row in rows:
            writer.writerow([neutralise(cell) for cell in row])
            count += 1
    return count


def neutralise_table(table: pa.Table) -> pa.Table:
    """``table`` with every text column neutralised (vectorised: worlds of millions of rows)."""
    for index, column_field in enumerate(table.schema):
        if not (pa.types.is_string(column_field.type)
                or pa.types.is_large_string(column_field.type)):
            continue
        column = table.column(index)
        risky = pc.match_substring_regex(column, _FORMULA_PATTERN)
        quoted = pc.binary_join_element_wise(pa.scalar("'", column_field.type), column, "")
        table = table.set_column(index, column_field, pc.if_else(risky, quoted, column))
    return table


class CsvTableWriter:
    """Arrow tables appended to one CSV file (one header), each neutralised before writing."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self._writer = pacsv.CSVWriter(str(path), schema)

    def write_table(self, table: pa.Table) -> None:
        """Append ``table``'s rows."""
        self._writer.write_table(neutralise_table(table))

    def close(self) -> None:
        """Finish the file."""
        self._writer.close()

"""Which export column feeds which contract column: renames, constants and code maps.

Checked once per file before anything loads, so a missing required column stops the run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dentrace.contract.schema import Table
from dentrace.errors import MappingError, MissingColumnError
from dentrace.ingest.mapping import TableMapping
from dentrace.ingest.readers.common import literal, quote


@dataclass(frozen=True)
class Projection:
    """SQL for each contract column (as ``_m_<name>``: trimmed text, NULL when empty, codes
    mapped), the extra-columns JSON and the raw row for the quarantine."""

    columns: dict[str, str]
    extras: list[str]

    def select_list(self) -> str:
        """Select list over the staging relation."""
        parts = [f"{expr} AS _m_{name}" for name, expr in self.columns.items()]
        if self.extras:
            pairs = ", ".join(f"{literal(n)}, {quote(n)}" for n in self.extras)
            parts.append(f"CAST(json_object({pairs}) AS VARCHAR) AS extra")
        else:
            parts.append("NULL::VARCHAR AS extra")
        return ", ".join(parts)

    def raw_json(self) -> str:
        """A row as text for the quarantine: the reader's raw line, else its values as JSON."""
        pairs = ", ".join(f"{literal(n)}, _m_{n}" for n in self.columns)
        return f"coalesce(_dt_raw, CAST(json_object({pairs}, 'extra', extra) AS VARCHAR))"


def project(table: Table, header: list[str], mapping: TableMapping, file: Path) -> Projection:
    """Match ``header`` to ``table``'s contract through ``mapping``; stop on a missing column."""
    by_lower = {h.strip().lower(): h for h in header}
    used: set[str] = set()
    columns: dict[str, str] = {}
    for col in table.columns:
        source = mapping.columns.get(col.name, col.name)
        if col.name in mapping.constants:
            expr = literal(mapping.constants[col.name])
        elif source.strip().lower() in by_lower:
            original = by_lower[source.strip().lower()]
            used.add(original)
            expr = _trimmed(quote(original))
        elif col.required:
            renamed = f" (mapped from '{source}')" if source != col.name else ""
            raise MissingColumnError(
                f"required {table.name} column '{col.name}'{renamed} is missing; "
                f"columns found: {', '.join(header)}", file=file, field=col.name)
        elif col.name in mapping.columns:
            raise MappingError(
                f"maps {col.name} to '{source}', which {file} does not have; columns found: "
                f"{', '.join(header)}", file=mapping.source,
                field=f"{table.name}.columns.{col.name}")
        else:
            expr = "NULL::VARCHAR"
        codes = mapping.codes.get(col.name)
        if codes:
            whens = " ".join(f"WHEN {literal(k)} THEN {literal(v)}" for k, v in codes.items())
            expr = f"CASE {expr} {whens} ELSE {expr} END"
        columns[col.name] = expr
    extras = [h for h in header if h not in used]
    return Projection(columns=columns, extras=extras)


def _trimmed(column: str) -> str:
    """The column without surrounding spaces, NULL when empty; trim() only where needed,
    as it costs more than the test on every row."""
    return (f"nullif(CASE WHEN starts_with({column}, ' ') OR ends_with({column}, ' ') "
            f"THEN trim({column}) ELSE {column} END, '')")

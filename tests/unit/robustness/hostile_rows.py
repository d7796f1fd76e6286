"""Input rows for the contract's three tables with hostile text in any of their text columns,
written as CSV (lone surrogates as invalid UTF-8 bytes) or as Parquet (valid strings only).

Each row is clean, hostile in one column, or hostile anywhere; ids keep a unique prefix so two
rows never share a key, whatever text follows it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import strategies as st

from dentrace.contract.schema import CUSTOMERS, KNOWN, TRANSACTIONS
from tests.unit.robustness.hostile_strategies import encoded

# A value each column accepts; a key column's value is the prefix of the row's id.
VALID = {
    "transactions": {"txn_id": "t", "ts": "2025-03-04T21:15:00+10:00", "sender_id": "s",
                     "beneficiary_id": "b", "amount": "10", "currency": "USD",
                     "sender_name": "Ann Lee", "sender_country": "AU",
                     "beneficiary_name": "Bo Cruz", "beneficiary_country": "PH",
                     "channel": "wallet", "memo": "gift"},
    "customers": {"customer_id": "c", "name": "Ann Lee", "birth_date": "1970-01-02",
                  "gender": "F", "country": "AU", "nationality": "AU", "occupation": "nurse",
                  "customer_since": "2015-01-01"},
    "known": {"party_id": "k", "label": "offender", "as_of": "2024-12-01"},
}
TABLES = {t.name: t for t in (TRANSACTIONS, CUSTOMERS, KNOWN)}
# Columns whose characters XML cannot hold are replaced (U+FFFD), not a reason to quarantine.
FREE_TEXT = {"transactions": {"sender_name", "sender_country", "beneficiary_name",
                              "beneficiary_country", "channel", "memo"},
             "customers": {"name", "gender", "country", "nationality", "occupation"},
             "known": set()}


@dataclass(frozen=True)
class Row:
    """One input row: its cells by column, and which columns hold drawn text."""

    table: str
    prefix: str  # the key's unique start: the loaded row's key starts with it
    cells: dict[str, str]
    hostile: frozenset[str]

    @property
    def key_column(self) -> str:
        return TABLES[self.table].key

    @property
    def key(self) -> str:
        return self.cells[self.key_column]

    @property
    def clean(self) -> bool:
        return not self.hostile


@st.composite
def rows(draw: st.DrawFn, table: str, text: st.SearchStrategy[str],
         max_size: int = 4) -> list[Row]:
    """A list of rows of ``table``, each clean, hostile in one column or hostile anywhere."""
    columns = TABLES[table].names
    found = []
    for number in range(draw(st.integers(0, max_size))):
        kind = draw(st.sampled_from(("clean", "one", "any")))
        if kind == "clean":
            hostile: set[str] = set()
        elif kind == "one":
            hostile = {draw(st.sampled_from(columns))}
        else:
            hostile = {c for c in columns if draw(st.booleans())}
        # a unique prefix: the row's key is never another row's, hostile or not
        prefix = f"{VALID[table][TABLES[table].key]}{number}:"
        cells = {}
        for column in columns:
            value = prefix if column == TABLES[table].key else VALID[table][column]
            if column in hostile:
                value = (prefix if column == TABLES[table].key else "") + draw(text)
            cells[column] = value
        found.append(Row(table, prefix, cells, frozenset(hostile)))
    return found


def write_csv(path: Path, table: str, found: list[Row]) -> Path:
    """The rows as a CSV file; surrogates become the invalid bytes that stand for them."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)  # CRLF: a field holding a CR or LF is quoted (RFC 4180)
    writer.writerow(TABLES[table].names)
    for row in found:
        writer.writerow([row.cells[c] for c in TABLES[table].names])
    path.write_bytes(encoded(buffer.getvalue()))
    return path


def write_parquet(path: Path, table: str, found: list[Row]) -> Path:
    """The rows as a Parquet file of string columns (no surrogates: Parquet holds UTF-8)."""
    names = TABLES[table].names
    columns = {c: pa.array([r.cells[c] for r in found], pa.string()) for c in names}
    pq.write_table(pa.table(columns), path)
    return path

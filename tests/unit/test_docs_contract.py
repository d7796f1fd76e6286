"""docs/data-contract.md documents every contract column and every warehouse column."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dentrace.contract.schema import CUSTOMERS, KNOWN, TRANSACTIONS, TRUTH, Table
from dentrace.store import open_warehouse

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-contract.md"


def _columns_by_heading(text: str, level: str) -> dict[str, set[str]]:
    """First word of each heading of ``level`` ('##' or '###') -> backticked first cells."""
    out: dict[str, set[str]] = {}
    current: set[str] = set()
    for line in text.splitlines():
        heading = re.match(rf"^{level} (\S+)", line)
        if heading:
            current = out.setdefault(heading.group(1), set())
        cell = re.match(r"^\| `([^`]+)` \|", line)
        if cell:
            current.add(cell.group(1))
    return out


def _inputs() -> dict[str, set[str]]:
    text = DOC.read_text(encoding="utf-8").split("## The warehouse", 1)[0]
    return _columns_by_heading(text, "##")


def _warehouse() -> dict[str, set[str]]:
    text = DOC.read_text(encoding="utf-8").split("## The warehouse", 1)[1]
    return _columns_by_heading(text.split("\n## ", 1)[0], "###")


@pytest.mark.parametrize("table", [TRANSACTIONS, CUSTOMERS, KNOWN, TRUTH], ids=lambda t: t.name)
def test_every_contract_column_is_documented(table: Table) -> None:
    missing = set(table.names) - _inputs().get(table.name, set())
    assert not missing, f"docs/data-contract.md lacks {table.name} columns {sorted(missing)}"


def test_every_warehouse_column_is_documented(tmp_path: Path) -> None:
    con = open_warehouse(tmp_path, create=True)
    rows = con.execute("SELECT table_name, column_name FROM duckdb_columns() "
                       "WHERE NOT internal AND schema_name = 'main'").fetchall()
    con.close()
    documented = _warehouse()
    missing = [f"{t}.{c}" for t, c in rows if c not in documented.get(t, set())]
    assert rows and not missing, f"docs/data-contract.md lacks warehouse columns {missing}"

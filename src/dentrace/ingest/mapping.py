"""Mapping files (TOML or YAML): how a bank's own export maps onto the data contract.

A mapping renames columns, sets CSV dialect, number and timestamp formats, a default time
zone, value code maps and constant columns, so the user never edits the data itself.
"""

from __future__ import annotations

import codecs
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dentrace.contract.schema import CUSTOMERS, KNOWN, TRANSACTIONS, Table
from dentrace.errors import MappingError

CONTRACT_TABLES: dict[str, Table] = {t.name: t for t in (TRANSACTIONS, CUSTOMERS, KNOWN)}
_TOP_KEYS = {"delimiter", "encoding", "decimal", "thousands", "timestamp_format",
             "default_tz", "date_format", *CONTRACT_TABLES}
_TABLE_KEYS = {"columns", "codes", "constants"}


@dataclass(frozen=True)
class TableMapping:
    """Renames (contract column → export header), code maps and constants of one table."""

    columns: dict[str, str] = field(default_factory=dict)
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    source: str = "(no mapping file)"


@dataclass(frozen=True)
class Mapping:
    """Everything a mapping file can say; the defaults read files in the contract format."""

    delimiter: str = ","
    encoding: str = "utf-8"
    decimal: str = "."
    thousands: str = ""
    timestamp_format: str | None = None
    default_tz: str | None = None
    date_format: str | None = None
    tables: dict[str, TableMapping] = field(default_factory=dict)
    source: str = "(no mapping file)"

    def for_table(self, name: str) -> TableMapping:
        """The mapping of contract table ``name`` (empty when the file says nothing)."""
        return self.tables.get(name, TableMapping())


def load_mapping(path: Path) -> Mapping:
    """Read and check a mapping file; MappingError names the file and the offending key."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix.lower() == ".toml":
            doc: Any = tomllib.loads(text)
        elif path.suffix.lower() in (".yaml", ".yml"):
            doc = yaml.safe_load(text) or {}
        else:
            raise MappingError("mapping file must end in .toml, .yaml or .yml", file=path)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise MappingError(f"cannot read the mapping file ({exc})", file=path) from exc
    if not isinstance(doc, dict):
        raise MappingError("mapping file must hold a table of keys", file=path)
    return _build(doc, path)


def _build(doc: dict[str, Any], path: Path) -> Mapping:
    for key in doc:
        if key not in _TOP_KEYS:
            raise MappingError(f"unknown key (known: {', '.join(sorted(_TOP_KEYS))})",
                               file=path, field=key)
    text = {k: _text(doc, k, path) for k in _TOP_KEYS - set(CONTRACT_TABLES) if k in doc}
    if "delimiter" in text and len(text["delimiter"]) != 1:
        raise MappingError("delimiter must be one character", file=path, field="delimiter")
    if "decimal" in text and text["decimal"] not in (".", ","):
        raise MappingError("decimal must be '.' or ','", file=path, field="decimal")
    if "encoding" in text:
        try:
            codecs.lookup(text["encoding"])
        except LookupError as exc:
            raise MappingError(f"unknown encoding '{text['encoding']}'",
                               file=path, field="encoding") from exc
    tables = {name: _table(doc[name], CONTRACT_TABLES[name], path)
              for name in CONTRACT_TABLES if name in doc}
    return Mapping(**text, tables=tables, source=str(path))


def _text(doc: dict[str, Any], key: str, path: Path) -> str:
    value = doc[key]
    if not isinstance(value, str):
        raise MappingError("must be a string", file=path, field=key)
    return value


def _table(section: Any, table: Table, path: Path) -> TableMapping:
    name = table.name
    if not isinstance(section, dict):
        raise MappingError("must be a table of columns/codes/constants", file=path, field=name)
    for key in section:
        if key not in _TABLE_KEYS:
            raise MappingError("unknown key (known: columns, codes, constants)",
                               file=path, field=f"{name}.{key}")
    columns = _string_map(section.get("columns", {}), f"{name}.columns", path)
    constants = _string_map(section.get("constants", {}), f"{name}.constants", path)
    codes_in = section.get("codes", {})
    if not isinstance(codes_in, dict):
        raise MappingError("must map columns to code tables", file=path, field=f"{name}.codes")
    codes = {col: _string_map(m, f"{name}.codes.{col}", path) for col, m in codes_in.items()}
    for where, keys in (("columns", columns), ("constants", constants), ("codes", codes)):
        for col in keys:
            if col not in table.names:
                raise MappingError(f"'{col}' is not a column of the {name} contract "
                                   f"({', '.join(table.names)})",
                                   file=path, field=f"{name}.{where}.{col}")
    return TableMapping(columns=columns, codes=codes, constants=constants, source=str(path))


def _string_map(value: Any, where: str, path: Path) -> dict[str, str]:
    if not isinstance(value, dict):
        raise MappingError("must be a table of name = value", file=path, field=where)
    out: dict[str, str] = {}
    for k, v in value.items():
        if isinstance(v, bool) or not isinstance(v, str | int | float):
            raise MappingError("values must be strings", file=path, field=f"{where}.{k}")
        out[str(k)] = str(v)
    return out

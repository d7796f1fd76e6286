"""Read the files of a synthetic world that evaluation needs: truth, customers and known.

Each reader accepts the CSV or the Parquet variant and names the file and field on bad input.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dentrace.contract.schema import TRUTH
from dentrace.errors import InputError, MissingColumnError

_TRUE_WORDS = {"true", "t", "1", "yes", "y"}
_FALSE_WORDS = {"false", "f", "0", "no", "n", ""}


def find_world_file(world: Path, stem: str) -> Path | None:
    """The world's ``stem.parquet`` or ``stem.csv`` (Parquet first), or None when absent."""
    for suffix in (".parquet", ".csv", ".csv.gz"):
        path = world / f"{stem}{suffix}"
        if path.is_file():
            return path
    return None


def read_table(path: Path) -> pd.DataFrame:
    """Read a CSV or Parquet file as a DataFrame of strings (Parquet keeps its own types)."""
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _as_bool(values: pd.Series, path: Path, field: str) -> pd.Series:
    """Turn a truth column of true/false words (or real booleans) into booleans."""
    if values.dtype == bool:
        return values
    words = values.astype(str).str.strip().str.lower()
    bad = ~words.isin(_TRUE_WORDS | _FALSE_WORDS)
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0]) + 2  # header is line 1
        raise InputError(f"not a boolean: {values[bad].iloc[0]!r}", file=path, row=row,
                         field=field)
    return words.isin(_TRUE_WORDS)


def read_truth(path: Path) -> pd.DataFrame:
    """The truth file as party_id, role, population, is_positive (bool), group_id."""
    table = read_table(path)
    missing = [c for c in TRUTH.required if c not in table.columns]
    if missing:
        raise MissingColumnError(f"required column '{missing[0]}' is missing", file=path,
                                 field=missing[0])
    truth = table[[c for c in TRUTH.names if c in table.columns]].copy()
    if "group_id" not in truth.columns:
        truth["group_id"] = None
    truth["party_id"] = truth["party_id"].astype(str)
    truth["role"] = truth["role"].astype(str).str.strip().str.lower()
    bad_role = ~truth["role"].isin(["payer", "facilitator"])
    if bad_role.any():
        row = int(bad_role.to_numpy().nonzero()[0][0]) + 2
        found = truth["role"][bad_role].iloc[0]
        raise InputError(f"role must be payer or facilitator, not {found!r}",
                         file=path, row=row, field="role")
    truth["population"] = truth["population"].astype(str)
    truth["is_positive"] = _as_bool(truth["is_positive"], path, "is_positive")
    return truth.drop_duplicates(subset=["party_id", "role"]).reset_index(drop=True)


def count_customers(path: Path) -> int:
    """Number of distinct customers in a customers file."""
    table = read_table(path)
    if "customer_id" not in table.columns:
        raise MissingColumnError("required column 'customer_id' is missing", file=path,
                                 field="customer_id")
    return int(table["customer_id"].astype(str).nunique())


def read_known_ids(path: Path, label: str | None = None) -> set[str]:
    """The party ids listed in a known file: all of them, or those with ``label``."""
    table = read_table(path)
    for name in ("party_id", *(("label",) if label else ())):
        if name not in table.columns:
            raise MissingColumnError(f"required column '{name}' is missing", file=path,
                                     field=name)
    if label:
        table = table.loc[table["label"].astype(str).str.strip().str.lower() == label]
    return set(table["party_id"].astype(str))

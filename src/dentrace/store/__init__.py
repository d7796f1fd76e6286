"""The DuckDB warehouse of a workspace: where ingest writes and later stages read.

``Workspace`` names a workspace's files, keeps its summary and opens its warehouse;
``open_warehouse`` opens (or creates) its warehouse with the current schema.
"""

from dentrace.store.warehouse import (
    SCHEMA_VERSION,
    WAREHOUSE_FILE,
    open_warehouse,
    read_meta,
    warehouse_path,
    write_meta,
)
from dentrace.store.workspace import Workspace

__all__ = [
    "SCHEMA_VERSION",
    "WAREHOUSE_FILE",
    "Workspace",
    "open_warehouse",
    "read_meta",
    "warehouse_path",
    "write_meta",
]

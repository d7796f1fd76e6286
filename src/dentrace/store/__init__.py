"""The DuckDB warehouse of a workspace: where ingest writes and later stages read.

``open_warehouse`` opens (or creates) ``DIR/warehouse.duckdb`` with the current schema.
"""

from dentrace.store.warehouse import (
    SCHEMA_VERSION,
    WAREHOUSE_FILE,
    open_warehouse,
    read_meta,
    warehouse_path,
    write_meta,
)

__all__ = [
    "SCHEMA_VERSION",
    "WAREHOUSE_FILE",
    "open_warehouse",
    "read_meta",
    "warehouse_path",
    "write_meta",
]

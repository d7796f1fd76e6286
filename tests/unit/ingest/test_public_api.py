"""The public surface of dentrace.ingest and dentrace.store is exactly what they export."""

from __future__ import annotations

import dentrace.ingest
import dentrace.store


def test_ingest_public_names() -> None:
    assert sorted(dentrace.ingest.__all__) == [
        "COUNT_KEYS", "FileCounts", "IngestReport", "Mapping", "Rates", "SUMMARY_FILE",
        "TableMapping", "ingest", "load_mapping", "load_rates"]


def test_store_public_names() -> None:
    assert sorted(dentrace.store.__all__) == [
        "SCHEMA_VERSION", "WAREHOUSE_FILE", "Workspace", "open_warehouse", "read_meta",
        "warehouse_path", "write_meta"]

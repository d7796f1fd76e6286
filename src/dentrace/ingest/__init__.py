"""Ingest: read, map, validate and load input files into a workspace's warehouse.

``ingest`` is the one entry point; rows that fail validation go to the ``quarantine`` table.
"""

from dentrace.ingest.loader import FileCounts
from dentrace.ingest.mapping import Mapping, TableMapping, load_mapping
from dentrace.ingest.rates import Rates, load_rates
from dentrace.ingest.service import COUNT_KEYS, IngestReport, ingest
from dentrace.store.workspace import SUMMARY_FILE

__all__ = [
    "COUNT_KEYS",
    "SUMMARY_FILE",
    "FileCounts",
    "IngestReport",
    "Mapping",
    "Rates",
    "TableMapping",
    "ingest",
    "load_mapping",
    "load_rates",
]

"""The data contract: the columns dentrace reads and writes, their types and rules.

Everything else imports column names from here, so the contract is stated once.
"""

from dentrace.contract.schema import (
    CHANNELS,
    CUSTOMERS,
    KNOWN,
    KNOWN_LABELS,
    TRANSACTIONS,
    TRUTH,
    Column,
    Table,
)

__all__ = [
    "CHANNELS",
    "CUSTOMERS",
    "KNOWN",
    "KNOWN_LABELS",
    "TRANSACTIONS",
    "TRUTH",
    "Column",
    "Table",
]

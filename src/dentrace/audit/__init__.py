"""The audit trail: every view of a party and every action, in an append-only hash chain.

``record`` appends inside a service's transaction; ``verify`` names the first bad entry.
"""

from dentrace.audit.log import (
    GENESIS,
    AuditRecord,
    Verification,
    entries,
    local_operator,
    record,
    verify,
)

__all__ = [
    "GENESIS", "AuditRecord", "Verification", "entries", "local_operator", "record", "verify",
]

"""Audit API: read the hash-chained log (supervisors and admins) and check the chain.

Reading the log is itself recorded, so the log shows who looked at it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from dentrace import audit
from dentrace.cases import visible_entries
from dentrace.web.deps import AppContext, app_context, audited, current_caller
from dentrace.web.security import Caller

router = APIRouter(prefix="/audit", tags=["audit"])


class AuditOut(BaseModel):
    seq: int
    ts: str
    actor: str
    action: str
    target_type: str
    target_id: str
    origin: str
    detail: dict[str, Any]
    prev_hash: str
    entry_hash: str


class ChainCheck(BaseModel):
    ok: bool
    checked: int
    first_bad_seq: int | None
    problem: str


@router.get("", response_model=list[AuditOut])
def read_log(
    actor: str | None = Query(None, max_length=128),
    action: str | None = Query(None, max_length=64),
    target_type: str | None = Query(None, max_length=32),
    target_id: str | None = Query(None, max_length=128),
    limit: int = Query(100, ge=1, le=1000),
    caller: Caller = Depends(current_caller),
    context: AppContext = Depends(app_context),
) -> list[AuditOut]:
    """Audit entries, newest first, filtered by actor, action or target."""
    audited(context, caller, "view_audit", "view_audit", target_type="audit", target_id="log",
            detail={"actor": actor, "action": action, "target_type": target_type,
                    "target_id": target_id})
    found = audit.entries(context.store, actor=actor, action=action, target_type=target_type,
                          target_id=target_id, limit=limit)
    found = visible_entries(context.store, caller.account, found)  # restricted cases
    return [AuditOut(**entry.__dict__) for entry in found]


@router.get("/verify", response_model=ChainCheck)
def verify_chain(
    caller: Caller = Depends(current_caller), context: AppContext = Depends(app_context),
) -> ChainCheck:
    """Walk the whole chain and report the first altered, inserted or deleted entry."""
    audited(context, caller, "verify_audit", "view_audit", target_type="audit",
            target_id="log")
    return ChainCheck(**audit.verify(context.store).__dict__)

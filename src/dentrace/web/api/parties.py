"""Party API: the KYC profile with score and reasons, the party's payments, its ego network.

Every call checks ``view_party`` and writes an audit entry naming the party and the caller.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query

from dentrace.cases import record_party_view
from dentrace.contract.alert import ATTRIBUTION, Reason
from dentrace.store.shared_signals import flags_of
from dentrace.web import figures
from dentrace.web.deps import (
    AppContext,
    app_context,
    audited,
    current_caller,
    parties_in_cases,
    permit,
)
from dentrace.web.party_paths import party_id_in_path
from dentrace.web.security import Caller

router = APIRouter(prefix="/parties", tags=["parties"])


def reason_detail(context: AppContext, reason: Reason) -> dict[str, Any]:
    """One reason as the party page shows it: the record's reason, its indicator's description
    and its sentence (``explanation``, None when the scan recorded none)."""
    return {**reason.model_dump(mode="json"), "description": context.indicators.get(reason.code,
                                                                                    ""),
            "explanation": reason.text or None}


def party_summary(context: AppContext, party_id: str) -> dict[str, Any]:
    """Profile, score, reasons and known outcome of one party (404 when nobody knows it)."""
    evidence = context.evidence
    with evidence.connect():  # score and explanation of one scan set (the page calls this too)
        if not evidence.is_known_party(party_id):
            raise HTTPException(status_code=404,
                                detail=f"no party '{party_id}' in this workspace")
        scored = evidence.score(party_id) or {}
        record = evidence.alert_record(party_id)
    codes = [c for c in str(scored.get("reasons") or "").split(";") if c]
    reasons = list(record.reasons) if record else [Reason(code=c) for c in codes]
    return {
        "party_id": party_id,
        "profile": evidence.profile(party_id),
        "country": evidence.countries([party_id]).get(party_id),
        "role": scored.get("role"),
        "score": scored.get("score"),
        "alert": bool(scored.get("alert", False)),
        "reasons": codes,
        "reason_details": [reason_detail(context, r) for r in reasons],
        "explanation": record.explanation if record else None,
        "attribution": ATTRIBUTION.get(record.attribution or "") if record else None,
        "known": evidence.known_label(party_id),
        "reporting_currency": evidence.reporting_currency(),
        "shared": _shared(evidence.workspace, party_id),
    }


def _shared(workspace: Path, party_id: str) -> dict[str, Any]:
    """Other institutions' signals about the party (issue 21): evidence, never an alert."""
    flags = flags_of(workspace, party_id)
    signals = [{k: signal[k] for k in ("sender", "strength", "role", "signal_date",
                                       "matched_on", "similarity")}
               for signal in flags.signals]
    return {"institutions": flags.institutions, "confirmed": flags.confirmed,
            "signals": signals}


@router.get("/{party_id}")
def get_party(
    party_id: str = Depends(party_id_in_path), caller: Caller = Depends(current_caller),
    context: AppContext = Depends(app_context),
) -> dict[str, Any]:
    """A party's KYC profile, score, reasons (codes and plain-language explanation)."""
    permit(context, caller, "view_party")
    with context.evidence.connect():
        summary = party_summary(context, party_id)
    record = record_party_view(context.store, caller.account, party_id, origin=caller.origin)
    summary["alerts"] = [{"id": a.id, "status": a.status, "score": a.score,
                          "case_id": a.case_id} for a in record.alerts]
    summary["case_ids"] = record.case_ids
    return summary


@router.get("/{party_id}/payments")
def get_payments(
    party_id: str = Depends(party_id_in_path),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=1_000_000_000),  # DuckDB's OFFSET is a BIGINT
    caller: Caller = Depends(current_caller),
    context: AppContext = Depends(app_context),
) -> dict[str, Any]:
    """Payments the party sent or received, newest first, with night payments flagged."""
    permit(context, caller, "view_party")
    with context.evidence.connect():
        if not context.evidence.is_known_party(party_id):
            raise HTTPException(status_code=404, detail=f"no party '{party_id}' here")
        page = context.evidence.payments(party_id, limit=limit, offset=offset)
    audited(context, caller, "view_party_payments", "view_party", target_type="party",
            target_id=party_id, detail={"limit": limit, "offset": offset})
    return {"party_id": party_id, "limit": limit, "offset": offset, **page}


@router.get("/{party_id}/network")
def get_network(
    party_id: str = Depends(party_id_in_path),
    hops: int = Query(2, ge=1, le=3),
    caller: Caller = Depends(current_caller),
    context: AppContext = Depends(app_context),
) -> dict[str, Any]:
    """Payers and beneficiaries up to ``hops`` payments away, as nodes and edges."""
    permit(context, caller, "view_party")
    with context.evidence.connect():
        if not context.evidence.is_known_party(party_id):
            raise HTTPException(status_code=404, detail=f"no party '{party_id}' here")
        network = figures.ego_network(context.evidence, party_id, hops,
                                      case_parties=parties_in_cases(context))
    audited(context, caller, "view_party_network", "view_party", target_type="party",
            target_id=party_id, detail={"hops": hops})
    return network

"""Party search: ids (accounts, IBANs, phones, e-wallets) and names from payments and customers,
partial and case- and accent-insensitive; IBANs and phones match with spaces and dashes ignored.

The query is parameterised; each search is audited like a party view (``view_party``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from dentrace import cases as service
from dentrace.store.workspace import PARTIES_FILE
from dentrace.web.deps import AppContext, app_context, audited, current_caller
from dentrace.web.evidence import Evidence
from dentrace.web.security import Caller

router = APIRouter(tags=["search"])
MAX_QUERY = 200
MAX_LIMIT = 100

# Every party id with the names it goes by: KYC first (rank 0), then as payments name it.
# Ids drop spaces and dashes (an IBAN typed in groups, a phone with dashes); names drop case
# and accents on both sides, so "jimenez" finds "Jiménez".
_SEARCH_SQL = """
WITH seen AS (
  SELECT customer_id AS party_id, name, 0 AS rank FROM customers
  UNION ALL SELECT sender_id, sender_name, 1 FROM transactions
  UNION ALL SELECT beneficiary_id, beneficiary_name, 1 FROM transactions
), marked AS (
  SELECT party_id, name, rank,
    coalesce(contains(regexp_replace(lower(party_id), '[\\s\\-]', '', 'g'), $id_q), false)
      AS id_hit,
    coalesce(contains(strip_accents(lower(name)), strip_accents($name_q)), false) AS name_hit
  FROM seen
)
SELECT party_id,
  arg_min(name, rank) FILTER (WHERE name IS NOT NULL) AS name,
  bool_or(id_hit) AS id_hit,
  regexp_replace(lower(party_id), '[\\s\\-]', '', 'g') = $id_q AS exact
FROM marked
GROUP BY party_id
HAVING bool_or(id_hit OR name_hit)
ORDER BY exact DESC, id_hit DESC, party_id
LIMIT $limit
"""


def search_terms(q: str) -> tuple[str | None, str | None]:
    """The id needle (lower case, no spaces or dashes) and the name needle (lower case, one
    space between words; SQL strips its accents); None when nothing is left to look for."""
    id_q = "".join(ch for ch in q.lower() if not ch.isspace() and ch != "-")
    name_q = " ".join(q.lower().split())
    return id_q or None, name_q or None


def find_parties(evidence: Evidence, q: str, limit: int) -> list[dict[str, Any]]:
    """Parties whose id or name holds ``q``, exact id first, with role, score and alert of
    the scan in force (None when not scanned)."""
    id_q, name_q = search_terms(q)
    if id_q is None and name_q is None:
        return []
    with evidence.connect() as con:
        rows = con.execute(_SEARCH_SQL, {"id_q": id_q, "name_q": name_q,
                                         "limit": limit}).fetchall()
        found = [{"party_id": str(r[0]), "name": r[1], "matched": "id" if r[2] else "name"}
                 for r in rows]
        scores = _scores(evidence, [f["party_id"] for f in found])
    for item in found:
        item.update(scores.get(item["party_id"], {"role": None, "score": None, "alert": None}))
    return found


def _scores(evidence: Evidence, ids: list[str]) -> dict[str, dict[str, Any]]:
    path = evidence.parquet_path(PARTIES_FILE)
    if path is None or not ids:
        return {}
    with evidence.connect() as con:
        rows = con.execute("SELECT party_id, arg_max(role, score), max(score), bool_or(alert) "
                           "FROM read_parquet($path) WHERE party_id IN (SELECT unnest($ids)) "
                           "GROUP BY party_id", {"path": path, "ids": ids}).fetchall()
    return {str(r[0]): {"role": r[1], "score": r[2], "alert": bool(r[3])} for r in rows}


def search(context: AppContext, caller: Caller, q: str, limit: int) -> list[dict[str, Any]]:
    """The parties matching ``q`` with their newest alert and visible case (audited)."""
    audited(context, caller, "search_parties", "view_party", target_type="search",
            target_id="parties", detail={"q": q, "limit": limit})
    found = find_parties(context.evidence, q, limit)
    for item in found:
        # the cases service hides a restricted case's id from those who may not see it
        alerts = service.list_alerts(context.store, caller.account, party_id=item["party_id"],
                                     limit=1)
        item["alert_status"] = alerts[0].status if alerts else None
        item["case_id"] = alerts[0].case_id if alerts else None
    return found


@router.get("/search")
def search_parties(
    q: str = Query(..., min_length=1, max_length=MAX_QUERY,
                   description="part of a party id (account, IBAN, phone, e-wallet) or name"),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    caller: Caller = Depends(current_caller),
    context: AppContext = Depends(app_context),
) -> dict[str, Any]:
    """Parties whose id or name holds ``q`` (partial; case, accents, spaces, dashes ignored)."""
    return {"q": q, "limit": limit, "items": search(context, caller, q, limit)}

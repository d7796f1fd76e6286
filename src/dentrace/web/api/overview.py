"""Overview API: alerted payments over time, corridors, amount bands, busiest facilitators.

Figures come from the warehouse and scan files; reading them needs the ``view_alerts`` right.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from dentrace.web import figures
from dentrace.web.deps import AppContext, app_context, current_caller, permit
from dentrace.web.security import Caller

router = APIRouter(tags=["overview"])


@router.get("/overview")
def get_overview(
    caller: Caller = Depends(current_caller), context: AppContext = Depends(app_context),
) -> dict[str, Any]:
    """The figures behind the overview charts."""
    permit(context, caller, "view_alerts")
    with context.evidence.connect():  # every figure from one scan set
        return figures.overview(context.evidence)

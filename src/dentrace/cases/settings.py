"""Settings of casework in one object: service levels (SLA) per priority, when a dismissal needs
a second review, and how large an attachment may be. The web app holds one (``WebSettings``).

Priorities come from the alert score: ``high`` from ``high_score``, ``medium`` from
``medium_score``, ``low`` below; a case takes the priority of its highest-scored alert.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

PRIORITIES = ("high", "medium", "low")
MiB = 1024 * 1024


def _days(high: float, medium: float, low: float) -> dict[str, timedelta]:
    return {"high": timedelta(days=high), "medium": timedelta(days=medium),
            "low": timedelta(days=low)}


@dataclass(frozen=True)
class CaseSettings:
    """How long work may take, when four eyes apply to a dismissal, attachment limits."""

    high_score: float = 0.9
    medium_score: float = 0.7
    # a new alert is triaged within these; a case is decided within those
    alert_sla: dict[str, timedelta] = field(default_factory=lambda: _days(1, 3, 7))
    case_sla: dict[str, timedelta] = field(default_factory=lambda: _days(10, 20, 30))
    # a dismissal of an alert scoring at least this, or of a known offender or facilitator,
    # waits for a second user holding review_dismissal (four eyes)
    review_score: float = 0.9
    attachment_max_bytes: int = 10 * MiB

    def __post_init__(self) -> None:
        for name, table in (("alert_sla", self.alert_sla), ("case_sla", self.case_sla)):
            missing = [p for p in PRIORITIES if p not in table]
            if missing:
                raise ValueError(f"{name}: no service level for {', '.join(missing)}")
        if not 0 <= self.medium_score <= self.high_score <= 1:
            raise ValueError("priorities need 0 <= medium_score <= high_score <= 1")
        if self.attachment_max_bytes < 1:
            raise ValueError("attachment_max_bytes must be positive")

    def priority(self, score: float | None) -> str:
        """``high``, ``medium`` or ``low`` for an alert score (no score: low)."""
        if score is not None and score >= self.high_score:
            return "high"
        if score is not None and score >= self.medium_score:
            return "medium"
        return "low"

    def alert_due(self, score: float, raised: datetime) -> datetime:
        """When an alert raised at ``raised`` should be triaged by."""
        return raised + self.alert_sla[self.priority(score)]

    def case_due(self, score: float | None, opened: datetime) -> datetime:
        """When a case opened at ``opened`` whose highest alert scored ``score`` is due."""
        return opened + self.case_sla[self.priority(score)]

    def needs_review(self, score: float, known_offender: bool) -> bool:
        """True when dismissing this alert needs a second user's confirmation."""
        return known_offender or score >= self.review_score

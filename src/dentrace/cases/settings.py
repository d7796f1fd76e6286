"""Settings of casework in one object: service levels (SLA) per priority, when a dismissal needs
a second review, and how large an attachment may be. The web app holds one (``WebSettings``);
``dentrace serve --casework FILE`` reads it from a TOML file (``CaseSettings.from_toml``).

Priorities come from the alert score: ``high`` from ``high_score``, ``medium`` from
``medium_score``, ``low`` below; a case takes the priority of its highest-scored alert.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from dentrace.errors import InputError
from dentrace.toml_settings import parse_toml

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


_NUMBERS = ("high_score", "medium_score", "review_score")


def _days_of(table: Any, name: str, source: str) -> dict[str, timedelta]:
    if not isinstance(table, dict) or set(table) != set(PRIORITIES):
        raise InputError(f"[{name}] needs exactly the keys {', '.join(PRIORITIES)} (days)",
                         file=source, field=name)
    days = {}
    for priority, value in table.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 3650:
            raise InputError(f"{name}.{priority}: {value!r} is not a number of days in 0-3650",
                             file=source, field=f"{name}.{priority}")
        days[priority] = timedelta(days=float(value))
    return days


def from_toml(path: str | Path) -> CaseSettings:
    """Casework settings from a TOML file; keys left out keep their defaults, unknown keys and
    bad values are refused naming the file and the field. Example::

        high_score = 0.9
        medium_score = 0.7
        review_score = 0.9
        attachment_max_mib = 10
        [alert_sla_days]
        high = 1
        medium = 3
        low = 7
        [case_sla_days]
        high = 10
        medium = 20
        low = 30
    """
    source = str(path)
    try:
        data = parse_toml(Path(path).read_text(encoding="utf-8"), source)
    except OSError as exc:
        raise InputError(f"cannot read casework settings: {exc.strerror}", file=source) from exc
    known = {*_NUMBERS, "attachment_max_mib", "alert_sla_days", "case_sla_days"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise InputError(f"unknown setting {unknown[0]!r} (known: {', '.join(sorted(known))})",
                         file=source, field=unknown[0])
    values: dict[str, Any] = {}
    for name in _NUMBERS:
        if name in data:
            value = data[name]
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                raise InputError(f"{name}: {value!r} is not a score in 0-1", file=source,
                                 field=name)
            values[name] = float(value)
    if "attachment_max_mib" in data:
        mib = data["attachment_max_mib"]
        if isinstance(mib, bool) or not isinstance(mib, int | float) or not 0 < mib <= 1024:
            raise InputError(f"attachment_max_mib: {mib!r} is not in 0-1024", file=source,
                             field="attachment_max_mib")
        values["attachment_max_bytes"] = int(mib * MiB)
    for name, key in (("alert_sla_days", "alert_sla"), ("case_sla_days", "case_sla")):
        if name in data:
            values[key] = _days_of(data[name], name, source)
    try:
        return CaseSettings(**values)
    except ValueError as exc:
        raise InputError(str(exc), file=source) from exc

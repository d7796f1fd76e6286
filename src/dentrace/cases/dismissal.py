"""Dismissing alerts: a reason code from a fixed list plus the analyst's words, and a second
review (four eyes) for high scores and known offenders before the dismissal takes effect.

A dismissal that needs review leaves the alert ``dismissal_pending``; another user holding
``review_dismissal`` confirms it (then ``dismissed``) or refuses it with a reason (``new`` again).
As with a case's four-eyes moves (``approval``), the asker may not decide their own request and
refused attempts are audited in a transaction of their own.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from dentrace import audit
from dentrace.auth import Account, FourEyesViolation, PermissionDenied, require
from dentrace.cases.errors import AlreadyDisposed, InvalidCaseInput, MissingReason, NotFound
from dentrace.cases.limits import MAX_ALERTS, MAX_REASON, count_within, existing_id, text_within
from dentrace.cases.settings import CaseSettings
from dentrace.cases.views import AlertView, alert_view, usernames
from dentrace.store.sql import Store
from dentrace.store.sql.models import Alert, Case, CaseParty, User, utcnow

NEW, DISMISSED, PENDING_DISMISSAL = "new", "dismissed", "dismissal_pending"
# Why an alert is dismissed, in the analyst's words; the free text says the particulars.
DISMISSAL_CODES: dict[str, str] = {
    "explained_activity": "activity explained and legitimate (e.g. salary, family support)",
    "known_relationship": "payments between people with a documented relationship",
    "insufficient_evidence": "not enough evidence of abuse-related payments",
    "data_quality": "caused by wrong or incomplete data",
    "duplicate": "already covered by another alert or case",
    "other": "another reason, given in the text",
}


def _code(code: str | None) -> str:
    code = (code or "").strip()
    if not code:
        raise MissingReason("field 'code': a dismissal needs a reason code "
                            f"({', '.join(DISMISSAL_CODES)})")
    if code not in DISMISSAL_CODES:
        raise InvalidCaseInput(f"field 'code': {code[:40]!r} is not one of "
                               f"{', '.join(DISMISSAL_CODES)}")
    return code


def _alert(session: Session, alert_id: int, status: str) -> Alert:
    alert = session.get(Alert, existing_id(alert_id, "alert"), with_for_update=True)
    if alert is None:
        raise NotFound(f"no alert {alert_id}")
    if alert.status != status:
        raise AlreadyDisposed(f"alert {alert_id} is {alert.status.replace('_', ' ')}, "
                              f"not {status.replace('_', ' ')}")
    return alert


def reported_parties(session: Session, party_ids: Collection[str]) -> set[str]:
    """Those of ``party_ids`` held in a reported case: known offenders or facilitators."""
    if not party_ids:
        return set()
    return set(session.execute(
        select(CaseParty.party_id).join(Case, Case.id == CaseParty.case_id)
        .where(Case.status == "reported", CaseParty.party_id.in_(list(party_ids)))).scalars())


def dismiss_alerts(
    store: Store, actor: Account, alert_ids: Sequence[int], reason: str, *, code: str,
    settings: CaseSettings | None = None, known_offenders: Collection[str] = (),
    origin: str = "cli",
) -> list[AlertView]:
    """Dismiss every alert given with one reason code and text; all or none (bulk action).

    An alert scoring at least ``settings.review_score``, or whose party is a known offender
    (``known_offenders``, e.g. the warehouse's known labels, or a party of a reported case),
    is not dismissed yet: it waits for a second review (``dismissal_pending``).
    """
    settings = settings or CaseSettings()
    count_within(alert_ids, "alert_ids", MAX_ALERTS)
    reason = text_within(reason, "reason", MAX_REASON)
    code = _code(code)
    if not reason:
        raise MissingReason("field 'reason': a dismissal needs a reason")
    with store.session() as session:
        user = require(session, actor, "disposition_alert")
        alerts = [_alert(session, i, NEW) for i in dict.fromkeys(alert_ids)]
        known = set(known_offenders) | reported_parties(session, {a.party_id for a in alerts})
        now = utcnow()
        for alert in alerts:
            alert.disposition_reason, alert.dismissal_code = reason, code
            alert.review_reason = None
            held = settings.needs_review(alert.score, alert.party_id in known)
            if held:
                alert.status = PENDING_DISMISSAL
                alert.review_requested_by, alert.review_requested_at = user.id, now
            else:
                alert.status, alert.disposed_by, alert.disposed_at = DISMISSED, user.id, now
            why = ("known offender" if alert.party_id in known
                   else "high score" if held else None)
            audit.record(session, actor=actor.username,
                         action="request_dismissal" if held else "dismiss_alert",
                         target_type="alert", target_id=alert.id, origin=origin,
                         detail={"party_id": alert.party_id, "code": code, "reason": reason,
                                 **({"review": why} if why else {})})
        session.flush()
        names = usernames(session)
        return [alert_view(a, names) for a in alerts]


def dismiss_alert(
    store: Store, actor: Account, alert_id: int, reason: str, *, code: str,
    settings: CaseSettings | None = None, known_offenders: Collection[str] = (),
    origin: str = "cli",
) -> AlertView:
    """Dismiss one alert with a reason code and text (held for review when it must be)."""
    return dismiss_alerts(store, actor, [alert_id], reason, code=code, settings=settings,
                          known_offenders=known_offenders, origin=origin)[0]


def _decide(session: Session, actor: Account, alert_ids: Sequence[int], confirm: bool,
            reason: str, origin: str) -> list[AlertView]:
    user = require(session, actor, "review_dismissal")
    alerts = [_alert(session, i, PENDING_DISMISSAL) for i in dict.fromkeys(alert_ids)]
    now = utcnow()
    for alert in alerts:
        if alert.review_requested_by == user.id:
            raise FourEyesViolation(
                f"the dismissal of alert {alert.id} was asked by '{user.username}': another "
                "user must review it (four eyes)", username=user.username,
                action="review_dismissal")
        if confirm:
            alert.status, alert.disposed_by, alert.disposed_at = DISMISSED, user.id, now
        else:
            alert.status, alert.review_reason = NEW, reason
            alert.review_requested_by = alert.review_requested_at = None
            alert.disposition_reason = alert.dismissal_code = None
        audit.record(session, actor=actor.username,
                     action="confirm_dismissal" if confirm else "refuse_dismissal",
                     target_type="alert", target_id=alert.id, origin=origin,
                     detail={"party_id": alert.party_id,
                             **({} if confirm else {"reason": reason})})
    session.flush()
    names = usernames(session)
    return [alert_view(a, names) for a in alerts]


def review_dismissals(
    store: Store, actor: Account, alert_ids: Sequence[int], *, confirm: bool,
    reason: str | None = None, origin: str = "cli",
) -> list[AlertView]:
    """Confirm (``dismissed``) or refuse (``new`` again, ``reason`` required) dismissals held
    for review, all or none, by a user holding ``review_dismissal`` who did not ask for them.

    A refusal by role or four eyes is audited as ``refused_review`` and raised.
    """
    count_within(alert_ids, "alert_ids", MAX_ALERTS)
    reason = text_within(reason or "", "reason", MAX_REASON)
    if not confirm and not reason:
        raise MissingReason("field 'reason': say why the dismissal is refused")
    try:
        with store.session() as session:
            return _decide(session, actor, alert_ids, confirm, reason, origin)
    except PermissionDenied as refused:
        with store.session() as session:  # its own transaction: the refused one rolled back
            if session.get(User, actor.id) is not None:
                audit.record(session, actor=actor.username, action="refused_review",
                             target_type="alert", target_id=",".join(map(str, alert_ids))[:128],
                             origin=origin, detail={"confirm": confirm, "why": str(refused)})
        raise

"""One screened payment reduced to the flags the feature definitions use, computed in Python with
the same FeatureSettings as the Ibis expressions of dentrace.features.payments."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from dentrace.features.normalise import TYPICAL_UTC_OFFSET_MIN
from dentrace.features.registry import is_night
from dentrace.features.settings import FeatureSettings

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LETTERS = re.compile(r"[^\W\d_]+")


@dataclass(slots=True)
class FlaggedPayment:
    """A payment as the party state sees it: ids, day number, amount and boolean flags."""

    txn_id: str
    day: float  # days since 1970-01-01 UTC, fractional
    month: int  # year * 12 + month - 1 of the UTC instant
    sender_id: str
    beneficiary_id: str
    amount_ref: float
    sender_country: str | None
    beneficiary_country: str | None
    is_corridor: bool
    is_foreign: bool
    is_small: bool
    is_session: bool
    is_round: bool
    is_night: bool
    is_cover: bool
    is_platform: bool
    is_kin: bool
    is_wallet: bool
    is_crypto: bool
    is_remittance: bool
    is_card: bool
    is_webcam: bool
    is_travel: bool
    is_travel_high_risk: bool
    shares_surname: bool | None = None  # None when the names were not compared (batch rows)
    is_family: bool | None = None  # known from the batch flags; None for live payments


def name_tokens(name: str | None, min_length: int) -> set[str]:
    """Lower-cased letter runs of a name of at least ``min_length`` letters."""
    if not name:
        return set()
    return {t for t in _LETTERS.findall(name.lower()) if len(t) >= min_length}


class PaymentFlagger:
    """Flags one contract payment exactly as ``flag_payments`` does for a warehouse row."""

    def __init__(self, settings: FeatureSettings, currency: str) -> None:
        self.settings = settings
        self.small = settings.small_band(currency)
        self.session_max = settings.session_max(currency)
        self.high_risk = {c.upper() for c in settings.corridor_countries}
        self.excluded = {c.lower() for c in settings.corridor_excluded_channels}
        words = settings.pattern
        self.cover = re.compile(words(settings.cover_memo_words))
        self.platform = re.compile(words(settings.platform_memo_words))
        self.kin = re.compile(words(settings.kin_memo_words))
        self.webcam = re.compile(words(settings.webcam_merchant_words))
        self.travel = re.compile(words(settings.travel_merchant_words))

    def _night(self, hour: int) -> bool:
        return bool(is_night(hour, self.settings.night_start_hour,
                             self.settings.night_end_hour))

    @staticmethod
    def _found(pattern: re.Pattern[str], text: str | None) -> bool:
        return bool(text) and pattern.search(str(text).lower()) is not None

    def flag(self, payment: dict[str, object], ts: datetime, amount_ref: float) -> FlaggedPayment:
        """``payment`` holds the contract fields; ``ts`` is timezone-aware (sender's offset)."""
        channel = str(payment.get("channel") or "").lower() or None
        sender_country = _upper(payment.get("sender_country"))
        beneficiary_country = _upper(payment.get("beneficiary_country"))
        to_high_risk = beneficiary_country in self.high_risk
        cross_border = (sender_country is None or beneficiary_country is None
                        or sender_country != beneficiary_country)
        corridor = to_high_risk and cross_border and (channel not in self.excluded)
        lo, hi = self.small
        amount = float(payment["amount"])  # type: ignore[arg-type]
        beneficiary_name = payment.get("beneficiary_name")
        travel = self._found(self.travel, beneficiary_name)  # type: ignore[arg-type]
        minimum = self.settings.surname_min_length
        shared = bool(name_tokens(payment.get("sender_name"), minimum)  # type: ignore[arg-type]
                      & name_tokens(beneficiary_name, minimum))  # type: ignore[arg-type]
        utc = ts.astimezone(UTC)
        memo = payment.get("memo")
        return FlaggedPayment(
            txn_id=str(payment["txn_id"]), day=(utc - EPOCH).total_seconds() / 86400.0,
            month=utc.year * 12 + utc.month - 1, sender_id=str(payment["sender_id"]),
            beneficiary_id=str(payment["beneficiary_id"]), amount_ref=amount_ref,
            sender_country=sender_country, beneficiary_country=beneficiary_country,
            is_corridor=corridor, is_foreign=cross_border,
            is_small=lo <= amount_ref <= hi, is_session=lo <= amount_ref <= self.session_max,
            is_round=amount % self.settings.round_unit == 0,
            is_night=self._night(local_hour(ts, sender_country)),
            is_cover=self._found(self.cover, memo),  # type: ignore[arg-type]
            is_platform=self._found(self.platform, memo),  # type: ignore[arg-type]
            is_kin=self._found(self.kin, memo),  # type: ignore[arg-type]
            is_wallet=channel == "wallet", is_crypto=channel == "crypto",
            is_remittance=channel == "remittance", is_card=channel == "card",
            is_webcam=self._found(self.webcam, beneficiary_name),  # type: ignore[arg-type]
            is_travel=travel,
            is_travel_high_risk=(travel and to_high_risk)
            or (channel in ("card", "cash") and to_high_risk and cross_border),
            shares_surname=shared,
        )


def local_hour(ts: datetime, sender_country: str | None) -> int:
    """The sender's local hour as the batch form reads it (``features.normalise.local_hour``):
    as stamped, except a +00:00 stamp from a sender whose country is not on UTC, which is
    read at that country's typical offset."""
    typical = TYPICAL_UTC_OFFSET_MIN.get(sender_country or "", 0)
    if typical and ts.utcoffset() == timedelta(0):
        return (ts + timedelta(minutes=typical)).hour
    return ts.hour


def _upper(value: object) -> str | None:
    text = str(value).strip().upper() if value is not None else ""
    return text or None

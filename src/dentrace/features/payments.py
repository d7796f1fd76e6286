"""Each payment of the warehouse with the flags every feature is built from (Ibis expressions).

Corridor, small band, round amount, local-night, memo families, merchant kinds and a surname
token shared between sender and beneficiary names; pure expressions, no engine-specific SQL.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from dentrace.features.settings import FeatureSettings


def _matches(column: ir.StringValue, words: tuple[str, ...]) -> ir.BooleanValue:
    return column.lower().re_search(FeatureSettings.pattern(words)).fill_null(False)


def _name_tokens(column: ir.StringValue, min_length: int) -> ir.ArrayValue:
    tokens = column.lower().re_split(r"[^\p{L}]+")
    return tokens.filter(lambda token: token.length() >= min_length)


def shares_surname(t: ir.Table, min_length: int) -> ir.BooleanValue:
    """True when sender and beneficiary names share a name token (weak family evidence)."""
    common = _name_tokens(t.sender_name, min_length).intersect(
        _name_tokens(t.beneficiary_name, min_length)
    )
    return (common.length() > 0).fill_null(False)


def flag_payments(t: ir.Table, settings: FeatureSettings, currency: str) -> ir.Table:
    """``t`` (the warehouse ``transactions`` table) with boolean and numeric flag columns."""
    high_risk = [c.upper() for c in settings.corridor_countries]
    excluded = [c.lower() for c in settings.corridor_excluded_channels]
    channel = t.channel.lower()
    to_high_risk = t.beneficiary_country.upper().isin(high_risk).fill_null(False)
    same_country = t.sender_country.upper() == t.beneficiary_country.upper()
    cross_border = (~same_country).fill_null(True)
    excluded_channel = channel.isin(excluded).fill_null(False) if excluded else ibis.literal(False)
    lo, hi = settings.small_band(currency)
    hour = t.ts_local.hour()
    start, end = settings.night_start_hour, settings.night_end_hour
    night = (hour >= start) | (hour < end) if start > end else (hour >= start) & (hour < end)
    webcam = _matches(t.beneficiary_name, settings.webcam_merchant_words)
    travel = _matches(t.beneficiary_name, settings.travel_merchant_words)
    return t.mutate(
        is_corridor=to_high_risk & cross_border & ~excluded_channel,
        is_foreign=cross_border,
        is_small=t.amount_ref.between(lo, hi).fill_null(False),
        is_round=((t.amount % settings.round_unit) == 0).fill_null(False),
        is_night=night.fill_null(False),
        is_cover=_matches(t.memo, settings.cover_memo_words),
        is_platform=_matches(t.memo, settings.platform_memo_words),
        is_kin=_matches(t.memo, settings.kin_memo_words),
        is_wallet=channel.isin(["wallet"]).fill_null(False),
        is_crypto=channel.isin(["crypto"]).fill_null(False),
        is_remittance=channel.isin(["remittance"]).fill_null(False),
        is_card=channel.isin(["card"]).fill_null(False),
        is_webcam=webcam,
        is_travel=travel,
        is_travel_high_risk=(travel & to_high_risk)
        | (channel.isin(["card", "cash"]).fill_null(False) & to_high_risk & cross_border),
        is_family=shares_surname(t, settings.surname_min_length),
        day=t.ts_utc.epoch_seconds() / 86400.0,
        month=t.ts_utc.truncate("M"),
    )

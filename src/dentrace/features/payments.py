"""Each payment of the warehouse with the flags every feature is built from (Ibis expressions).

Corridor, small band, round amount, local-night, memo families, merchant kinds and a surname
token shared between sender and beneficiary names; pure expressions, no engine-specific SQL.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from dentrace.features.normalise import beneficiary_country_of, channel_of, fold_name, local_hour
from dentrace.features.settings import FeatureSettings

# transaction columns carried into the flagged table (names and memos are reduced to flags)
KEPT = ("txn_id", "ts_utc", "sender_id", "beneficiary_id", "amount_ref", "sender_country",
        "beneficiary_country")


def _matches(column: ir.StringValue, words: tuple[str, ...]) -> ir.BooleanValue:
    return column.lower().re_search(FeatureSettings.pattern(words)).fill_null(False)


def _name_tokens(column: ir.StringValue, min_length: int) -> ir.ArrayValue:
    tokens = fold_name(column).re_split(r"[^\p{L}]+")
    return tokens.filter(lambda token: token.length() >= min_length)


def shares_surname(sender_name: ir.StringValue, beneficiary_name: ir.StringValue,
                   min_length: int) -> ir.BooleanValue:
    """True when the two names share a name token (weak family evidence)."""
    common = _name_tokens(sender_name, min_length).intersect(
        _name_tokens(beneficiary_name, min_length)
    )
    return (common.length() > 0).fill_null(False)


def _corridor(t: ir.Table, settings: FeatureSettings) -> tuple[ir.BooleanValue, ...]:
    """(to a high-risk country, across a border, on a corridor channel) for each payment."""
    high_risk = [c.upper() for c in settings.corridor_countries]
    excluded = [c.lower() for c in settings.corridor_excluded_channels]
    to_high_risk = t.beneficiary_country.upper().isin(high_risk).fill_null(False)
    same_country = t.sender_country.upper() == t.beneficiary_country.upper()
    cross_border = (~same_country).fill_null(True)
    channel = channel_of(t.channel, settings.channel_aliases)
    excluded_channel = (channel.isin(excluded).fill_null(False) if excluded
                        else ibis.literal(False))
    # without a channel, card spend cannot be told apart by it: a payment to an organisation
    # (airline, charity, company) is then not counted as a transfer to a person
    unknown_channel_to_organisation = ibis.ifelse(
        channel.isnull(), _matches(t.beneficiary_name, settings.organisation_words), False)
    counted = ~excluded_channel & ~unknown_channel_to_organisation
    return to_high_risk, cross_border, to_high_risk & cross_border & counted


def family_pairs(t: ir.Table, settings: FeatureSettings) -> ir.Table:
    """(sender_id, beneficiary_id, is_family) for corridor pairs only: names are compared
    once per pair, not once per payment, and only where the evidence is used."""
    corridor = t.filter(_corridor(t, settings)[2])
    pairs = corridor.group_by(["sender_id", "beneficiary_id"]).aggregate(
        sender_name=corridor.sender_name.arbitrary(),
        beneficiary_name=corridor.beneficiary_name.arbitrary(),
    )
    return pairs.select(
        "sender_id", "beneficiary_id",
        is_family=shares_surname(pairs.sender_name, pairs.beneficiary_name,
                                 settings.surname_min_length),
    )


def merchant_kinds(t: ir.Table, settings: FeatureSettings) -> ir.Table:
    """(beneficiary_name, is_webcam, is_travel) once per distinct beneficiary name."""
    names = t.select("beneficiary_name").distinct()
    return names.mutate(
        is_webcam=_matches(names.beneficiary_name, settings.webcam_merchant_words),
        is_travel=_matches(names.beneficiary_name, settings.travel_merchant_words),
    )


def flag_payments(t: ir.Table, settings: FeatureSettings, currency: str) -> ir.Table:
    """``t`` (the warehouse ``transactions`` table) with boolean and numeric flag columns.

    The beneficiary country is the stated one or, when absent, the one its id proves; the
    channel goes through the alias map; the hour is the sender's local one (normalise.py).
    """
    t = t.mutate(beneficiary_country=beneficiary_country_of(t))
    channel = channel_of(t.channel, settings.channel_aliases)
    to_high_risk, cross_border, corridor = _corridor(t, settings)
    lo, hi = settings.small_band(currency)
    hour = local_hour(t)
    start, end = settings.night_start_hour, settings.night_end_hour
    night = (hour >= start) | (hour < end) if start > end else (hour >= start) & (hour < end)
    flagged = t.mutate(
        is_corridor=corridor,
        is_foreign=cross_border,
        is_small=t.amount_ref.between(lo, hi).fill_null(False),
        is_session=t.amount_ref.between(lo, settings.session_max(currency)).fill_null(False),
        is_round=((t.amount % settings.round_unit) == 0).fill_null(False),
        is_night=night.fill_null(False),
        is_cover=_matches(t.memo, settings.cover_memo_words),
        is_platform=_matches(t.memo, settings.platform_memo_words),
        is_kin=_matches(t.memo, settings.kin_memo_words),
        is_wallet=channel.isin(["wallet"]).fill_null(False),
        is_crypto=channel.isin(["crypto"]).fill_null(False),
        is_remittance=channel.isin(["remittance"]).fill_null(False),
        is_card=channel.isin(["card"]).fill_null(False),
        spent_in_high_risk=channel.isin(["card", "cash"]).fill_null(False) & to_high_risk
        & cross_border,
        to_high_risk=to_high_risk,
        day=t.ts_utc.epoch_seconds().cast("float64") / 86400.0,
        month=t.ts_utc.truncate("M"),
    )
    family = family_pairs(t, settings)
    kinds = merchant_kinds(t, settings)
    joined = flagged.left_join(
        family, [flagged.sender_id == family.sender_id,
                 flagged.beneficiary_id == family.beneficiary_id]
    ).left_join(kinds, flagged.beneficiary_name == kinds.beneficiary_name)
    travel = joined.is_travel.fill_null(False)
    return joined.select(
        *[joined[c] for c in flagged.columns if c in KEPT or c.startswith("is_")],
        day=joined.day, month=joined.month,
        is_webcam=joined.is_webcam.fill_null(False),
        is_travel=travel,
        is_travel_high_risk=(travel & joined.to_high_risk) | joined.spent_in_high_risk,
        is_family=joined.is_family.fill_null(False),
    )

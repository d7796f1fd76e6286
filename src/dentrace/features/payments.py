"""Each payment of the warehouse with the flags every feature is built from (Ibis expressions).

Corridor, small band, round amount, local-night, memo families, merchant kinds and a surname
token shared between sender and beneficiary names; pure expressions, no engine-specific SQL.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from dentrace.features import registry
from dentrace.features.lookups import matches, with_lookups
from dentrace.features.normalise import channel_of, fold_name, local_hour_given
from dentrace.features.settings import FeatureSettings

# transaction columns carried into the flagged table (names and memos are reduced to flags)
KEPT = ("txn_id", "ts_utc", "sender_id", "beneficiary_id", "amount_ref", "sender_country",
        "beneficiary_country")
# the columns of ``flag_payments``, in order
FLAGGED_COLUMNS = (*KEPT, "is_corridor", "is_foreign", "is_small", "is_session", "is_round",
                   "is_night", "is_cover", "is_platform", "is_kin", "is_wallet", "is_crypto",
                   "is_remittance", "is_card", "day", "month", "is_webcam", "is_travel",
                   "is_travel_high_risk", "is_family")
# transaction columns the flags read, and those the family pairs read
READ = (*KEPT, "ts_local", "utc_offset_min", "amount", "memo")
PAIR_READ = ("txn_id", "ts_utc", "sender_id", "beneficiary_id", "sender_country",
             "beneficiary_country", "sender_name", "beneficiary_name")


def _day(ts_utc: ir.TimestampValue) -> ir.FloatingValue:
    return ts_utc.epoch_seconds().cast("float64") / 86400.0


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


def _corridor_given(beneficiary_country: ir.StringValue, sender_country: ir.StringValue,
                    channel_missing: ir.BooleanValue, channel_excluded: ir.BooleanValue,
                    organisation: ir.BooleanValue, settings: FeatureSettings
                    ) -> tuple[ir.BooleanValue, ...]:
    """(to a high-risk country, across a border, corridor payment) from the readings of the
    payment's countries (upper case), channel and beneficiary name (NULL-free booleans)."""
    high_risk = [c.upper() for c in settings.corridor_countries]
    to_high_risk = beneficiary_country.isin(high_risk).fill_null(False)
    same_country = sender_country == beneficiary_country
    cross_border = (~same_country).fill_null(True)
    # without a channel, card spend cannot be told apart by it: a payment to an organisation
    # (airline, charity, company) is then not counted as a transfer to a person
    counted = ~channel_excluded & ~(channel_missing & organisation)
    return to_high_risk, cross_border, to_high_risk & cross_border & counted


def _corridor(t: ir.Table, settings: FeatureSettings) -> tuple[ir.BooleanValue, ...]:
    """(to a high-risk country, across a border, on a corridor channel) for each row of a
    table of routes (countries, channel, beneficiary name), reading each value in place."""
    excluded = [c.lower() for c in settings.corridor_excluded_channels]
    channel = channel_of(t.channel, settings.channel_aliases)
    excluded_channel = (channel.isin(excluded).fill_null(False) if excluded
                        else ibis.literal(False))
    organisation = matches(t.beneficiary_name, settings.organisation_words)
    return _corridor_given(t.beneficiary_country.upper(), t.sender_country.upper(),
                           channel.isnull(), excluded_channel, organisation, settings)


def _corridor_read(j: ir.Table, settings: FeatureSettings) -> tuple[ir.BooleanValue, ...]:
    """``_corridor_given`` on a table from ``with_lookups``."""
    return _corridor_given(j.beneficiary_country, j.sender_country_upper, ~j.channel_known,
                           j.channel_excluded, j.is_organisation, settings)


def family_pairs(t: ir.Table, settings: FeatureSettings,
                 tables: dict[str, ir.Table] | None = None) -> ir.Table:
    """(family_sender, family_beneficiary, is_family) for corridor pairs only: names are
    compared once per pair, not once per payment, and only where the evidence is used.

    The names compared are those of the pair's first corridor payment (by ``ts_utc``, then
    ``txn_id``), as the live fold compares them (state/fold.py): a pair whose names are
    spelled differently from one payment to the next gets the same answer from DuckDB, Spark
    and screening (an ``arbitrary`` name gave each engine its own pick).
    Its own pass over ``t`` (a narrow one, corridor payments kept): joining it to the flags
    then streams, where reusing the flagged rows would hold all of them at once.
    """
    j = with_lookups(t, settings, PAIR_READ, tables)
    corridor = j.filter(_corridor_read(j, settings)[2])
    in_time = ibis.window(group_by=[corridor.sender_id, corridor.beneficiary_id],
                          order_by=[corridor.ts_utc, corridor.txn_id])
    ranked = corridor.mutate(payment_in_pair=ibis.row_number().over(in_time))
    pairs = ranked.filter(ranked.payment_in_pair == 0)
    return pairs.select(
        family_sender=pairs.sender_id, family_beneficiary=pairs.beneficiary_id,
        is_family=shares_surname(pairs.sender_name, pairs.beneficiary_name,
                                 settings.surname_min_length),
    )


def flag_payments(t: ir.Table, settings: FeatureSettings, currency: str,
                  tables: dict[str, ir.Table] | None = None,
                  family: ir.Table | None = None) -> ir.Table:
    """``t`` (the warehouse ``transactions`` table) with boolean and numeric flag columns.

    The beneficiary country is the stated one or, when absent, the one its id proves; the
    channel goes through the alias map; the hour is the sender's local one (normalise.py).
    Text is read once per distinct value (lookups.py); only the memos are read per payment.
    ``tables`` (``lookup_tables``) and ``family`` (``family_pairs``) may come materialised;
    by default they are built as expressions.
    """
    j = with_lookups(t, settings, READ, tables)
    to_high_risk, cross_border, corridor = _corridor_read(j, settings)
    lo, hi = settings.small_band(currency)
    hour = local_hour_given(j, j.typical_offset)
    start, end = settings.night_start_hour, settings.night_end_hour
    night = registry.is_night(hour, start, end)
    travel = j.is_travel
    flagged = j.select(
        *KEPT,
        is_corridor=corridor,
        is_foreign=cross_border,
        is_small=j.amount_ref.between(lo, hi).fill_null(False),
        is_session=j.amount_ref.between(lo, settings.session_max(currency)).fill_null(False),
        is_round=((j.amount % settings.round_unit) == 0).fill_null(False),
        is_night=night.fill_null(False),
        is_cover=matches(j.memo, settings.cover_memo_words),
        is_platform=matches(j.memo, settings.platform_memo_words),
        is_kin=matches(j.memo, settings.kin_memo_words),
        is_wallet=j.is_wallet, is_crypto=j.is_crypto, is_remittance=j.is_remittance,
        is_card=j.is_card,
        day=_day(j.ts_utc),
        month=j.ts_utc.truncate("M"),
        is_webcam=j.is_webcam,
        is_travel=travel,
        is_travel_high_risk=(travel & to_high_risk)
        | (j.is_card_or_cash & to_high_risk & cross_border),
    )
    family = family_pairs(t, settings, tables) if family is None else family
    joined = flagged.left_join(family, [flagged.sender_id == family.family_sender,
                                        flagged.beneficiary_id == family.family_beneficiary])
    return joined.select(*flagged.columns, is_family=joined.is_family.fill_null(False))


# the boolean flags of ``flag_payments`` (all NULL-free), in the bit order of ``pack_flags``
PACKED_FLAGS = tuple(column for column in FLAGGED_COLUMNS if column.startswith("is_"))


def pack_flags(flagged: ir.Table) -> ir.Table:
    """The flagged payments as stored for the feature stages: the kept transaction columns
    and one integer holding every flag (bit i = ``PACKED_FLAGS[i]``); ``day`` and ``month``
    are left out, being read from ``ts_utc``. A stored row is ~35% narrower, which keeps a
    100M-payment year's table inside DuckDB's memory cap instead of its spill files."""
    bits = [ibis.ifelse(flagged[name], 1 << i, 0) for i, name in enumerate(PACKED_FLAGS)]
    packed = bits[0]
    for bit in bits[1:]:
        packed = packed + bit
    return flagged.select(*KEPT, flags=packed.cast("int32"))


def unpack_flags(stored: ir.Table) -> ir.Table:
    """``pack_flags``'s table read back with the columns (and order) of ``flag_payments``."""
    flag = {name: (stored.flags & (1 << i)) != 0 for i, name in enumerate(PACKED_FLAGS)}
    derived = {"day": _day(stored.ts_utc), "month": stored.ts_utc.truncate("M")}
    return stored.select(*KEPT, *[
        (flag[name] if name in flag else derived[name]).name(name) for name in FLAGGED_COLUMNS
        if name not in KEPT])

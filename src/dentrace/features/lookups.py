"""Per-value lookup tables the payment flags join: each costly reading of a text column (channel
synonyms, merchant and organisation words, country of an id, typical UTC offset) runs once per
distinct value instead of once per payment.

A year of payments has a handful of channel words, a few thousand sender countries and
merchant names and (where the beneficiary country is missing) some beneficiary ids; the
CASE and regular-expression work on those is negligible, and the payments only pay a hash
join. It also keeps Spark's generated code small (the alias CASE once, not in every flag).
Pure Ibis expressions over the ``transactions`` table; a NULL key joins nothing, so each
caller fills the NULL it gets back with what the per-row expression gives a NULL input.
"""

from __future__ import annotations

import re

import ibis
import ibis.expr.types as ir

from dentrace.features.normalise import (
    TYPICAL_UTC_OFFSET_MIN,
    channel_of,
    country_from_iban,
    country_from_phone,
)
from dentrace.features.settings import FeatureSettings

# the channels whose flags the features use, by the name of the flag
CHANNEL_FLAGS = {"is_wallet": ("wallet",), "is_crypto": ("crypto",),
                 "is_remittance": ("remittance",), "is_card": ("card",),
                 "is_card_or_cash": ("card", "cash")}


def matches(column: ir.StringValue, words: tuple[str, ...]) -> ir.BooleanValue:
    """True when the lower-cased text holds one of ``words`` as a whole word (NULL: False).

    The whole-word pattern (ENGINE_BOUNDARY's Unicode classes around each word) gives RE2 no
    literal to search for, and run on every memo it made the feature build 15x slower at
    scale 1; a whole word is first a substring, so the plain alternation of the words (a
    literal search) picks the candidates and only those meet the whole-word pattern (CASE
    evaluates its branch only for the rows it selects, in DuckDB and in Spark)."""
    lowered = column.lower()
    substring = "|".join(re.escape(word.lower()) for word in words)
    whole = FeatureSettings.pattern(words, engines=True)
    return lowered.re_search(substring).ifelse(lowered.re_search(whole), False).fill_null(False)


def stated_beneficiary_country(country: ir.StringValue) -> ir.StringValue:
    """A stated beneficiary country upper-cased and trimmed; NULL when blank."""
    return country.upper().strip().nullif("")


def beneficiary_countries(t: ir.Table) -> ir.Table:
    """One row per distinct non-NULL stated ``beneficiary_country``: its normalised form
    (trimming with a character set costs more per row than a join)."""
    raw = t.filter(t.beneficiary_country.notnull()).select("beneficiary_country").distinct()
    return raw.select(stated_key=raw.beneficiary_country,
                      stated_country=stated_beneficiary_country(raw.beneficiary_country))


def channel_kinds(t: ir.Table, settings: FeatureSettings) -> ir.Table:
    """One row per distinct non-NULL ``channel``: its flags after the alias map, and whether
    it is a channel never counted as a corridor one."""
    raw = t.filter(t.channel.notnull()).select("channel").distinct()
    channel = channel_of(raw.channel, settings.channel_aliases)
    excluded = [c.lower() for c in settings.corridor_excluded_channels]
    return raw.select(
        channel_key=raw.channel,
        channel_known=ibis.literal(True),
        channel_excluded=channel.isin(excluded) if excluded else ibis.literal(False),
        **{flag: channel.isin(list(words)) for flag, words in CHANNEL_FLAGS.items()},
    )


def beneficiary_name_kinds(t: ir.Table, settings: FeatureSettings) -> ir.Table:
    """One row per distinct non-NULL ``beneficiary_name``: webcam or travel merchant, and
    whether it reads as an organisation (used when a payment has no channel)."""
    names = t.filter(t.beneficiary_name.notnull()).select("beneficiary_name").distinct()
    return names.select(
        name_key=names.beneficiary_name,
        is_webcam=matches(names.beneficiary_name, settings.webcam_merchant_words),
        is_travel=matches(names.beneficiary_name, settings.travel_merchant_words),
        is_organisation=matches(names.beneficiary_name, settings.organisation_words),
    )


def id_countries(t: ir.Table) -> ir.Table:
    """One row per beneficiary id of a payment without a stated country: the country its id
    proves (phone calling code or IBAN), NULL when it proves none."""
    # a superset of the blank countries (only non-word characters), cheap per row
    blank = t.beneficiary_country.isnull() | t.beneficiary_country.re_search(r"^\W*$")
    ids = t.filter(blank).select("beneficiary_id").distinct()
    return ids.select(
        id_key=ids.beneficiary_id,
        id_country=country_from_phone(ids.beneficiary_id).coalesce(
            country_from_iban(ids.beneficiary_id)),
    )


def sender_offsets(t: ir.Table) -> ir.Table:
    """One row per distinct non-NULL ``sender_country``: the typical UTC offset (minutes) of
    that country, 0 when unknown (normalise.local_hour)."""
    countries = t.filter(t.sender_country.notnull()).select("sender_country").distinct()
    country = countries.sender_country.upper().strip()
    return countries.select(
        country_key=countries.sender_country,
        sender_country_upper=countries.sender_country.upper(),
        typical_offset=country.substitute(TYPICAL_UTC_OFFSET_MIN, else_=ibis.literal(0)),
    )


def lookup_tables(t: ir.Table, settings: FeatureSettings) -> dict[str, ir.Table]:
    """The lookup tables of ``t`` by name; an engine may materialise each once (they are
    small) so that the payment flags and the family pairs join the same tables."""
    return {"channels": channel_kinds(t, settings), "names": beneficiary_name_kinds(t, settings),
            "stated": beneficiary_countries(t), "ids": id_countries(t),
            "offsets": sender_offsets(t)}


def with_lookups(t: ir.Table, settings: FeatureSettings, columns: tuple[str, ...],
                 tables: dict[str, ir.Table] | None = None) -> ir.Table:
    """``columns`` of ``t`` with the lookup values joined: channel flags, beneficiary name
    kinds, the beneficiary country (stated, else proven by the id; upper case), the sender
    country in upper case and its typical UTC offset; NULLs from keys that joined nothing are
    filled as the per-row rules do. ``tables`` as from ``lookup_tables`` (default: built)."""
    lk = lookup_tables(t, settings) if tables is None else tables
    channels, names, stated = lk["channels"], lk["names"], lk["stated"]
    ids, offsets = lk["ids"], lk["offsets"]
    j = (t.left_join(channels, t.channel == channels.channel_key)
         .left_join(names, t.beneficiary_name == names.name_key)
         .left_join(stated, t.beneficiary_country == stated.stated_key)
         .left_join(ids, t.beneficiary_id == ids.id_key)
         .left_join(offsets, t.sender_country == offsets.country_key))
    flags = ["channel_known", "channel_excluded", *CHANNEL_FLAGS, "is_webcam", "is_travel",
             "is_organisation"]
    return j.select(
        *[j[c] for c in columns if c != "beneficiary_country"],
        beneficiary_country=j.stated_country.coalesce(j.id_country),
        sender_country_upper=j.sender_country_upper,
        typical_offset=j.typical_offset.fill_null(0),
        **{flag: j[flag].fill_null(False) for flag in flags},
    )

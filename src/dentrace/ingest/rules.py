"""The validation rules of each contract table, written as SQL over the projected columns.

Each table gives helper expressions, an ordered list of rules (the first that fails names the
field and reason) and the warehouse columns of an accepted row; ``judge`` runs them set-based.
"""

from __future__ import annotations

from dataclasses import dataclass

from dentrace.contract import validity
from dentrace.contract.schema import CHANNELS, CUSTOMERS, KNOWN, KNOWN_LABELS, TRANSACTIONS, Table
from dentrace.ingest.mapping import Mapping
from dentrace.ingest.readers.common import literal

# Whether an ISO 8601 value ends in a UTC offset (Z, +HH:MM, +HHMM, +HH): tested by position,
# which is cheaper than a regular expression on every row. A sign can sit at these places
# only in a time's offset, as long as the value has a time (checked by the length rule).
# Written as CASE so each row stops at the first test that holds (OR evaluates all four).
_HAS_OFFSET = ("CASE WHEN ends_with(_m_ts, 'Z') THEN true WHEN _m_ts[-6] IN ('+', '-') THEN true "
               "WHEN _m_ts[-5] IN ('+', '-') THEN true ELSE _m_ts[-3] IN ('+', '-') END")
_OFFSET_AT_END = r"(Z|[+-]\d{2}:?\d{2})$"
MISSING = "missing required field"
# Characters XML cannot hold (contract.validity): U+FFFD in text, quarantine in an id.
UNSAFE_CHARACTERS = validity.UNSAFE_CHARACTERS_RE2
REPLACEMENT = validity.REPLACEMENT
_UNSAFE = literal(UNSAFE_CHARACTERS)


@dataclass(frozen=True)
class Rule:
    """A row fails this rule when ``when`` holds; ``reason`` is a SQL text expression."""

    when: str
    field: str
    reason: str


@dataclass(frozen=True)
class TableRules:
    """Everything ``judge`` needs for one contract table."""

    table: Table
    helpers: list[tuple[str, str]]  # (name, expr) computed in order, may refer to earlier
    rules: list[Rule]
    outputs: dict[str, str]  # warehouse column -> expr, for accepted rows
    rates_join: bool = False  # adds _dt_factor from the temp table _dt_rates
    cleaned: tuple[str, ...] = ()  # text columns whose unsafe characters become U+FFFD


def _unsafe_helpers(ids: tuple[str, ...], cleaned: tuple[str, ...]) -> list[tuple[str, str]]:
    """``_dt_joined`` (the columns' text joined) and ``_dt_unsafe``: whether it may hold an
    unsafe character; rows where it does (rarely any) are then matched column by column.

    JSON escapes every C0 control, so the text grows beyond its two quotes when written as
    JSON exactly when it holds one, or a quote or backslash (taken for unsafe too, which
    only costs their match); two ``contains`` find U+FFFE and U+FFFF. Measured on the default
    world (1.7M rows): 0.25 CPU-s more per ingest, a regular expression on every row 0.7.
    """
    joined = f"concat({', '.join(_text(c) for c in ids + cleaned)})"
    found = " OR ".join(["strlen(CAST(to_json(_dt_joined) AS VARCHAR)) > strlen(_dt_joined) + 2",
                         *(f"contains(_dt_joined, {literal(chr(c))})" for c in (0xFFFE, 0xFFFF))])
    return [("_dt_joined", joined), ("_dt_unsafe", f"coalesce({found}, false)")]


def _id_rules(ids: tuple[str, ...]) -> list[Rule]:
    """An id longer than ``validity.ID_MAX`` or holding an unsafe character is quarantined:
    changed, it would name another party or payment (or the same as another row)."""
    too_long = [Rule(f"length({_text(c)}) > {validity.ID_MAX}", c,
                     literal(validity.ID_TOO_LONG))
                for c in ids]
    return too_long + [
        Rule(f"CASE WHEN _dt_unsafe THEN regexp_matches({_text(c)}, {_UNSAFE}) END", c,
             "'id holds ' || printf('U+%04X', unicode(regexp_extract("
             f"{_text(c)}, {_UNSAFE}))) || ', a character XML cannot hold; an id is not "
             "changed'") for c in ids]


def _clean(col: str) -> str:
    """The column with each unsafe character replaced by U+FFFD (rows that hold one only)."""
    return (f"CASE WHEN _dt_unsafe THEN regexp_replace({_text(col)}, {_UNSAFE}, "
            f"{literal(REPLACEMENT)}, 'g') ELSE {_text(col)} END")


def _text(col: str) -> str:
    return f"_m_{col}"  # already trimmed, NULL when empty (see projection)


def _required(table: Table) -> list[Rule]:
    return [Rule(f"{_text(c)} IS NULL", c, literal(MISSING)) for c in table.required]


def _date(col: str, mapping: Mapping) -> str:
    if mapping.date_format:
        return f"CAST(try_strptime({_text(col)}, {literal(mapping.date_format)}) AS DATE)"
    return f"TRY_CAST({_text(col)} AS DATE)"


def _date_rules(col: str) -> list[Rule]:
    """A date that does not parse, then one outside the years of ``contract.validity``."""
    return [Rule(f"{_text(col)} IS NOT NULL AND _dt_{col} IS NULL", col,
                 literal("unparseable date") + f" || ': ' || {_text(col)}"),
            Rule(validity.sql_outside_years(f"_dt_{col}", "DATE"), col,
                 literal(validity.DATE_RANGE + ": ") + f" || {_text(col)}")]


def _timestamp_helpers(mapping: Mapping, default_tz: str | None) -> list[tuple[str, str]]:
    """``_dt_ts_local``, ``_dt_has_off``, ``_dt_off`` (minutes), ``_dt_ts_utc``, ``_dt_minutes``."""
    fmt = mapping.timestamp_format
    if fmt:
        parts = _formatted_timestamp(fmt)
    else:
        # A cast to TIMESTAMP reads ISO 8601 and drops the offset (the wall clock); a cast to
        # TIMESTAMPTZ applies it (the instant): their difference is the offset.
        parts = [
            ("_dt_ts_local", "CASE WHEN length(_m_ts) >= 16 THEN TRY_CAST(_m_ts AS TIMESTAMP) END"),
            ("_dt_has_off", _HAS_OFFSET),
            ("_dt_off", "CASE WHEN _dt_has_off THEN CAST(round((epoch(_dt_ts_local) - "
                        "epoch(TRY_CAST(_m_ts AS TIMESTAMPTZ))) / 60) AS INTEGER) END"),
        ]
    zone = (f"CAST(timezone({literal(default_tz)}, _dt_ts_local) AS TIMESTAMP)"
            if default_tz else "NULL::TIMESTAMP")
    utc = (f"CASE WHEN _dt_off IS NOT NULL THEN _dt_ts_local - to_minutes(_dt_off) "
           f"WHEN NOT _dt_has_off THEN {zone} END")
    minutes = ("coalesce(_dt_off, CAST(round((epoch(_dt_ts_local) - epoch(_dt_ts_utc)) / 60)"
               " AS INTEGER))")
    return [*parts, ("_dt_ts_utc", utc), ("_dt_minutes", minutes)]


def _formatted_timestamp(fmt: str) -> list[tuple[str, str]]:
    """Helpers for a mapping's strptime format; with %z the offset is read from the value."""
    if "%z" not in fmt:
        return [("_dt_ts_local", f"try_strptime(_m_ts, {literal(fmt)})"),
                ("_dt_has_off", "false"), ("_dt_off", "NULL::INTEGER")]
    off_text = f"nullif(regexp_extract(_m_ts, {literal(_OFFSET_AT_END)}, 1), '')"
    off = ("CASE WHEN _dt_off_text = 'Z' THEN 0 ELSE "
           "(CASE WHEN left(_dt_off_text, 1) = '-' THEN -1 ELSE 1 END) * "
           "(TRY_CAST(substr(_dt_off_text, 2, 2) AS INTEGER) * 60 + coalesce(TRY_CAST("
           "nullif(substr(replace(_dt_off_text, ':', ''), 4, 2), '') AS INTEGER), 0)) END")
    return [("_dt_instant", f"CAST(try_strptime(_m_ts, {literal(fmt)}) AS TIMESTAMP)"),
            ("_dt_off_text", off_text), ("_dt_has_off", "_dt_off_text IS NOT NULL"),
            ("_dt_off", off), ("_dt_ts_local", "_dt_instant + to_minutes(_dt_off)")]


def _amount(mapping: Mapping) -> str:
    """The amount as DOUBLE; ``_m_amount`` is text, or a number from a typed Parquet column
    (then the cast is free unless separators must be removed from its text)."""
    separators = bool(mapping.thousands) or mapping.decimal == ","
    text = "CAST(_m_amount AS VARCHAR)" if separators else "_m_amount"
    if mapping.thousands:
        text = f"replace({text}, {literal(mapping.thousands)}, '')"
    if mapping.decimal == ",":
        text = f"replace({text}, ',', '.')"
    return f"TRY_CAST({text} AS DOUBLE)"


def transaction_rules(mapping: Mapping, default_tz: str | None) -> TableRules:
    """Rules for transaction files; amounts convert through ``_dt_rates``."""
    naive = "naive timestamp: no UTC offset and no default time zone (--default-tz)"
    value = {"ts": " || (_m_ts)", "amount": " || (_m_amount)"}
    ids = ("txn_id", "sender_id", "beneficiary_id")
    cleaned = ("sender_name", "sender_country", "beneficiary_name", "beneficiary_country",
               "channel", "memo")
    # The bounds of times and amounts and the unsafe characters are screening's too
    # (contract.validity).
    rules = [
        *_required(TRANSACTIONS),
        *_id_rules(ids),
        Rule("_dt_ts_local IS NULL OR (_dt_has_off AND _dt_off IS NULL)", "ts",
             literal("unparseable timestamp: ") + value["ts"]),
        Rule(validity.sql_offset_outside("_dt_off"), "ts",
             literal(validity.OFFSET_RANGE + ": ") + value["ts"]),
        Rule("_dt_ts_utc IS NULL", "ts", literal(naive)),
        Rule(f"{validity.sql_outside_years('_dt_ts_local')} OR "
             f"{validity.sql_outside_years('_dt_ts_utc')}", "ts",
             literal(validity.TIMESTAMP_RANGE + ": ") + value["ts"]),
        Rule("_dt_amount IS NULL OR NOT isfinite(_dt_amount)", "amount",
             literal(validity.AMOUNT_NOT_NUMBER + ": ") + value["amount"]),
        Rule("_dt_amount <= 0", "amount",
             literal(validity.AMOUNT_NOT_POSITIVE + ": ") + value["amount"]),
        Rule(f"_dt_amount > {validity.AMOUNT_MAX!r}", "amount",
             literal(validity.AMOUNT_RANGE + ": ") + value["amount"]),
        Rule("_dt_factor IS NULL", "currency",
             "'unknown currency ''' || upper((_m_currency)) || ''' (not in the rates table)'"),
    ]
    # A CASE over the seven values costs half of `lower(x) IN (...) THEN lower(x)`.
    channel = " ".join(f"WHEN {literal(c)} THEN {literal(c)}" for c in CHANNELS)
    outputs = {
        "txn_id": "(_m_txn_id)", "ts_utc": "_dt_ts_utc", "ts_local": "_dt_ts_local",
        "utc_offset_min": "_dt_minutes", "sender_id": "(_m_sender_id)",
        "beneficiary_id": "(_m_beneficiary_id)", "amount": "_dt_amount",
        "currency": "upper((_m_currency))", "amount_ref": "_dt_amount * _dt_factor",
        "sender_name": _clean("sender_name"),
        "sender_country": f"upper({_clean('sender_country')})",
        "beneficiary_name": _clean("beneficiary_name"),
        "beneficiary_country": f"upper({_clean('beneficiary_country')})",
        "channel": f"CASE lower({_clean('channel')}) {channel} ELSE {_clean('channel')} END",
        "memo": _clean("memo"),
    }
    return TableRules(
        table=TRANSACTIONS,
        helpers=[*_unsafe_helpers(ids, cleaned), *_timestamp_helpers(mapping, default_tz),
                 ("_dt_amount", _amount(mapping))],
        rules=rules, outputs=outputs,
        rates_join=True, cleaned=cleaned,
    )


def customer_rules(mapping: Mapping) -> TableRules:
    """Rules for customer files: an id, and dates that parse when present."""
    dates, ids = ("birth_date", "customer_since"), ("customer_id",)
    cleaned = tuple(c for c in CUSTOMERS.names if c not in dates + ids)
    outputs = {c: _text(c) for c in ids}
    outputs |= {c: _clean(c) for c in cleaned}
    outputs |= {c: f"_dt_{c}" for c in dates}
    outputs |= {c: f"upper({_clean(c)})" for c in ("country", "nationality")}
    return TableRules(
        table=CUSTOMERS,
        helpers=[*_unsafe_helpers(ids, cleaned),
                 *((f"_dt_{c}", _date(c, mapping)) for c in dates)],
        rules=[*_required(CUSTOMERS), *_id_rules(ids),
               *(r for c in dates for r in _date_rules(c))],
        outputs={c: outputs[c] for c in CUSTOMERS.names}, cleaned=cleaned,
    )


def known_rules(mapping: Mapping) -> TableRules:
    """Rules for known-outcome files: a party, a label from the list, a date when present."""
    labels = ", ".join(literal(x) for x in KNOWN_LABELS)
    label_rule = Rule(f"lower({_text('label')}) NOT IN ({labels})", "label",
                      f"'label must be {' | '.join(KNOWN_LABELS)}, not ''' || (_m_label) "
                      "|| ''''")
    return TableRules(
        table=KNOWN, helpers=[*_unsafe_helpers(("party_id",), ()),
                              ("_dt_as_of", _date("as_of", mapping))],
        rules=[*_required(KNOWN), *_id_rules(("party_id",)), label_rule,
               *_date_rules("as_of")],
        outputs={"party_id": _text("party_id"), "label": f"lower({_text('label')})",
                 "as_of": "_dt_as_of"},
    )

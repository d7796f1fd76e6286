"""Column-by-column definition of the input files dentrace accepts and the truth file it writes.

``docs/data-contract.md`` documents the same tables; a test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    """One column of a contract table."""

    name: str
    type: str  # contract type: string | timestamp | decimal | country | date | enum
    required: bool
    rule: str


@dataclass(frozen=True)
class Table:
    """One contract table: a file kind with its columns."""

    name: str
    key: str
    columns: tuple[Column, ...] = field(default_factory=tuple)

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


CHANNELS = ("transfer", "wire", "remittance", "wallet", "card", "crypto", "cash")
KNOWN_LABELS = ("offender", "facilitator", "cleared")

TRANSACTIONS = Table(
    name="transactions",
    key="txn_id",
    columns=(
        Column("txn_id", "string", True, "unique per payment; the same id twice with other "
               "content is quarantined"),
        Column("ts", "timestamp", True, "ISO 8601 with a UTC offset, in the sender's local time "
               "where known; naive values need a default time zone"),
        Column("sender_id", "string", True, "account or customer id of the payer; not empty"),
        Column("beneficiary_id", "string", True, "account id of the receiver; not empty"),
        Column("amount", "decimal", True, "positive number in `currency`"),
        Column("currency", "string", True, "ISO 4217 code present in the rates table"),
        Column("sender_name", "string", False, "as given"),
        Column("sender_country", "country", False, "ISO 3166-1 alpha-2"),
        Column("beneficiary_name", "string", False, "as given"),
        Column("beneficiary_country", "country", False, "ISO 3166-1 alpha-2"),
        Column("channel", "enum", False, "transfer | wire | remittance | wallet | card | crypto | "
               "cash; other values kept as given"),
        Column("memo", "string", False, "free text (remittance information, reference)"),
    ),
)

CUSTOMERS = Table(
    name="customers",
    key="customer_id",
    columns=(
        Column("customer_id", "string", True, "matches sender_id or beneficiary_id"),
        Column("name", "string", False, "full name as held in KYC"),
        Column("birth_date", "date", False, "ISO 8601 date"),
        Column("gender", "string", False, "as held in KYC (e.g. M, F, X)"),
        Column("country", "country", False, "country of residence, ISO 3166-1 alpha-2"),
        Column("nationality", "country", False, "ISO 3166-1 alpha-2"),
        Column("occupation", "string", False, "as given"),
        Column("customer_since", "date", False, "ISO 8601 date"),
    ),
)

KNOWN = Table(
    name="known",
    key="party_id",
    columns=(
        Column("party_id", "string", True, "a sender_id or beneficiary_id"),
        Column("label", "enum", True, "offender | facilitator | cleared"),
        Column("as_of", "date", False, "ISO 8601 date the outcome was known"),
    ),
)

# Written by `dentrace generate` beside a world; detection never reads it.
TRUTH = Table(
    name="truth",
    key="party_id",
    columns=(
        Column("party_id", "string", True, "a sender_id or beneficiary_id of the world"),
        Column("role", "enum", True, "payer | facilitator"),
        Column("population", "string", True, "the synthetic population the party belongs to"),
        Column("is_positive", "bool", True, "true for offenders and facilitators"),
        Column("group_id", "string", False, "den / operation id for facilitators and the offenders "
               "who pay them; family or business id for others"),
    ),
)

"""FollowTheMoney export: the people, companies, accounts and payments of a case or of the
scan's alerts as FtM entities, one JSON object a line, with stable ids, importable into Aleph.

followthemoney is the ``ftm`` extra: it pulls PyICU, which has no wheel and needs ICU headers and
a C++ compiler (6 minutes of building), so a plain ``pip install dentrace`` leaves it out.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pandas as pd

from dentrace.errors import DentraceError
from dentrace.report.material import Material
from dentrace.report.narrative import looks_like_company, party_names
from dentrace.writing.files import whole_file

if TYPE_CHECKING:
    from followthemoney.proxy import EntityProxy

PREFIX = "dentrace"
INSTALL_HINT = "pip install 'dentrace[ftm]'"


class FtmNotInstalled(DentraceError):
    """followthemoney (the ``ftm`` extra) is not installed."""


@cache
def _followthemoney() -> tuple[Any, ModuleType]:
    """followthemoney's ``model`` and ``util``, or ``FtmNotInstalled`` saying how to get them."""
    try:
        from followthemoney import model, util
    except ModuleNotFoundError as exc:
        raise FtmNotInstalled(
            "the FollowTheMoney export needs the followthemoney package, an optional extra "
            f"(it builds PyICU, which needs ICU headers and a C++ compiler): {INSTALL_HINT}"
        ) from exc
    return model, util


def _make(schema: str) -> EntityProxy:
    return _followthemoney()[0].make_entity(schema)


def stable_id(kind: str, key: object) -> str:
    """The entity id of a party, account, ownership or payment: the same on every export."""
    made = _followthemoney()[1].make_entity_id(PREFIX, kind, str(key))
    if made is None:
        raise ValueError(f"no id for {kind} {key!r}")
    return made


def _text(value: Any) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


def _date(value: Any) -> str | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def _holder(party_id: str, name: str | None, kyc: dict[str, Any] | None,
            country: str | None) -> EntityProxy:
    """The person, company or (nameless) legal entity behind an account id."""
    schema = ("Person" if kyc is not None and not looks_like_company(name) else
              "Company" if looks_like_company(name) else
              "Person" if name else "LegalEntity")
    entity = _make(schema)
    entity.id = stable_id("party", party_id)
    entity.add("name", name or f"account holder {party_id}")
    entity.add("country", country, quiet=True)
    if kyc is not None:
        entity.add("idNumber", party_id)
        if schema == "Person":
            entity.add("birthDate", _date(kyc.get("birth_date")), quiet=True)
            entity.add("nationality", _text(kyc.get("nationality")), quiet=True)
            entity.add("gender", {"M": "male", "F": "female"}.get(str(kyc.get("gender"))),
                       quiet=True)
            entity.add("position", _text(kyc.get("occupation")), quiet=True)
    return entity


def _account(party_id: str, holder: EntityProxy, kyc: dict[str, Any] | None,
             currency: str | None, bank: str | None) -> list[EntityProxy]:
    account = _make("BankAccount")
    account.id = stable_id("account", party_id)
    account.add("accountNumber", party_id)
    account.add("name", f"{holder.caption} ({party_id})")
    account.add("currency", currency, quiet=True)
    if kyc is None:
        return [account]
    account.add("bankName", bank, quiet=True)
    account.add("openingDate", _date(kyc.get("customer_since")), quiet=True)
    ownership = _make("Ownership")
    ownership.id = stable_id("owns", party_id)
    ownership.add("owner", holder.id)
    ownership.add("asset", account.id)
    ownership.add("role", "account holder (KYC)")
    return [account, ownership]


def _parties(material: Material, bank: str | None) -> Iterator[EntityProxy]:
    txns, names = material.transactions, party_names(material)
    countries = dict(zip(txns["sender_id"], txns["sender_country"], strict=True))
    countries.update(zip(txns["beneficiary_id"], txns["beneficiary_country"], strict=True))
    currencies = dict(zip(txns["sender_id"], txns["currency"], strict=True))
    for party_id in sorted(set(txns["sender_id"]) | set(txns["beneficiary_id"])):
        kyc = material.customer(party_id)
        country = _text(countries.get(party_id)) or (_text(kyc.get("country")) if kyc else None)
        holder = _holder(party_id, names.get(party_id), kyc, country)
        yield holder
        yield from _account(party_id, holder, kyc, _text(currencies.get(party_id)), bank)


def _payments(material: Material) -> Iterator[EntityProxy]:
    reasons: dict[str, list[str]] = {}
    for finding in material.findings:
        for reason in finding.reasons:
            for txn_id in reason.txn_ids:
                reasons.setdefault(txn_id, []).append(reason.code)
    for txn in material.transactions.itertuples():
        payment = _make("Payment")
        payment.id = stable_id("payment", txn.txn_id)
        payment.add("transactionNumber", txn.txn_id)
        payment.add("payer", stable_id("party", txn.sender_id))
        payment.add("beneficiary", stable_id("party", txn.beneficiary_id))
        payment.add("payerAccount", stable_id("account", txn.sender_id))
        payment.add("beneficiaryAccount", stable_id("account", txn.beneficiary_id))
        payment.add("amount", f"{float(txn.amount):.2f}")
        payment.add("currency", txn.currency)
        payment.add("date", pd.Timestamp(txn.ts_utc).strftime("%Y-%m-%dT%H:%M:%S"))
        payment.add("purpose", _text(txn.memo), quiet=True)
        payment.add("description", f"{_text(txn.channel) or 'payment'} via dentrace warehouse "
                    f"row {Path(str(txn.source_file)).name}:{txn.source_line}")
        codes = list(dict.fromkeys(reasons.get(txn.txn_id, [])))
        if codes:
            payment.add("summary", "dentrace indicators: " + ", ".join(codes))
        yield payment


def ftm_entities(material: Material, bank: str | None = None) -> list[EntityProxy]:
    """Every entity of the material: holders, accounts, ownerships, then payments."""
    return [*_parties(material, bank), *_payments(material)]


class FtmExporter:
    """The FollowTheMoney export as an ``Exporter``: one JSON-lines file."""

    name = "ftm"
    action = "export_ftm"

    def __init__(self, bank: str | None = None) -> None:
        _followthemoney()  # fail before any material is read when the extra is missing
        self.bank = bank

    def export(self, material: Material, out: Path) -> list[Path]:
        out = Path(out)
        # FtM drops control characters itself; the file is written whole, so an export that
        # fails half-way leaves no truncated entity list for Aleph to import
        with whole_file(out) as temporary, temporary.open("w", encoding="utf-8") as handle:
            for entity in ftm_entities(material, self.bank):
                handle.write(json.dumps(entity.to_dict(), ensure_ascii=False,
                                        sort_keys=True) + "\n")
        return [out]

"""The content of a goAML suspicious transaction report, as nested (element, value) pairs.

Our client's side is an account of our institution with its holder from KYC
(``t_from_my_client`` / ``t_to_my_client``); the other side is the counterparty's account as the
payment names it (``t_from`` / ``t_to``). ``schema.FiuSchema`` orders it for the FIU's XSD.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from dentrace.report.goaml.config import GoamlConfig
from dentrace.report.goaml.schema import NOT_HELD, Content, Default
from dentrace.report.material import Material
from dentrace.report.narrative import amounts_in, looks_like_company, narrative


def _held(value: Any) -> Any:
    """``value``, or NOT_HELD for a missing one (None, NaN, NaT, empty text)."""
    if value is None or (not isinstance(value, str | list) and pd.isna(value)):
        return NOT_HELD
    if isinstance(value, str) and not value.strip():
        return NOT_HELD
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _code(value: Any, default: str = "-") -> str:
    held = _held(value)
    return default if held is NOT_HELD else str(held)


def split_name(name: Any) -> tuple[Any, Any]:
    """(first names, last name) of a person's full name; NOT_HELD parts when absent."""
    if not isinstance(name, str) or not name.split():
        return NOT_HELD, NOT_HELD
    words = name.split()
    return (" ".join(words[:-1]) or NOT_HELD), words[-1]


def _address(section: dict[str, Any]) -> Content:
    return [(key, section.get(key, NOT_HELD)) for key in
            ("address_type", "address", "city", "country_code", "state")]


def _reporting_person(config: GoamlConfig) -> Content:
    person = config.reporting_person
    phone = [("tph_contact_type", person.get("phone_contact_type", NOT_HELD)),
             ("tph_communication_type", person.get("phone_communication_type", NOT_HELD)),
             ("tph_country_prefix", person.get("phone_country_prefix", NOT_HELD)),
             ("tph_number", person.get("phone_number", NOT_HELD))]
    return [("gender", person.get("gender", NOT_HELD)),
            ("first_name", person.get("first_name", NOT_HELD)),
            ("last_name", person.get("last_name", NOT_HELD)),
            ("nationality1", person.get("nationality", NOT_HELD)),
            ("residence", person.get("residence", NOT_HELD)),
            ("phones", [("phone", phone)]),
            ("addresses", [("address", _address(config.address))]),
            ("email", person.get("email", NOT_HELD)),
            ("occupation", person.get("occupation", NOT_HELD))]


def _client_person(kyc: dict[str, Any], config: GoamlConfig) -> Content:
    """Our client as a person, from KYC; what KYC does not hold is marked NOT_HELD."""
    setting = config.client_account
    first, last = split_name(kyc.get("name"))
    gender = kyc.get("gender") if kyc.get("gender") in ("M", "F") else NOT_HELD
    phone = [("tph_contact_type", Default(setting.get("phone_contact_type", "-"))),
             ("tph_communication_type", Default(setting.get("phone_communication_type", "-"))),
             ("tph_number", NOT_HELD)]
    identification = [("type", Default(setting.get("identification_type", "-"))),
                      ("number", NOT_HELD), ("issue_date", NOT_HELD),
                      ("expiry_date", NOT_HELD),
                      ("issue_country", Default(_code(kyc.get("nationality"))))]
    home = [("address_type", Default(setting.get("phone_contact_type", "-"))),
            ("address", NOT_HELD), ("city", NOT_HELD),
            ("country_code", Default(_code(kyc.get("country")))), ("state", NOT_HELD)]
    return [("gender", gender), ("first_name", first), ("last_name", last),
            ("birthdate", _held(kyc.get("birth_date"))), ("birth_place", NOT_HELD),
            ("id_number", NOT_HELD), ("nationality1", _held(kyc.get("nationality"))),
            ("residence", _held(kyc.get("country"))), ("phones", [("phone", phone)]),
            ("addresses", [("address", home)]), ("occupation", _held(kyc.get("occupation"))),
            ("identification", identification),
            ("tax_reg_number", Default(setting.get("tax_reg_number", "-"))),
            ("source_of_wealth", NOT_HELD)]


def _client_account(party_id: str, kyc: dict[str, Any], currency: str,
                    config: GoamlConfig) -> Content:
    bank, setting = config.institution, config.client_account
    holder = _held(kyc.get("name"))
    return [("institution_name", bank.get("name", NOT_HELD)),
            ("swift", bank.get("swift", NOT_HELD)),
            ("institution_country", bank.get("country", NOT_HELD)),
            ("non_bank_institution", False), ("branch", bank.get("branch", NOT_HELD)),
            ("account", party_id), ("currency_code", currency), ("account_name", holder),
            ("client_number", party_id),
            ("personal_account_type", setting.get("personal_account_type", NOT_HELD)),
            ("signatory", [("is_primary", True), ("t_person", _client_person(kyc, config)),
                           ("role", setting.get("signatory_role", NOT_HELD))]),
            ("opened", _held(kyc.get("customer_since"))), ("balance", NOT_HELD),
            ("date_balance", NOT_HELD), ("status_code", setting.get("status_code", NOT_HELD)),
            ("beneficiary", holder)]


def _other_account(party_id: str, name: Any, country: Any, config: GoamlConfig) -> Content:
    holder: Content
    if looks_like_company(name):
        holder = [("t_entity", [("name", name), ("incorporation_country_code", country)])]
    else:
        first, last = split_name(name)
        holder = [("signatory", [("t_person", [("first_name", first), ("last_name", last)])])]
    return [("institution_code", config.counterparty.get("institution_code", NOT_HELD)),
            ("account", party_id), ("account_name", _held(name)), *holder]


def _side(end: str, txn: Any, material: Material, local: str,
          config: GoamlConfig) -> tuple[str, Content]:
    """``t_from_my_client``/``t_from`` (end 'from') or the ``to`` side of one payment."""
    id_col, name_col, country_col = (("sender_id", "sender_name", "sender_country")
                                     if end == "from" else
                                     ("beneficiary_id", "beneficiary_name", "beneficiary_country"))
    party_id = str(getattr(txn, id_col))
    kyc = material.customer(party_id)
    country = _held(getattr(txn, country_col))
    if kyc is not None and country is NOT_HELD:
        country = _held(kyc.get("country"))
    side: Content = []
    if kyc is not None:
        side.append((f"{end}_funds_code", config.client_account.get("funds_code", NOT_HELD)))
    else:
        side.append((f"{end}_funds_code", config.counterparty.get("funds_code", NOT_HELD)))
    if end == "from" and str(txn.currency).upper() != local.upper():
        side.append(("from_foreign_currency", [
            ("foreign_currency_code", txn.currency), ("foreign_amount", float(txn.amount)),
            ("foreign_exchange_rate", f"{float(txn.amount_local) / float(txn.amount):.6f}")]))
    if kyc is not None:
        side.append((f"{end}_account", _client_account(party_id, kyc, str(txn.currency), config)))
    else:
        side.append((f"{end}_account", _other_account(party_id, getattr(txn, name_col),
                                                      country, config)))
    side.append((f"{end}_country", country))
    element = f"t_{end}_my_client" if kyc is not None else f"t_{end}"
    return element, side


def _description(txn: Any) -> str:
    memo = f"; memo '{txn.memo}'" if isinstance(txn.memo, str) and txn.memo else ""
    return (f"{txn.channel or 'payment'} of {float(txn.amount):,.2f} {txn.currency} from "
            f"{txn.sender_name or txn.sender_id} ({txn.sender_country or '?'}) to "
            f"{txn.beneficiary_name or txn.beneficiary_id} ({txn.beneficiary_country or '?'})"
            f"{memo}; sender's local time {txn.ts_local:%Y-%m-%d %H:%M}")


def _transaction(txn: Any, material: Material, config: GoamlConfig) -> Content:
    local = str(config.report.get("currency_code_local", material.reporting_currency))
    return [("transactionnumber", txn.txn_id),
            ("transaction_is_suspicious", True),
            ("internal_ref_number", f"{Path(str(txn.source_file)).name}:{txn.source_line}"),
            ("transaction_location", config.report.get("transaction_location", NOT_HELD)),
            ("transaction_description", _description(txn)),
            ("date_transaction", txn.ts_local.to_pydatetime()),
            ("transmode_code", config.transmode_code(txn.channel)),
            ("transmode_comment", txn.channel or "channel not given"),
            ("amount_local", round(float(txn.amount_local), 2)),
            _side("from", txn, material, local, config),
            _side("to", txn, material, local, config)]


def str_content(material: Material, config: GoamlConfig, *,
                now: datetime | None = None) -> Content:
    """The whole report: header, reporting person, narrative, transactions, indicators."""
    report = config.report
    local = str(report.get("currency_code_local", material.reporting_currency)).upper()
    now = now or datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    txns = material.transactions.assign(amount_local=amounts_in(material, local).round(2))
    prefix = str(report.get("entity_reference_prefix", "DENTRACE-"))
    indicators = [("indicator", code) for code in config.indicator_codes(material.indicators)]
    return [
        ("schema_version", report.get("schema_version", NOT_HELD)),
        ("rentity_id", report.get("rentity_id", NOT_HELD)),
        ("rentity_branch", report.get("rentity_branch", NOT_HELD)),
        ("submission_code", report.get("submission_code", "E")),
        ("report_code", report.get("report_code", "STR")),
        ("entity_reference", f"{prefix}{material.kind.upper()}-{material.ident}"),
        ("submission_date", now),
        ("currency_code_local", local),
        ("reporting_person", _reporting_person(config)),
        ("location", _address(config.address)),
        ("reason", narrative(material, local)),
        ("action", report.get("action", NOT_HELD)),
        *[("transaction", _transaction(t, material, config)) for t in txns.itertuples()],
        ("report_indicators", indicators),
    ]

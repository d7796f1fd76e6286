"""The plain-language story of a report: who, how much, when, and each indicator with its values.

Used as the goAML ``reason`` and as the summary of an evidence pack; the wording comes from the
indicator catalogue's descriptions and the alert explanations, never from new judgements.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

import pandas as pd

from dentrace.contract.alert import ATTRIBUTION, Reason
from dentrace.detect.explain import SHARED_REASON
from dentrace.detect.indicators import catalogue
from dentrace.detect.shared_signal import SHARED_DESCRIPTION
from dentrace.ingest.rates import load_rates
from dentrace.report.material import Material

KNOWN_DESCRIPTION = "Listed in the institution's file of known outcomes"
_COMPANY = re.compile(
    r"\b(ltd|llc|inc|corp|gmbh|plc|pte|pty|bv|sa|srl|limited|company|co|group|bank|"
    r"services|holdings|trading|pt|tbk)\b\.?", re.IGNORECASE)


@cache
def descriptions() -> dict[str, str]:
    """Indicator code → its one-line description from the catalogue (plus KNOWN and
    SHARED_SIGNAL)."""
    found = {code: ind.description for code, ind in catalogue().items()}
    found["KNOWN"] = KNOWN_DESCRIPTION
    found[SHARED_REASON] = SHARED_DESCRIPTION
    return found


def looks_like_company(name: object) -> bool:
    """True when a name reads as a company's (a legal-form word such as Ltd, LLC, PT)."""
    return isinstance(name, str) and bool(_COMPANY.search(name))


def amounts_in(material: Material, currency: str) -> pd.Series:
    """Each transaction's amount in ``currency`` (from the warehouse's reporting amount)."""
    txns = material.transactions
    if currency.upper() == material.reporting_currency.upper():
        return txns["amount_ref"].astype(float)
    factor = load_rates().convert_factor(material.reporting_currency, currency.upper())
    return txns["amount_ref"].astype(float) * factor


def party_names(material: Material) -> dict[str, str]:
    """Party id → the name held for it (KYC first, then as written on its payments)."""
    txns = material.transactions
    names: dict[str, str] = {}
    for id_col, name_col in (("sender_id", "sender_name"),
                             ("beneficiary_id", "beneficiary_name")):
        for pid, name in zip(txns[id_col], txns[name_col], strict=True):
            if isinstance(name, str) and name:
                names.setdefault(str(pid), name)
    for pid, name in zip(material.customers["customer_id"], material.customers["name"],
                         strict=True):
        if isinstance(name, str) and name:
            names[str(pid)] = name
    return names


def _overview(material: Material, currency: str) -> str:
    txns = material.transactions
    total = float(amounts_in(material, currency).sum())
    first, last = txns["ts_local"].min(), txns["ts_local"].max()
    countries = sorted({c for c in txns["beneficiary_country"].dropna().astype(str) if c})
    return (f"{len(txns)} payments between {first:%Y-%m-%d} and {last:%Y-%m-%d} totalling "
            f"{total:,.2f} {currency.upper()}, from {txns['sender_id'].nunique()} payer(s) to "
            f"{txns['beneficiary_id'].nunique()} beneficiar(ies) in "
            f"{', '.join(countries) or 'countries not given'}.")


def _approval(material: Material) -> str:
    case = material.case
    if case is None:
        return ("Ad-hoc export of the scan's alert for this party; no case review has taken "
                "place.")
    when = f"{case.approved_at:%Y-%m-%d}" if case.approved_at else "an unrecorded date"
    return (f"Case {case.id} ('{case.title}') was investigated by {case.assignee or '?'}, "
            f"submitted by {case.submitted_by or '?'} and approved for reporting by "
            f"{case.approved_by or '?'} on {when} (four-eyes review).")


def reason_line(reason: Reason, names: Mapping[str, str] | None = None) -> str:
    """One indicator of a finding: what it is, its values, whom it concerns and what it adds
    to the score (``contract.alert.ATTRIBUTION``)."""
    what = descriptions().get(reason.code, reason.code).rstrip(".")
    line = f"- {what} [{reason.code}]: {reason.text or 'no values recorded'}"
    if reason.counterparties:
        named = ", ".join(
            c.model_copy(update={"name": c.name or (names or {}).get(c.party_id)}).label()
            + f" ({c.payments} payment{'s' if c.payments != 1 else ''})"
            for c in reason.counterparties)
        line += f"; counterparties: {named}"
    if reason.contribution is not None:
        line += f"; adds {reason.contribution:.2f} to the score"
    return line + "."


def finding_lines(material: Material) -> list[str]:
    """One line per alerted party and one per indicator, with the values behind it."""
    names = party_names(material)
    lines = []
    for finding in material.findings:
        who = names.get(finding.party_id, "name not held")
        lines.append(f"{finding.role.capitalize()} {finding.party_id} ({who}), risk score "
                     f"{finding.score:.2f}:")
        lines.extend(reason_line(reason, names) for reason in finding.reasons)
        if finding.legacy_explanation:
            lines.append(f"- As explained by the scan: {finding.legacy_explanation}.")
        if finding.attribution in ATTRIBUTION and finding.reasons:
            lines.append(f"  (contributions: {ATTRIBUTION[finding.attribution]})")
    return lines


def narrative(material: Material, currency: str) -> str:
    """The full story: overview, review trail, the analysts' reasons for escalating and every
    indicator with its values."""
    parts = ["Suspected payments for live-streamed child sexual abuse. "
             + _overview(material, currency),
             _approval(material),
             *(f"Reason given on escalation by {who}: {why}" for who, why in material.escalations),
             "Why these payments are suspicious:",
             *finding_lines(material)]
    return "\n".join(parts)

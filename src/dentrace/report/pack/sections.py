"""The sections of an evidence pack as plain rows, shared by the HTML and the PDF renderings:
summary, indicators with values, transactions, the analyst's notes and the approval trail."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from typing import Any

from dentrace.report.material import Material
from dentrace.report.narrative import descriptions, narrative, party_names
from dentrace.writing.xmltext import xml_text


@dataclass(frozen=True)
class PackSections:
    """Everything the pack shows, as text rows in reading order."""

    title: str
    generated_at: str
    summary: list[tuple[str, str]]
    narrative: list[str]
    indicators: list[tuple[str, str, str, str, str]]  # party, role, score, indicator, values
    transactions: list[tuple[str, ...]]
    notes: list[tuple[str, str, str]]  # when, author, text
    trail: list[tuple[str, str, str, str]]  # when, who, action, detail

    INDICATOR_HEAD = ("party", "role", "score", "indicator", "values behind it")
    TRANSACTION_HEAD = ("txn id", "local time", "payer", "beneficiary", "country", "amount",
                        "channel", "memo")


def _when(value: object) -> str:
    return f"{value:%Y-%m-%d %H:%M} UTC" if isinstance(value, datetime) else "—"


def _summary(material: Material) -> list[tuple[str, str]]:
    txns, case = material.transactions, material.case
    rows = [("Subject", f"{material.kind} {material.ident}: {material.title}")]
    if case is not None:
        rows += [("Status", case.status), ("Assignee", case.assignee or "—"),
                 ("Opened", f"{_when(case.created_at)} by {case.created_by}"),
                 ("Submitted", f"{_when(case.submitted_at)} by {case.submitted_by or '—'}"),
                 ("Approved", f"{_when(case.approved_at)} by {case.approved_by or '—'}")]
    rows += [("Parties", ", ".join(f"{p} ({r})" for p, r in material.parties) or "—"),
             ("Payments", f"{len(txns)}, total {txns['amount_ref'].sum():,.2f} "
                          f"{material.reporting_currency} (the workspace's reporting currency)"),
             ("Period", f"{txns['ts_local'].min():%Y-%m-%d} to {txns['ts_local'].max():%Y-%m-%d}")]
    return rows


def _indicators(material: Material) -> list[tuple[str, str, str, str, str]]:
    text = descriptions()
    rows = []
    for finding in material.findings:
        for reason in finding.reasons:
            values = reason.text or finding.legacy_explanation
            if reason.counterparties:
                values += f" — counterparties: {reason.counterparty_labels()}"
            if reason.contribution is not None:
                values += f" — adds {reason.contribution:.2f} to the score"
            rows.append((finding.party_id, finding.role, f"{finding.score:.2f}",
                         f"{reason.code}: {text.get(reason.code, reason.code)}",
                         values or "—"))
    return rows


def _transactions(material: Material) -> list[tuple[str, ...]]:
    names = party_names(material)
    rows: list[tuple[str, ...]] = []
    for t in material.transactions.itertuples():
        memo = t.memo if isinstance(t.memo, str) else ""
        rows.append((str(t.txn_id), f"{t.ts_local:%Y-%m-%d %H:%M}",
                     f"{t.sender_id} {names.get(str(t.sender_id), '')}".strip(),
                     f"{t.beneficiary_id} {names.get(str(t.beneficiary_id), '')}".strip(),
                     f"{t.sender_country or '?'}→{t.beneficiary_country or '?'}",
                     f"{float(t.amount):,.2f} {t.currency}", str(t.channel or ""), memo))
    return rows


def _xml_safe(value: Any) -> Any:
    if isinstance(value, str):
        return xml_text(value)
    if isinstance(value, list | tuple):
        return type(value)(_xml_safe(v) for v in value)
    return value


def pack_sections(material: Material, now: datetime | None = None) -> PackSections:
    """The sections of ``material``'s evidence pack, holding only characters XML (and so the
    HTML and the PDF's fonts) can hold."""
    now = now or datetime.now(UTC)
    notes = ([(_when(n.created_at), n.author, n.text) for n in material.case.notes]
             if material.case else [])
    trail = [(e.ts.replace("T", " ")[:19] + " UTC", e.actor, e.action,
              ", ".join(f"{k}={v}" for k, v in sorted(e.detail.items()))[:200])
             for e in material.trail]
    sections = PackSections(
        title=f"Evidence pack — {material.kind} {material.ident}: {material.title}",
        generated_at=now.strftime("%Y-%m-%d %H:%M:%S UTC"), summary=_summary(material),
        narrative=narrative(material, material.reporting_currency).splitlines(),
        indicators=_indicators(material), transactions=_transactions(material),
        notes=notes, trail=trail)
    return replace(sections, **{f.name: _xml_safe(getattr(sections, f.name))
                                for f in fields(sections)})

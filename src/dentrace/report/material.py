"""What every report is made of: the subject (a case or a party), its alerts (``AlertRecord``:
reasons with values and counterparties), its transactions from the warehouse, the KYC of the
parties, notes and trail.

``case_material`` reads an (approved) case from the cases store; ``party_material`` and
``alerts_material`` read the scan's alerts.parquet for an FIU analyst's ad-hoc export.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import select

from dentrace import audit
from dentrace.audit.log import AuditRecord
from dentrace.cases.casework import REPORTED
from dentrace.cases.views import CaseView, alert_record, case_view, usernames
from dentrace.contract.alert import AlertRecord
from dentrace.errors import WorkspaceError
from dentrace.report.errors import NotApproved, NothingToReport
from dentrace.store import read_meta
from dentrace.store.sql import Store
from dentrace.store.sql.models import Alert, Case
from dentrace.store.workspace import Workspace


@dataclass
class Material:
    """Everything a report needs about one subject, read once and shared by the exporters."""

    kind: str  # 'case' | 'party' | 'alerts'
    ident: str
    title: str
    reporting_currency: str
    parties: list[tuple[str, str]]
    findings: list[AlertRecord]
    transactions: pd.DataFrame
    customers: pd.DataFrame
    case: CaseView | None = None
    trail: list[AuditRecord] = field(default_factory=list)
    # (analyst, reason) given when the case's alerts were escalated, once each
    escalations: list[tuple[str, str]] = field(default_factory=list)

    def customer(self, party_id: str) -> dict[str, object] | None:
        """The KYC row of ``party_id`` when it is the institution's customer."""
        rows = self.customers[self.customers["customer_id"] == party_id]
        return None if rows.empty else rows.iloc[0].to_dict()

    @property
    def indicators(self) -> list[str]:
        """Every indicator code behind the report, strongest first per finding, once each."""
        return list(dict.fromkeys(code for f in self.findings for code in f.codes))


def _findings(alerts: pd.DataFrame, path: Path) -> list[AlertRecord]:
    """The alert records of alerts.parquet rows (a scan before reason_details: older ones)."""
    return [AlertRecord.of_columns(row, where=f"{path} row {number}")
            for number, row in enumerate(alerts.to_dict("records"), start=1)]


def _warehouse_rows(workspace: Path, txn_ids: list[str]) -> tuple[pd.DataFrame, pd.DataFrame,
                                                                   str]:
    """The transactions with these ids, the KYC of everyone in them, the reporting currency."""
    con = Workspace(workspace).open_warehouse(read_only=True)
    try:
        con.register("_report_ids", pd.DataFrame({"txn_id": sorted(set(txn_ids))}))
        # A row's file is its ingest run's (since warehouse schema 2 it is kept there only).
        txns = con.execute(
            "SELECT t.*, r.file AS source_file FROM transactions t "
            "JOIN _report_ids USING (txn_id) LEFT JOIN ingest_runs r USING (ingest_id) "
            "ORDER BY ts_utc, txn_id").df()
        ids = pd.DataFrame({"party_id": sorted(set(txns["sender_id"]) |
                                               set(txns["beneficiary_id"]))})
        con.register("_report_parties", ids)
        customers = con.execute(
            "SELECT c.* FROM customers c "
            "JOIN _report_parties p ON c.customer_id = p.party_id ORDER BY customer_id").df()
        currency = read_meta(con).get("reporting_currency", "USD")
    finally:
        con.close()
    return txns, customers, currency


def _load_alerts(workspace: Path) -> pd.DataFrame:
    path = Workspace(workspace).alerts
    if not path.is_file():
        raise WorkspaceError(f"{path}: no scan results here; run `dentrace scan` first")
    return pd.read_parquet(path)


def _assemble(workspace: Path, kind: str, ident: str, title: str,
              findings: list[AlertRecord],
              parties: list[tuple[str, str]], extra_txns: list[str]) -> Material:
    txn_ids = list(dict.fromkeys(extra_txns + [t for f in findings for t in f.txn_ids]))
    if not txn_ids:
        raise NothingToReport(f"{kind} {ident}: no transaction behind it to report")
    txns, customers, currency = _warehouse_rows(workspace, txn_ids)
    return Material(kind=kind, ident=ident, title=title, reporting_currency=currency,
                    parties=parties, findings=findings, transactions=txns, customers=customers)


def case_material(store: Store, workspace: Path, case_id: int, *,
                  require_approved: bool = True) -> Material:
    """An approved case's material; ``NotApproved`` when it is not in status 'reported'."""
    with store.session(write=False) as session:
        case = session.get(Case, case_id)
        if case is None:
            raise NothingToReport(f"no case {case_id}")
        if require_approved and case.status != REPORTED:
            raise NotApproved(
                f"case {case_id} is '{case.status}': only a case approved for reporting "
                f"(status '{REPORTED}', four eyes) can be reported")
        view = case_view(session, case)
        alerts = session.execute(
            select(Alert).where(Alert.case_id == case_id).order_by(Alert.id)).scalars().all()
        findings = [alert_record(a) for a in alerts]
        names = usernames(session)
        escalations = list(dict.fromkeys(
            (names.get(a.disposed_by, "?") if a.disposed_by else "?", a.disposition_reason)
            for a in alerts if a.disposition_reason))
    material = _assemble(workspace, "case", str(case_id), view.title, findings,
                         list(view.parties), list(view.txn_ids))
    material.case = view
    material.escalations = escalations
    material.trail = audit.entries(store, target_type="case", target_id=str(case_id),
                                   limit=10_000, newest_first=False)
    return material


def party_material(workspace: Path, party_id: str) -> Material:
    """One alerted party's material from the latest scan (an FIU analyst's ad-hoc export)."""
    alerts = _load_alerts(workspace)
    rows = alerts[alerts["party_id"].astype(str) == party_id]
    if rows.empty:
        raise NothingToReport(f"party {party_id}: no alert for it in {Workspace(workspace).alerts}")
    findings = _findings(rows, Workspace(workspace).alerts)
    return _assemble(workspace, "party", party_id, f"Party {party_id}", findings,
                     [(f.party_id, f.role) for f in findings], [])


def alerts_material(workspace: Path) -> Material:
    """Every alerted party of the latest scan."""
    alerts = _load_alerts(workspace)
    alerts = alerts[alerts["alert"].astype(bool)] if "alert" in alerts else alerts
    if alerts.empty:
        raise NothingToReport(f"{Workspace(workspace).alerts}: the scan raised no alert")
    findings = _findings(alerts, Workspace(workspace).alerts)
    return _assemble(workspace, "alerts", "all", "All alerts of the latest scan", findings,
                     [(f.party_id, f.role) for f in findings], [])


def record_report(store: Store, *, actor: str, action: str, material: Material, origin: str,
                  detail: dict[str, object]) -> int:
    """Audit one report generation (who, what, which subject, which files) and return its seq."""
    target_type = {"case": "case", "party": "party"}.get(material.kind, "scan")
    with store.session() as session:
        return audit.record(session, actor=actor, action=action, target_type=target_type,
                            target_id=material.ident, origin=origin, detail=detail)

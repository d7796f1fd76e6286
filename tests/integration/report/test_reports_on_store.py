"""Reports from cases held in a real cases database (SQLite file and PostgreSQL): the approved
case's goAML STR validates, the FtM export links its payments, both are audited in that store."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dentrace import audit, cases
from dentrace.auth import Account
from dentrace.report import FtmExporter, GoamlExporter, case_material, generate, load_config
from dentrace.report.errors import NotApproved
from dentrace.store.sql import Store
from dentrace.store.warehouse import open_warehouse, write_meta

UAE = "formats/goaml/goAMLSchema_5.0.2_UAE_patched_xsd10.xsd"


def _workspace(folder: Path) -> Path:
    """Two customers paying one foreign collector at night; their alerts as a scan writes."""
    con = open_warehouse(folder, create=True)
    start = datetime(2025, 3, 1, 23, 10)
    for n, payer in enumerate(("P1", "P2")):
        for k in range(4):
            when = start + timedelta(days=4 * k + n)
            con.execute("INSERT INTO transactions VALUES (?, ?, ?, 0, ?, 'F1', ?, 'EUR', ?, "
                        "?, 'DE', 'Maria Santos', 'PH', 'remittance', 'gift', NULL, ?, 1)",
                        [f"T{payer}{k}", when, when, payer, 25.0 + 5 * k, 27.0 + 5 * k,
                         f"Payer {payer} Muller", 10 * n + k + 2])
    for i, (pid, name) in enumerate((("P1", "Jan Muller"), ("P2", "Kurt Weber"))):
        con.execute("INSERT INTO customers VALUES (?, ?, '1970-01-02', 'M', 'DE', 'DE', "
                    "'driver', '2015-06-01', NULL, ?, 2)", [pid, name, i + 2])
    con.execute("INSERT INTO ingest_runs VALUES (1, 'transactions', 'tx.csv', '', now(), 8, 8, "
                "0, 0, false), (2, 'customers', 'c.csv', '', now(), 2, 2, 0, 0, false)")
    write_meta(con, "reporting_currency", "USD")
    con.close()
    rows = [{"party_id": p, "role": "payer", "score": 0.9, "alert": True,
             "reasons": "NIGHT;SMALL_CORRIDOR",
             "explanation": "NIGHT: 4 of 4 corridor payments at night; SMALL_CORRIDOR: 4 "
                            "payments of EUR 25-40 to PH",
             "txn_ids": [f"T{p}{k}" for k in range(4)]} for p in ("P1", "P2")]
    pq.write_table(pa.Table.from_pylist(rows), folder / "alerts.parquet")
    return folder


def _approved_case(store: Store, team: dict[str, Account], folder: Path) -> int:
    cases.import_alerts(store, folder / "alerts.parquet")
    ids = [a.id for a in cases.list_alerts(store, team["ana"])]
    case = cases.escalate_alerts(store, team["ana"], ids, title="Night payers")
    cases.start_investigation(store, team["ana"], case.id)
    cases.submit_for_approval(store, team["ana"], case.id)
    with pytest.raises(NotApproved):
        case_material(store, folder, case.id)
    cases.approve_case(store, team["sam"], case.id)
    return case.id


def test_goaml_and_ftm_from_an_approved_case(store: Store, team: dict[str, Account],
                                             tmp_path: Path, shared_dir: Path) -> None:
    folder = _workspace(tmp_path / "ws")
    case_id = _approved_case(store, team, folder)
    material = case_material(store, folder, case_id)
    assert len(material.transactions) == 8 and material.case is not None
    exporter = GoamlExporter(load_config(schema=shared_dir / UAE))
    done = generate(exporter, material, tmp_path / "str.xml", store=store, actor="sam",
                    origin="test")
    assert exporter.last is not None and exporter.last.transactions == 8
    ftm = generate(FtmExporter("Example Bank"), material, tmp_path / "case.jsonl",
                   store=store, actor="sam", origin="test")
    payments = [json.loads(line) for line in (tmp_path / "case.jsonl").read_text().splitlines()
                if '"Payment"' in line]
    assert len(payments) == 8
    trail = audit.entries(store, target_type="case", target_id=str(case_id))
    assert [e.action for e in trail[:2]] == ["export_ftm", "report_goaml"]
    assert trail[1].detail["files"]["str.xml"] == done.sha256["str.xml"]
    assert ftm.audit_seq == trail[0].seq and audit.verify(store).ok

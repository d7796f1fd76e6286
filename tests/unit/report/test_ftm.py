"""FollowTheMoney export: entities parse back with followthemoney, links point at exported
entities, ids are stable across exports, and the export is audited."""

from __future__ import annotations

import json
from pathlib import Path

from followthemoney import model
from typer.testing import CliRunner

from dentrace import audit
from dentrace.cli.main import app
from dentrace.store.sql import open_store
from tests.unit.report.report_sample import Sample


def _export(sample: Sample, out: Path, *args: str) -> list[dict[str, object]]:
    result = CliRunner().invoke(app, ["export", "ftm", "--workspace", str(sample.workspace),
                                      "--out", str(out), "--bank", "Example Bank", *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_case_export_parses_back_with_links_between_entities(sample: Sample,
                                                             tmp_path: Path) -> None:
    rows = _export(sample, tmp_path / "case.jsonl", "--case", str(sample.approved_case))
    entities = {row["id"]: model.get_proxy(row) for row in rows}  # type: ignore[arg-type]
    schemata = {e.schema.name for e in entities.values()}
    assert {"Payment", "BankAccount", "Ownership"} <= schemata
    assert schemata & {"Person", "Company", "LegalEntity"}
    payments = [e for e in entities.values() if e.schema.name == "Payment"]
    with open_store(sample.workspace) as store:
        from dentrace.report.material import case_material
        material = case_material(store, sample.workspace, sample.approved_case)
    assert sorted(p.first("transactionNumber") for p in payments) == sorted(
        material.transactions["txn_id"])
    for payment in payments:
        for prop in ("payer", "beneficiary", "payerAccount", "beneficiaryAccount"):
            assert payment.first(prop) in entities, prop
        assert float(payment.first("amount") or 0) > 0
    for ownership in (e for e in entities.values() if e.schema.name == "Ownership"):
        assert entities[ownership.first("asset")].schema.name == "BankAccount"
        assert entities[ownership.first("owner")].schema.is_a("LegalEntity")


def test_ids_are_stable_and_alerts_export_is_audited(sample: Sample, tmp_path: Path) -> None:
    first = _export(sample, tmp_path / "a.jsonl", "--alerts")
    second = _export(sample, tmp_path / "b.jsonl", "--alerts")
    assert [r["id"] for r in first] == [r["id"] for r in second]
    with open_store(sample.workspace) as store:
        entries = audit.entries(store, action="export_ftm", target_type="scan")
    assert len(entries) >= 2 and "b.jsonl" in entries[0].detail["files"]

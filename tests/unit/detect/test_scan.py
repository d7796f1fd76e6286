"""scan on a toy workspace ingested through the real ingest: outputs, known rule, thresholds."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from dentrace.cli.main import app
from dentrace.detect import scan
from dentrace.detect.scan import ALERT_COLUMNS, PARTY_COLUMNS
from tests.unit.detect.conftest import make_workspace
from tests.unit.features.toy_payments import mixed_world


def test_scan_writes_contract_outputs(toy_workspace: Path) -> None:
    result = scan(toy_workspace, scorer="rules")
    parties = pd.read_parquet(toy_workspace / "parties.parquet")
    alerts = pd.read_parquet(toy_workspace / "alerts.parquet")
    assert list(parties.columns) == PARTY_COLUMNS
    assert list(alerts.columns) == ALERT_COLUMNS
    assert set(parties["role"]) == {"payer", "facilitator"}
    assert parties["score"].between(0, 1).all()
    alerted = set(alerts["party_id"])
    assert {"off0", "off1", "lone", "fac-1", "fac-2"} <= alerted
    assert not alerted & {"fam0", "don0", "shop0", "charity-1", "fam0-mum"}
    lone = alerts.set_index("party_id").loc["lone"]
    assert lone["reasons"].split(";")[0] in {"SMALL_CORRIDOR", "MANY_BENEFICIARIES"}
    assert "in PH" in lone["explanation"] and "USD" in lone["explanation"]
    assert len(lone["txn_ids"]) == 30 and all(t.startswith("olone-") for t in lone["txn_ids"])
    summary = json.loads((toy_workspace / "summary.json").read_text())
    assert summary["rows_accepted"] == len(mixed_world())  # ingest counts kept
    assert summary["scan"]["alerts"]["payer"] == int(
        (result.alerts["role"] == "payer").sum())


def test_known_parties_alerted_and_cleared_suppressed(tmp_path: Path) -> None:
    known = [("fam0", "offender", "2024-01-01"), ("off1", "cleared", "2025-06-01"),
             ("off2", "cleared", "2024-02-01")]
    workspace = make_workspace(tmp_path, mixed_world(), known)
    parties = scan(workspace, scorer="rules").parties.set_index("party_id")
    payers = parties.loc[parties["role"] == "payer"]
    assert payers.loc["fam0", "alert"] and payers.loc["fam0", "score"] == 1.0
    assert payers.loc["fam0", "reasons"].startswith("KNOWN")
    assert not payers.loc["off1", "alert"]  # cleared, nothing new since
    assert payers.loc["off2", "alert"]  # cleared early, corridor payments since


def test_alert_budget_caps_alerts(toy_workspace: Path) -> None:
    result = scan(toy_workspace, scorer="rules", alert_budget=1000, write=False)
    customers = result.customers
    allowed = int(1000 * customers / 10_000)
    for role in ("payer", "facilitator"):
        assert int((result.parties.query("role == @role")["alert"]).sum()) <= allowed
        assert result.thresholds[role].rule == "budget"


def test_cli_scan_ingests_and_scans(tmp_path: Path) -> None:
    from tests.unit.detect.conftest import write_contract_csv

    csv = write_contract_csv(mixed_world(), tmp_path / "payments.csv")
    out = tmp_path / "ws"
    run = CliRunner().invoke(app, ["scan", "--transactions", str(csv), "--out", str(out),
                                   "--scorer", "rules", "--target-precision", "0.9"])
    assert run.exit_code == 0, run.output
    assert (out / "alerts.parquet").is_file() and "Scan of" in run.output
    bad = CliRunner().invoke(app, ["scan", "--workspace", str(out), "--out", str(out)])
    assert bad.exit_code == 2


def test_payers_are_scored_in_two_stages_when_the_second_model_is_there(
        toy_workspace: Path, tmp_path: Path) -> None:
    import shutil

    from dentrace.detect.scan import STAGE1_FILE
    from dentrace.model.shipped import SHIPPED_DIR

    two = scan(toy_workspace, scorer="model")
    assert "second stage" in two.scorers["payer"]
    stage1 = pd.read_parquet(toy_workspace / STAGE1_FILE).set_index("party_id")["score"]
    payers = two.parties.loc[two.parties["role"] == "payer"].set_index("party_id")["score"]
    assert set(stage1.index) == set(payers.index)
    assert (stage1 - payers.reindex(stage1.index)).abs().max() > 0  # the second stage moved them
    one_stage = tmp_path / "one-stage-models"  # a model folder trained before the second stage
    shutil.copytree(SHIPPED_DIR, one_stage, ignore=shutil.ignore_patterns("payer_stage2.*"))
    one = scan(toy_workspace, scorer="model", model_dir=one_stage)
    assert "second stage" not in one.scorers["payer"]
    first = one.parties.loc[one.parties["role"] == "payer"].set_index("party_id")["score"]
    pd.testing.assert_series_equal(first.sort_index(), stage1.sort_index(), check_names=False)
    # the facilitator stage reads the first-stage payer scores either way
    facilitators = {r: x.parties.loc[x.parties["role"] == "facilitator"].set_index(
        "party_id")["score"].sort_index() for r, x in (("one", one), ("two", two))}
    pd.testing.assert_series_equal(facilitators["one"], facilitators["two"])

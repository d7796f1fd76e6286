"""scan end to end on a small generated world: ingest its files, scan, check the contract columns
and that the offenders and facilitators of the world's truth rank above the rest."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from dentrace.cli.main import app
from dentrace.detect.scan import ALERT_COLUMNS, PARTY_COLUMNS


@pytest.fixture(scope="module")
def scanned_world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from dentrace.synth import generate_world

    root = tmp_path_factory.mktemp("world")
    world = root / "world"
    generate_world(world, seed=7001, scale=0.02, fmt="csv")
    out = root / "ws"
    run = CliRunner().invoke(app, [
        "scan", "--transactions", str(world / "transactions"),
        "--customers", str(world / "customers.csv"), "--out", str(out), "--scorer", "rules"])
    assert run.exit_code == 0, run.output
    return world, out


def test_outputs_follow_the_contract(scanned_world: tuple[Path, Path]) -> None:
    _, out = scanned_world
    parties = pd.read_parquet(out / "parties.parquet")
    alerts = pd.read_parquet(out / "alerts.parquet")
    assert list(parties.columns) == PARTY_COLUMNS
    assert list(alerts.columns) == ALERT_COLUMNS
    assert parties["score"].between(0, 1).all() and parties["alert"].dtype == bool
    assert (alerts["explanation"].str.len() > 0).all()
    assert alerts["txn_ids"].map(len).gt(0).all()


def test_positives_rank_above_the_rest(scanned_world: tuple[Path, Path]) -> None:
    world, out = scanned_world
    parties = pd.read_parquet(out / "parties.parquet")
    truth = pd.read_csv(world / "truth.csv", dtype={"party_id": str})
    positives = set(truth.loc[truth["is_positive"].astype(str).str.lower() == "true",
                              "party_id"])
    payers = parties.loc[parties["role"] == "payer"]
    is_positive = payers["party_id"].isin(positives)
    assert is_positive.any()
    assert payers.loc[is_positive, "score"].mean() > 3 * payers.loc[~is_positive, "score"].mean()


def test_graph_command_exports_an_alerted_party(scanned_world: tuple[Path, Path]) -> None:
    _, out = scanned_world
    party = pd.read_parquet(out / "alerts.parquet")["party_id"].iloc[0]
    run = CliRunner().invoke(app, ["graph", "--workspace", str(out), "--party", party,
                                   "--hops", "2", "--out", str(out / "ego")])
    assert run.exit_code == 0, run.output
    assert (out / "ego.graphml").is_file() and (out / "ego.json").is_file()
    missing = CliRunner().invoke(app, ["graph", "--workspace", str(out), "--party", "nobody"])
    assert missing.exit_code == 2 and "no payments" in missing.output

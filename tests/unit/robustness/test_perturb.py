"""Perturbations of a generated world keep it in the input contract, change what they say, and
a scan of a world changed in many ways at once runs and still ranks offenders first."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dentrace.evaluate.perturb import (
    PERTURBATIONS,
    World,
    measure_world,
    perturb_world,
    read_world,
    surname_first,
    write_world,
)


@pytest.fixture(scope="session")
def world_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from dentrace.synth import generate_world

    path = tmp_path_factory.mktemp("robust") / "world"
    generate_world(path, seed=1003, scale=0.02, fmt="parquet")
    return path


@pytest.fixture(scope="session")
def world(world_dir: Path) -> World:
    return read_world(world_dir)


def _apply(world: World, name: str) -> World:
    return PERTURBATIONS[name].apply(world, np.random.default_rng(7))


def test_every_perturbation_keeps_the_contract(world: World) -> None:
    for name in PERTURBATIONS:
        changed = _apply(world, name)
        t = changed.transactions
        for column in ("txn_id", "ts", "sender_id", "beneficiary_id", "amount", "currency"):
            assert t[column].notna().all(), (name, column)
        assert t["txn_id"].is_unique, name
        assert (t["amount"].astype(float) > 0).all(), name


def test_perturbations_change_what_they_say(world: World) -> None:
    t = world.transactions
    assert "memo" not in _apply(world, "no_memo").transactions.columns
    assert _apply(world, "no_customers").customers is None
    assert _apply(world, "utc_offsets").transactions["ts"].str.endswith("+00:00").all()
    php = _apply(world, "currency_php")
    assert set(php.transactions["currency"]) == {"PHP"}
    assert php.meta["reporting_currency"] == "PHP"
    assert (php.transactions["amount"] > t["amount"] * 40).all()
    assert not _apply(world, "bank_wire").transactions["channel"].isin(
        ["remittance", "wallet"]).any()
    ids = _apply(world, "ids_reformatted")
    assert set(ids.truth["party_id"]) >= set(ids.transactions["sender_id"]) - {None}
    fewer = _apply(world, "fewer_offenders")
    positive = world.truth.loc[world.truth["is_positive"] & (world.truth["role"] == "payer")]
    kept = fewer.truth["party_id"].isin(positive["party_id"]).sum()
    assert kept == max(1, round(len(positive) / 3))


def test_surname_first_reorders_person_names_only() -> None:
    names = pd.Series(["MARIA CRUZ SANTOS", "Riverside Labs LLC", None, "MADONNA"])
    assert surname_first(names).tolist()[:2] == ["SANTOS, MARIA CRUZ", "Riverside Labs LLC"]
    assert surname_first(names).iloc[3] == "MADONNA"


def test_unknown_perturbation_is_refused(world_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="unknown perturbation"):
        perturb_world(world_dir, tmp_path / "x", "no_such_thing")


def test_scan_survives_a_world_changed_in_many_ways(world: World, tmp_path: Path) -> None:
    changed = world
    for name in ("no_beneficiary_country", "no_customers", "utc_offsets", "currency_mixed",
                 "channel_vocabulary", "names_accents", "names_surname_first",
                 "ids_reformatted"):
        changed = _apply(changed, name)
    path = write_world(replace(changed, meta={**changed.meta, "perturbation": "many"}),
                       tmp_path / "world")
    metrics = measure_world(path, tmp_path / "workspace")
    payer = metrics["payer"]
    assert payer.positives > 0
    # far above chance: the beneficiary country comes back from the phone ids
    assert payer.average_precision > 10 * payer.chance_precision

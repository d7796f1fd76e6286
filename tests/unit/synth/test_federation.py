"""A synthetic federation: one global world (the single world, unchanged) split across
institutions with overlapping customers and beneficiaries and names written differently."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from dentrace.cli.main import app
from dentrace.errors import ConfigError
from dentrace.synth import generate_world
from dentrace.synth.federation import generate_federation, written_name

NAMES = ["bank-1", "bank-2", "remitter-3", "ewallet-4", "exchange-5"]


@pytest.fixture(scope="module")
def federation(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("federation")
    generate_federation(out, 5, seed=11, scale=0.01)
    return out


def _read(folder: Path, name: str) -> pd.DataFrame:
    if name == "transactions":
        return pd.read_parquet(folder / "transactions" / "part-00000.parquet")
    return pd.read_parquet(folder / f"{name}.parquet")


def test_the_global_world_is_the_single_world_unchanged(federation: Path,
                                                        tmp_path: Path) -> None:
    generate_world(tmp_path / "single", seed=11, scale=0.01, fmt="parquet")
    for path in sorted((tmp_path / "single").rglob("*.parquet")):
        relative = path.relative_to(tmp_path / "single")
        assert (federation / "global" / relative).read_bytes() == path.read_bytes(), relative


def test_institutions_overlap_on_beneficiaries_and_customers(federation: Path) -> None:
    meta = json.loads((federation / "federation.json").read_text(encoding="utf-8"))
    assert [i["name"] for i in meta["institutions"]] == NAMES
    beneficiaries = [set(_read(federation / n, "transactions")["beneficiary_id"])
                     for n in NAMES]
    shared = set.intersection(*beneficiaries[:3])
    assert len(shared) > 10  # the same outside accounts are paid from several institutions
    world = _read(federation / "global", "transactions")
    held = pd.concat([_read(federation / n, "transactions") for n in NAMES])
    assert set(world["txn_id"]) == set(held["txn_id"])  # every payment is held somewhere
    customers = pd.concat([_read(federation / n, "customers").assign(inst=n) for n in NAMES])
    assert len(customers) > len(_read(federation / "global", "customers"))  # dual-homed
    # a dual-homed customer has a second account number, not the global one
    assert not customers["customer_id"].duplicated().any()


def test_each_institution_writes_names_its_own_way(federation: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("dentrace.synth.federation.TYPO_RATE", 0.0)
    assert written_name("Maria Dela Cruz", "SURNAME, Given", 1, 1, "p") == "CRUZ, Maria Dela"
    assert written_name("Jürgen Müller", "ascii", 1, 2, "q") == "Juergen Mueller"
    assert written_name("Nguyễn Văn Minh", "ascii", 1, 2, "q") == "Nguyen Van Minh"
    assert written_name("Mark Anthony Reyes", "initials", 1, 3, "r") == "M. A. Reyes"
    assert written_name("Northstar Digital AB", "initials", 1, 3, "r") == "Northstar Digital AB"
    monkeypatch.setattr("dentrace.synth.federation.TYPO_RATE", 1.0)
    typo = written_name("Rowena Bautista", "as written", 1, 0, "s")
    assert typo != "Rowena Bautista" and abs(len(typo) - len("Rowena Bautista")) <= 1
    monkeypatch.undo()
    names = {}
    for n in NAMES:
        frame = _read(federation / n, "transactions")
        names[n] = dict(zip(frame["beneficiary_id"], frame["beneficiary_name"], strict=False))
    common = set(names["bank-1"]) & set(names["bank-2"])
    differing = sum(names["bank-1"][p] != names["bank-2"][p] for p in common)
    assert differing > len(common) / 2


def test_truth_and_known_are_each_institutions_own(federation: Path) -> None:
    global_known = _read(federation / "global", "known")
    spread = pd.concat([_read(federation / n, "known") for n in NAMES])
    assert len(spread) <= len(global_known) and len(spread) >= len(global_known) // 2
    for n in NAMES:
        payments, truth = _read(federation / n, "transactions"), _read(federation / n, "truth")
        seen = set(payments["sender_id"]) | set(payments["beneficiary_id"]) | set(
            _read(federation / n, "customers")["customer_id"])
        assert set(truth["party_id"]) <= seen
        assert set(_read(federation / n, "known")["party_id"]) <= seen


def test_generate_federation_from_the_command_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["generate", "--federation", "3", "--out",
                                      str(tmp_path / "fed"), "--scale", "0.01",
                                      "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "3 institutions over" in result.output and "remitter-3 (remitter" in result.output
    assert (tmp_path / "fed" / "bank-2" / "transactions" / "part-00000.csv").is_file()
    with pytest.raises(ConfigError, match="2 to 10 institutions"):
        generate_federation(tmp_path / "x", 1)

"""A small generated world follows the contract, is deterministic and has realistic populations."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dentrace.contract.schema import CHANNELS, CUSTOMERS, KNOWN, TRANSACTIONS, TRUTH
from dentrace.errors import ConfigError
from dentrace.synth import POPULATIONS, generate_world
from dentrace.synth.writer import PARQUET_ROW_GROUP, TableFile

SCALE = 0.02


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    generate_world(out, seed=11, scale=SCALE, fmt="parquet")
    return out


@pytest.fixture(scope="module")
def tables(world: Path) -> dict[str, pd.DataFrame]:
    payments = pd.concat(pd.read_parquet(p) for p in sorted((world / "transactions").glob("*")))
    return {"transactions": payments, "customers": pd.read_parquet(world / "customers.parquet"),
            "known": pd.read_parquet(world / "known.parquet"),
            "truth": pd.read_parquet(world / "truth.parquet")}


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def test_same_seed_gives_identical_files_and_other_seed_differs(tmp_path: Path) -> None:
    generate_world(tmp_path / "a", seed=4, scale=SCALE, fmt="csv")
    generate_world(tmp_path / "b", seed=4, scale=SCALE, fmt="csv")
    generate_world(tmp_path / "c", seed=5, scale=SCALE, fmt="csv")
    a, b, c = (_files(tmp_path / x) for x in "abc")
    assert a == b
    assert a["transactions/part-00000.csv"] != c["transactions/part-00000.csv"]
    assert json.loads(a["world.json"])["seed"] == 4


def test_files_have_the_contract_columns(tables: dict[str, pd.DataFrame]) -> None:
    for name, table in ((TRANSACTIONS, "transactions"), (CUSTOMERS, "customers"),
                        (KNOWN, "known"), (TRUTH, "truth")):
        assert list(tables[table].columns) == name.names


def test_payments_are_valid_contract_rows(tables: dict[str, pd.DataFrame]) -> None:
    pay = tables["transactions"]
    assert pay["txn_id"].is_unique
    assert pay["ts"].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d").all()
    assert (pay["amount"] > 0).all()
    assert pay["currency"].nunique() == 1
    assert set(pay["channel"]) <= set(CHANNELS)
    assert pay[["sender_id", "beneficiary_id"]].notna().all().all()
    assert pay["memo"].isna().mean() > 0.3  # memos are often empty


def test_truth_covers_every_sender_and_beneficiary(tables: dict[str, pd.DataFrame]) -> None:
    pay, truth = tables["transactions"], tables["truth"]
    parties = set(pay["sender_id"]) | set(pay["beneficiary_id"])
    assert parties <= set(truth["party_id"])
    assert truth["party_id"].is_unique
    assert set(truth["role"]) == {"payer", "facilitator"}
    assert set(tables["customers"]["customer_id"]) <= set(truth["party_id"])


def test_every_population_is_present_in_sane_proportions(tables: dict[str, pd.DataFrame]) -> None:
    truth = tables["truth"]
    customers = truth[truth["party_id"].isin(tables["customers"]["customer_id"])]
    share = customers["population"].value_counts(normalize=True)
    assert set(POPULATIONS) <= set(share.index)
    assert share["ordinary"] > 0.6
    assert share["diaspora"] > share["offender"]
    positives = truth[truth["is_positive"]]
    assert set(positives["population"]) == {"offender", "facilitator"}


def _payments_of(tables: dict[str, pd.DataFrame], payer: str, receiver: str) -> pd.DataFrame:
    truth = tables["truth"].set_index("party_id")["population"]
    pay = tables["transactions"]
    chosen = pay[(pay["sender_id"].map(truth) == payer)
                 & (pay["beneficiary_id"].map(truth) == receiver)].copy()
    chosen["when"] = pd.to_datetime(chosen["ts"].str.slice(0, 19))
    return chosen


def test_offenders_pay_less_and_more_often_than_diaspora_families(
        tables: dict[str, pd.DataFrame]) -> None:
    abuse = _payments_of(tables, "offender", "facilitator")
    family = _payments_of(tables, "diaspora", "family_recipient")
    assert abuse["amount"].median() < family["amount"].median()

    def median_gap_days(frame: pd.DataFrame) -> float:
        gaps = frame.sort_values("when").groupby("sender_id")["when"].diff().dropna()
        return float(gaps.dt.total_seconds().median() / 86400)

    assert median_gap_days(abuse) < median_gap_days(family)


def test_facilitators_are_shared_by_several_offenders(tables: dict[str, pd.DataFrame]) -> None:
    abuse = _payments_of(tables, "offender", "facilitator")
    payers = abuse.groupby("beneficiary_id")["sender_id"].nunique()
    assert payers.median() >= 2
    truth = tables["truth"]
    facilitators = truth[truth["population"] == "facilitator"]
    assert facilitators["group_id"].notna().all()


def test_known_file_honours_the_fractions(tmp_path: Path) -> None:
    summary = generate_world(tmp_path, seed=2, scale=SCALE, fmt="csv", known_offenders=0.5,
                             known_facilitators=0.4)
    known = pd.read_csv(tmp_path / "known.csv", dtype=str)
    truth = pd.read_csv(tmp_path / "truth.csv", dtype=str).set_index("party_id")
    n_off = summary.populations["offender"]
    counts = known["label"].value_counts()
    assert counts["offender"] == round(0.5 * n_off)
    assert counts["facilitator"] == round(0.4 * summary.facilitators)
    assert counts["cleared"] >= 3
    labels = known.set_index("party_id")["label"]
    assert (truth.loc[labels[labels == "offender"].index, "population"] == "offender").all()
    assert (truth.loc[labels[labels == "cleared"].index, "is_positive"] == "false").all()


def test_account_ids_do_not_reveal_the_population(tables: dict[str, pd.DataFrame]) -> None:
    truth = tables["truth"]
    ph = tables["transactions"].drop_duplicates("beneficiary_id")
    ph = ph[ph["beneficiary_country"] == "PH"].merge(truth, left_on="beneficiary_id",
                                                     right_on="party_id")

    def shape(party_id: str) -> str:
        return re.sub(r"[0-9]", "9", re.sub(r"[a-z]", "a", party_id))

    shapes = ph.groupby("population")["beneficiary_id"].agg(lambda s: set(map(shape, s)))
    assert shapes["facilitator"] & shapes["family_recipient"]
    assert not truth["party_id"].str.contains("FAC|OFF|den", case=False).any()


def test_bad_options_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="format"):
        generate_world(tmp_path, fmt="xlsx")
    with pytest.raises(ConfigError, match="known-offenders"):
        generate_world(tmp_path, scale=SCALE, known_offenders=1.5)


def test_batches_join_into_one_consistent_world(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import dentrace.synth.batch as batch_module
    import dentrace.synth.world as world_module

    monkeypatch.setattr(batch_module, "BATCH_CUSTOMERS", 200)
    monkeypatch.setattr(world_module, "BATCH_CUSTOMERS", 200)
    summary = generate_world(tmp_path, seed=9, scale=SCALE, fmt="parquet")
    parts = sorted((tmp_path / "transactions").glob("part-*.parquet"))
    assert len(parts) == 3  # 500 customers in batches of 200
    pay = pd.concat(pd.read_parquet(p) for p in parts)
    truth = pd.read_parquet(tmp_path / "truth.parquet")
    customers = pd.read_parquet(tmp_path / "customers.parquet")
    assert len(pay) == summary.transactions and pay["txn_id"].is_unique
    assert len(customers) == summary.customers == 500
    assert truth["party_id"].is_unique
    assert set(pay["sender_id"]) | set(pay["beneficiary_id"]) <= set(truth["party_id"])


def test_world_json_describes_the_world(world: Path, tables: dict[str, pd.DataFrame]) -> None:
    info = json.loads((world / "world.json").read_text())
    assert info["seed"] == 11 and info["scale"] == SCALE
    assert info["generator_version"].startswith("dentrace-synth")
    assert info["transactions"] == len(tables["transactions"])
    assert sum(info["populations"].values()) == info["customers"] == len(tables["customers"])
    assert info["institution"]["currency"] == tables["transactions"]["currency"].iloc[0]
    days = pd.to_datetime(tables["transactions"]["ts"].str.slice(0, 10))
    assert str(days.min().date()) >= info["date_from"]
    assert str(days.max().date()) <= info["date_to"]
    assert set(info["offender_kinds"]) == {"one-off", "steady", "escalating", "heavy"}


def test_public_surface_is_exactly_the_documented_names() -> None:
    import dentrace.synth as synth

    assert sorted(synth.__all__) == ["POPULATIONS", "WorldSummary", "generate_world"]


def test_regenerating_in_another_format_leaves_no_stale_files(tmp_path: Path) -> None:
    generate_world(tmp_path, seed=1, scale=SCALE, fmt="csv")
    generate_world(tmp_path, seed=1, scale=SCALE, fmt="parquet")
    assert not list(tmp_path.rglob("*.csv"))
    assert (tmp_path / "truth.parquet").is_file()


def test_truth_groups_tie_dens_families_and_businesses(tables: dict[str, pd.DataFrame]) -> None:
    truth = tables["truth"]
    offenders = truth[truth["population"] == "offender"]
    assert offenders["group_id"].str.startswith("den-").all()
    dens = set(truth.loc[truth["population"] == "facilitator", "group_id"])
    assert set(offenders["group_id"]) & dens
    family = truth[truth["population"].isin(["diaspora", "family_recipient"])]
    assert family["group_id"].str.startswith("family-").all()
    assert truth.loc[truth["population"] == "ordinary", "group_id"].isna().all()


def test_parquet_tables_are_written_in_row_groups_a_reader_can_share(tmp_path: Path) -> None:
    # a reader loads a row group per thread: pyarrow's default of 1,048,576 rows would leave
    # one core loading most of a file (docs/performance.md, "What bounds the ingest per file")
    out = TableFile(tmp_path / "t.parquet", "parquet")
    out.write(pa.table({"n": list(range(300_000))}))
    out.write(pa.table({"n": list(range(10))}))
    out.close()
    meta = pq.ParquetFile(tmp_path / "t.parquet").metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [
        PARQUET_ROW_GROUP, PARQUET_ROW_GROUP, 300_000 - 2 * PARQUET_ROW_GROUP, 10]
    assert pq.read_table(tmp_path / "t.parquet")["n"].to_pylist() == [
        *range(300_000), *range(10)]

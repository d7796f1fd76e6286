"""The registry of feature columns is the one list: the scan's tables, the party state's live
rows, the documentation table, the indicators' reads and the shipped models' inputs all name
exactly its columns, and each family's batch and live forms exist."""

from __future__ import annotations

import importlib
import re
from datetime import UTC
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pytest

from dentrace.detect.config import load_config
from dentrace.detect.indicators import catalogue
from dentrace.features import build_party_features, registry
from dentrace.features.rows import FeatureRows
from dentrace.model.shipped import STAGE2, load_shipped_scorer
from dentrace.state.features import GraphContext, facilitator_vector, payer_vector
from dentrace.state.flags import PaymentFlagger
from dentrace.state.fold import PartyState
from tests.unit.features.toy_payments import mixed_world, warehouse

DOCS = Path(__file__).resolve().parents[3] / "docs" / "indicators.md"
ROLES = ("payer", "facilitator")


@pytest.fixture(scope="module")
def world() -> list[dict[str, object]]:
    return mixed_world()[::3]  # every third payment: enough for every column, quick


def test_the_scan_tables_have_exactly_the_registry_columns(
        world: list[dict[str, object]]) -> None:
    tables = build_party_features(warehouse(world, known=[("fac-1", "facilitator")]))
    for role in ROLES:
        assert sorted(tables[role].columns) == sorted(registry.columns(role)), role


def test_the_live_rows_have_exactly_the_registry_columns(
        world: list[dict[str, object]]) -> None:
    config = load_config()
    flagger = PaymentFlagger(config.features, "USD")
    state = PartyState(config.features.small_band("USD"), config.features.recent_days)
    for row in world:
        ts = pd.Timestamp(row["ts_utc"]).tz_localize(UTC).to_pydatetime()
        state.add(flagger.flag(row, ts, float(row["amount_ref"])))  # type: ignore[arg-type]
    graph = GraphContext()
    payer = payer_vector(state, next(iter(state.payers)), graph)
    facilitator = facilitator_vector(state, next(iter(state.beneficiaries)), graph)
    assert sorted(payer) == sorted(registry.columns("payer"))
    # a live facilitator row carries its payers' scores (the scan adds them after scoring)
    assert sorted(facilitator) == sorted(registry.columns("facilitator", scored=True))


def test_every_family_names_forms_that_exist() -> None:
    for family in registry.FAMILIES:
        for dotted in (family.batch, family.live):
            module, _, name = dotted.rpartition(".")
            assert hasattr(importlib.import_module(module), name), dotted
    assert len(registry.COLUMNS) == sum(len(f.columns) for f in registry.FAMILIES)


def test_the_documentation_table_lists_exactly_the_registry_columns() -> None:
    text = DOCS.read_text(encoding="utf-8")
    table = text[text.index("## Feature table"):]
    documented: set[str] = set()
    for line in table.splitlines():
        found = re.match(r"\| (`[^|]*`) \|", line)
        if not found:
            continue
        base = ""
        for name in re.findall(r"`([a-z0-9_]+)`", found.group(1)):
            # "`corridor_amount_median` / `_mean`": a suffix replaces the last word
            documented.add(base.rsplit("_", 1)[0] + name if name.startswith("_") else name)
            base = name if not name.startswith("_") else base
    assert documented == {name for _, name in registry.COLUMNS}


class _Recording(FeatureRows):
    """Feature rows that note every column an indicator asks for."""

    def __init__(self, party_ids: list[str]) -> None:
        super().__init__(party_ids, [], matrix=np.zeros((0, len(party_ids))))
        self.asked: set[str] = set()

    def column(self, name: str) -> np.ndarray:
        self.asked.add(name)
        return super().column(name)


def test_indicators_read_only_registered_columns() -> None:
    config = load_config()
    for code, indicator in catalogue().items():
        for role in indicator.roles:
            rows = _Recording(["a", "b"])
            indicator.strength(rows, role, config.indicators[code])
            assert rows.asked, code
            assert rows.asked <= set(registry.columns(role, scored=True)), (code, role)


@pytest.mark.parametrize(("role", "name"), [("payer", None), ("facilitator", None),
                                            ("payer", STAGE2["payer"])])
def test_shipped_model_inputs_are_registered_columns(role: str, name: str | None) -> None:
    shipped = load_shipped_scorer(role, name=name)
    if shipped is None:
        pytest.skip(f"no shipped {name or role} model")
    assert set(shipped.feature_names_) <= set(registry.columns(role, scored=True))


def test_night_is_one_definition_for_both_forms() -> None:
    hours = list(range(24))
    for start, end in ((22, 5), (0, 6), (21, 21), (23, 0)):
        table = ibis.memtable({"hour": hours})
        batch = table.select(n=registry.is_night(table.hour, start, end)).to_pandas()["n"]
        live = [bool(registry.is_night(h, start, end)) for h in hours]
        assert batch.tolist() == live
        assert registry.night_hours(start, end) == tuple(
            h for h in (*range(start, 24), *range(start)) if live[h])
    assert registry.night_hours(22, 5) == (22, 23, 0, 1, 2, 3, 4)

"""Keyword families match whole words with Unicode letters as word characters, in DuckDB as in
Spark and Python: 'MARTÍNEZ' holds no organisation word 'mart' (RE2's ASCII \\b found one)."""

from __future__ import annotations

import re

from dentrace.engine.duckdb import DuckDBEngine
from dentrace.features.build import _flagged
from dentrace.features.settings import FeatureSettings
from tests.unit.features.toy_payments import payment, warehouse

NAMES = {"person": "Jorge Martínez", "accented-word": "Café Mart", "shop": "Coles Mart",
         "inside": "Walmart Store"}


def test_a_person_with_an_accented_name_is_no_organisation() -> None:
    rows = [payment(key, "s1", f"b-{key}", float(i), 40.0, channel=None, beneficiary_name=name,
                    memo="gift")
            for i, (key, name) in enumerate(NAMES.items())]
    rows.append(payment("typed", "s1", "b-typed", 9.0, 40.0, memo="gift"))  # a typed channel
    engine = DuckDBEngine(warehouse(rows))
    flags = engine.to_pandas(_flagged(engine, FeatureSettings(), "USD")).set_index("txn_id")
    # without a channel, a payment to an organisation is not counted as a corridor payment
    assert flags.loc["person", "is_corridor"]
    assert not flags.loc["accented-word", "is_corridor"]
    assert not flags.loc["shop", "is_corridor"] and not flags.loc["inside", "is_corridor"]


def test_engine_and_python_patterns_agree_on_accented_text() -> None:
    settings = FeatureSettings()
    python = re.compile(settings.pattern(settings.organisation_words))
    con = DuckDBEngine(warehouse([payment("x", "s", "b", 0.0, 1.0, memo="m")])).con
    engine = settings.pattern(settings.organisation_words, engines=True)
    for text in ["jorge martínez", "martín mart", "ñmart", "mart", "art mart_", "x air y",
                 "hotel", "fundación", "s.a.", "mártir"]:
        found = con.execute("SELECT regexp_matches(?, ?)", [text, engine]).fetchone()[0]
        assert found == bool(python.search(text)), text

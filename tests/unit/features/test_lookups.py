"""Payment flags read through per-value lookups: messy channel words, blank or padded
countries, NULLs, +00:00 stamps and family evidence give what the per-row rules give, and the
materialised lookups (the scan's path) give the same table as the inline expressions."""

from __future__ import annotations

from typing import Any

import pandas as pd

from dentrace.engine.duckdb import DuckDBEngine
from dentrace.features.build import _flagged
from dentrace.features.lookups import lookup_tables
from dentrace.features.payments import flag_payments
from dentrace.features.settings import FeatureSettings
from tests.unit.features.toy_payments import family, mixed_world, payment, warehouse


def _stamped_utc(row: dict[str, Any]) -> dict[str, Any]:
    """The row as a system that stamps every payment +00:00 reports it."""
    return row | {"utc_offset_min": 0, "ts_local": row["ts_utc"]}


def _messy() -> list[dict[str, Any]]:
    return [
        payment("mto", "s1", "b1", 0, 40.0, channel=" MTO ", memo="School FEES"),
        payment("null-channel-org", "s1", "b2", 1, 40.0, channel=None,
                beneficiary_name="Manila Sky Airways"),
        payment("null-channel-person", "s1", "b3", 2, 40.0, channel=None,
                beneficiary_name="Liza Garcia"),
        payment("blank-country", "s2", "+63 917 123 4567", 3, 40.0, beneficiary_country="  "),
        payment("padded-country", "s2", "b4", 4, 40.0, beneficiary_country=" ph "),
        payment("no-country", "s2", "4711", 5, 40.0, beneficiary_country=None),
        _stamped_utc(payment("utc-stamp", "s3", "b5", 6, 40.0, sender_country="au", hour=23)),
        payment("null-sender-country", "s3", "b6", 7, 40.0, sender_country=None),
        payment("card-abroad", "s3", "b7", 8, 40.0, channel="POS", beneficiary_name=None),
        payment("wallet", "s3", "b8", 9, 40.0, channel="GCash"),
    ]


def _flags(con: Any, inline: bool) -> pd.DataFrame:
    engine = DuckDBEngine(con)
    settings = FeatureSettings()
    if inline:
        expr = flag_payments(engine.transactions(), settings, "USD")
    else:
        expr = _flagged(engine, settings, "USD")
    return engine.to_pandas(expr).set_index("txn_id").sort_index()


def test_messy_values_read_as_the_per_row_rules_read_them() -> None:
    flags = _flags(warehouse(_messy()), inline=False)
    assert flags.loc["mto", "is_remittance"] and flags.loc["mto", "is_corridor"]
    assert flags.loc["mto", "is_cover"] and not flags.loc["wallet", "is_cover"]
    assert not flags.loc["null-channel-org", "is_corridor"]  # an airline, no channel
    assert flags.loc["null-channel-person", "is_corridor"]
    assert flags.loc["blank-country", "beneficiary_country"] == "PH"
    assert flags.loc["blank-country", "is_corridor"]
    assert flags.loc["padded-country", "beneficiary_country"] == "PH"
    assert pd.isna(flags.loc["no-country", "beneficiary_country"])
    assert not flags.loc["no-country", "is_corridor"] and flags.loc["no-country", "is_foreign"]
    # 13:00 stamped +00:00 by a sender in AU: 23:00 local (+10 h), a night payment
    assert flags.loc["utc-stamp", "is_night"]
    assert flags.loc["null-sender-country", "is_foreign"]
    assert flags.loc["card-abroad", "is_card"] and not flags.loc["card-abroad", "is_corridor"]
    assert flags.loc["card-abroad", "is_travel_high_risk"]  # card spend in a high-risk country
    assert flags.loc["wallet", "is_wallet"] and not flags.loc["wallet", "is_remittance"]


def test_materialised_lookups_give_the_inline_table() -> None:
    rows = mixed_world() + _messy()
    materialised = _flags(warehouse(rows), inline=False)
    inline = _flags(warehouse(rows), inline=True)
    assert list(materialised.columns) == list(inline.columns)
    pd.testing.assert_frame_equal(materialised, inline)


def test_family_evidence_covers_every_payment_of_a_corridor_pair() -> None:
    card = payment("f-card", "f", "f-mum", 100, 20.0, channel="card",
                   sender_name="Jose Santos", beneficiary_name="Lorna Santos")
    rows = [*family("f", months=3), card]
    flags = _flags(warehouse(rows), inline=False)
    assert flags["is_family"].all()
    assert not flags.loc["f-card", "is_corridor"]


def test_one_lookup_row_per_distinct_value() -> None:
    engine = DuckDBEngine(warehouse(_messy() + _messy()[:3]))
    tables = lookup_tables(engine.transactions(), FeatureSettings())
    sizes = {name: len(engine.to_pandas(table)) for name, table in tables.items()}
    # channels: ' MTO ', 'remittance', 'POS', 'GCash' (NULL joins nothing)
    assert sizes["channels"] == 4
    # ids of payments without a stated country only
    assert set(engine.to_pandas(tables["ids"])["id_key"]) == {"+63 917 123 4567", "4711"}
    assert sizes["offsets"] == 2  # 'AU' and 'au'

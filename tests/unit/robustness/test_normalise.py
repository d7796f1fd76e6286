"""The engine's reading of values as they come in real data: channel words, countries proven
by ids, local time of +00:00 stamps, names in any order, case or accents, foreign currencies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import ibis
import pandas as pd
import pytest

from dentrace.detect.config import load_config
from dentrace.errors import ConfigError
from dentrace.features.normalise import (
    beneficiary_country_of,
    channel_of,
    fold_name,
    local_hour,
)
from dentrace.features.payments import flag_payments, shares_surname
from dentrace.features.settings import FeatureSettings
from tests.unit.features.toy_payments import payment

TEXT = ("sender_name", "beneficiary_name", "beneficiary_country", "sender_country", "memo",
        "channel", "beneficiary_id")


def _typed(frame: pd.DataFrame) -> ibis.Table:
    """A memtable whose all-missing text columns are still strings."""
    return ibis.memtable(frame.astype({c: "string" for c in TEXT if c in frame.columns}))


def _run(frame: pd.DataFrame, **columns: Any) -> pd.DataFrame:
    t = _typed(frame)
    return t.mutate(**{k: f(t) for k, f in columns.items()}).execute()


def test_channel_synonyms_map_to_contract_channels() -> None:
    words = ["MTO", " Western Union ", "P2P", "SEPA", "swift", "POS", "remittance", "Zapper"]
    out = _run(pd.DataFrame({"c": words}),
               ch=lambda t: channel_of(t.c, FeatureSettings().channel_aliases))
    assert list(out["ch"]) == ["remittance", "remittance", "wallet", "transfer", "wire",
                               "card", "remittance", "zapper"]


def test_config_extends_channel_aliases(tmp_path: Any) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[features.channel_aliases]\n"Padala" = "Remittance"\n')
    aliases = load_config(cfg).features.channel_aliases
    assert aliases["padala"] == "remittance" and aliases["mto"] == "remittance"
    with pytest.raises(ConfigError, match="channel_aliases"):
        FeatureSettings.from_mapping({"channel_aliases": ["mto"]}, "c.toml")


def test_beneficiary_country_from_solid_id_evidence_only() -> None:
    ids = ["+639171234567", "0066 81 234 5678", "RO49AAAA1B31007593840000",
           "RO49AAAA1B3100759384", "+15551234567", "+18095551234", "12345", "+63917"]
    out = _run(pd.DataFrame({"beneficiary_id": ids, "beneficiary_country": [None] * 8}),
               c=beneficiary_country_of)
    # short IBAN, +1 (US/CA), plain ids and too-short phones stay unknown, never domestic
    assert out["c"].tolist()[:3] == ["PH", "TH", "RO"]
    assert out["c"].iloc[5] == "DO"
    assert out["c"].iloc[[3, 4, 6, 7]].isna().all()


def test_stated_beneficiary_country_wins_over_the_id() -> None:
    out = _run(pd.DataFrame({"beneficiary_id": ["+639171234567"],
                             "beneficiary_country": ["th"]}), c=beneficiary_country_of)
    assert out["c"].iloc[0] == "TH"


def test_utc_stamp_shifted_to_the_senders_typical_zone() -> None:
    at = datetime(2024, 3, 1, 12, 0)
    frame = pd.DataFrame({
        "ts_utc": [at] * 4, "ts_local": [at, at, at, datetime(2024, 3, 1, 22, 0)],
        "utc_offset_min": [0, 0, 0, 600],
        "sender_country": ["AU", "GB", None, "AU"],
    })
    # AU +00:00 -> 22 h in Sydney; GB and unknown countries keep the stamp; a real offset wins
    assert _run(frame, h=local_hour)["h"].tolist() == [22, 12, 12, 22]


def test_names_match_in_any_order_case_or_accents() -> None:
    frame = pd.DataFrame({"s": ["SANTOS, MARIA", "José Muñoz", "M. REYES", "John Smith"],
                          "b": ["Ana Santos", "ANA MUNOZ", "Liza Reyes", "Ana Cruz"]})
    out = _run(frame, fam=lambda t: shares_surname(t.s, t.b, 3),
               folded=lambda t: fold_name(t.s))
    assert out["fam"].tolist() == [True, True, True, False]
    assert out["folded"].iloc[1] == "jose munoz"


def _flags(rows: list[dict[str, Any]], currency: str = "USD") -> pd.DataFrame:
    return flag_payments(_typed(pd.DataFrame(rows)), FeatureSettings(),
                         currency).execute().set_index("txn_id")


def test_corridor_payment_without_beneficiary_country_or_contract_channel() -> None:
    rows = [payment("t1", "s", "+639171234567", 0, 40.0, beneficiary_country=None,
                    channel="MTO"),
            payment("t2", "s", "4711", 1, 40.0, beneficiary_country=None, channel="MTO"),
            payment("t3", "s", "+639171234567", 2, 40.0, channel="POS")]
    flags = _flags(rows)
    assert flags.loc["t1", "is_corridor"] and flags.loc["t1", "is_remittance"]
    assert flags.loc["t1", "beneficiary_country"] == "PH"
    assert not flags.loc["t2", "is_corridor"]  # unknown country: not counted, not domestic
    assert bool(flags.loc["t2", "is_foreign"])
    assert not flags.loc["t3", "is_corridor"] and flags.loc["t3", "is_card"]


def test_small_band_in_a_currency_outside_the_coarse_table() -> None:
    lo, hi = FeatureSettings().small_band("KRW")
    assert 10_000 < lo < 20_000 and 150_000 < hi < 250_000
    rows = [payment("t1", "s", "b", 0, 50.0) | {"amount": 66_000.0, "currency": "KRW",
                                                 "amount_ref": 66_000.0}]
    assert _flags(rows, "KRW").loc["t1", "is_small"]


def test_without_channel_payments_to_organisations_are_not_corridor_transfers() -> None:
    rows = [payment("t1", "s", "b1", 0, 40.0, channel=None,
                    beneficiary_name="Hope for Kids Intl"),
            payment("t2", "s", "b2", 1, 40.0, channel=None, beneficiary_name="Manila Sky Airways"),
            payment("t3", "s", "b3", 2, 40.0, channel=None, beneficiary_name="Liza Garcia"),
            payment("t4", "s", "b1", 3, 40.0, channel="transfer",
                    beneficiary_name="Hope for Kids Intl")]
    corridor = _flags(rows)["is_corridor"]
    assert corridor.tolist() == [False, False, True, True]

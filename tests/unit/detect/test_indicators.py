"""Each indicator on small hand-built data: it fires when it should and stays quiet otherwise."""

from __future__ import annotations

import pandas as pd
import pytest

from dentrace.detect.config import load_config
from dentrace.detect.indicators import Context, catalogue
from dentrace.detect.payer_suspicion import corridor_pairs, with_payer_suspicion
from dentrace.detect.rules import IndicatorScorer
from dentrace.features import build_party_features
from dentrace.features.build import PAIRS_TABLE
from dentrace.features.rows import FeatureRows
from tests.unit.features.toy_payments import (
    charity_donor,
    family,
    mixed_world,
    payment,
    shopper,
    warehouse,
)


def _extra_payers() -> list[dict]:
    rows = []
    for i in range(3):
        rows.append(payment(f"w{i}", "viewer", "cam-merchant", day=i * 10.0, amount=40.0,
                            beneficiary_name="LiveJasmin Webcams", beneficiary_country="NL",
                            channel="card"))
    rows.append(payment("t1", "traveller", "airline", day=5.0, amount=600.0,
                        beneficiary_name="Cebu Pacific Air", beneficiary_country="PH",
                        channel="card"))
    rows.append(payment("t2", "traveller", "hotel", day=9.0, amount=300.0,
                        beneficiary_name="Manila Bay Hotel", beneficiary_country="PH",
                        channel="card"))
    rows += [payment(f"t3-{i}", "traveller", "traveller-gf", day=20.0 + i * 5, amount=60.0)
             for i in range(4)]
    for i in range(8):  # cover stories only, to several kin sharing his surname
        rows.append(payment(f"k{i}", "kinsman", f"kin-{i % 4}", day=i * 20.0, amount=80.0 + i,
                            sender_name="Ramon Bautista", beneficiary_name="Liza Bautista",
                            memo="school fees"))
    return rows


@pytest.fixture(scope="module")
def strengths() -> dict[str, pd.DataFrame]:
    rows = mixed_world() + _extra_payers() + shopper("shopper") + family("family")
    rows += charity_donor("donor")
    con = warehouse(rows, known=[("fac-1", "facilitator")])
    tables = build_party_features(con)
    config = load_config()
    # the second stage, as the scan runs it: facilitators read their payers' scores
    payers = tables["payer"]
    scores = pd.Series(IndicatorScorer("payer", config).fit(payers).score(payers),
                       index=payers.index)
    tables["facilitator"] = with_payer_suspicion(tables["facilitator"],
                                                 corridor_pairs(con, PAIRS_TABLE), scores)
    out = {}
    for role, frame in tables.items():
        columns = {code: ind.strength(FeatureRows.of_frame(frame), role,
                                      config.indicators[code])
                   for code, ind in catalogue().items() if role in ind.roles}
        out[role] = pd.DataFrame(columns, index=frame.index)
    return out


FIRES = [
    ("payer", "SMALL_CORRIDOR", "lone", "family"),
    ("payer", "HIGH_FREQUENCY", "lone", "family"),
    ("payer", "ESCALATION", "lone", "donor"),
    ("payer", "MANY_BENEFICIARIES", "lone", "kinsman"),
    ("payer", "NIGHT", "lone", "family"),
    ("payer", "COVER_MEMO", "lone", "family"),
    ("payer", "WEBCAM_SPEND", "viewer", "shopper"),
    ("payer", "TRAVEL", "traveller", "shopper"),
    ("payer", "PAYS_COLLECTOR", "off1", "lone"),
    ("payer", "KNOWN_LINK", "off1", "family"),
    ("payer", "CO_PAYERS", "off1", "lone"),
    ("facilitator", "PAYER_PROFILE", "fac-2", "charity-1"),
    ("facilitator", "FAN_IN", "fac-2", "charity-1"),
    ("facilitator", "SHARED_PAYERS", "fac-2", "lone-b0"),
    ("facilitator", "SUSPECTED_PAYERS", "fac-2", "charity-1"),
    ("facilitator", "DEN_CLUSTER", "fac-2", "charity-1"),
    ("facilitator", "NIGHT", "fac-2", "charity-1"),
    ("facilitator", "KNOWN_LINK", "fac-2", "charity-1"),
]


@pytest.mark.parametrize(("role", "code", "fires_for", "quiet_for"), FIRES)
def test_indicator_fires_only_when_it_should(strengths, role, code, fires_for, quiet_for):
    table = strengths[role]
    assert table.loc[fires_for, code] >= 0.3, f"{code} should fire for {fires_for}"
    assert table.loc[quiet_for, code] == 0.0, f"{code} should stay quiet for {quiet_for}"


def test_every_indicator_is_covered_by_a_test() -> None:
    tested = {(role, code) for role, code, *_ in FIRES}
    for code, indicator in catalogue().items():
        for role in indicator.roles:
            assert (role, code) in tested or code == "COVER_MEMO", (role, code)


def test_fixed_charity_sums_weaken_small_corridor(strengths) -> None:
    payer = strengths["payer"]
    assert payer.loc["donor", "SMALL_CORRIDOR"] < 0.5 * payer.loc["lone", "SMALL_CORRIDOR"]


def test_cover_words_alone_stay_weak(strengths) -> None:
    assert 0 < strengths["payer"].loc["kinsman", "COVER_MEMO"] <= 0.4


def test_own_known_label_never_fires_known_link(strengths) -> None:
    assert strengths["facilitator"].loc["fac-1", "KNOWN_LINK"] == 0.0


def test_explanations_carry_values() -> None:
    tables = build_party_features(warehouse(mixed_world()))
    config = load_config()
    row = tables["payer"].loc["lone"]
    text = catalogue()["SMALL_CORRIDOR"].explain(row, "payer", config.indicators[
        "SMALL_CORRIDOR"], Context(currency="AUD", countries={"lone": "PH"}), "lone")
    assert "30 payments to 6 beneficiaries in PH" in text and "AUD" in text
    night = catalogue()["NIGHT"].explain(row, "payer", config.indicators["NIGHT"], Context(),
                                         "lone")
    assert "100% of corridor payments between 22:00 and 05:00" in night

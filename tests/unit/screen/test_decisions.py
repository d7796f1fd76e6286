"""Decisions on hand-made payments: an offender-like payer is reviewed or held, a family
remitter is allowed; known parties are held; the live features follow the batch rules."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from dentrace.features.rows import FeatureRows
from dentrace.screen import Screener, Thresholds, contract_payment, empty_screener
from tests.unit.screen.hand_made import (
    collector_traffic,
    family_remitter,
    offender,
    payment,
)


def _screen_all(screener: Screener, rows: list[dict[str, object]]) -> list[dict[str, Any]]:
    return [screener.screen(contract_payment(row)) for row in rows]


@pytest.fixture(scope="module", params=["auto", "rules"])
def screened(request: pytest.FixtureRequest) -> dict[str, Any]:
    screener = empty_screener(scorer=request.param)
    _screen_all(screener, collector_traffic())
    suspect = _screen_all(screener, offender())
    family = _screen_all(screener, family_remitter())
    return {"screener": screener, "suspect": suspect, "family": family}


def test_offender_like_payer_is_reviewed_or_held(screened: dict[str, Any]) -> None:
    last = screened["suspect"][-1]
    assert last["decision"] in ("review", "hold")
    assert last["payer"]["decision"] in ("review", "hold")
    codes = {r["code"] for r in last["payer"]["reasons"]}
    assert codes & {"PAYS_COLLECTOR", "SMALL_CORRIDOR", "CO_PAYERS", "HIGH_FREQUENCY"}
    assert all(r["text"] for r in last["payer"]["reasons"])


def test_family_remitter_is_allowed(screened: dict[str, Any]) -> None:
    assert [d["decision"] for d in screened["family"]] == ["allow"] * 6
    assert screened["family"][-1]["payer"]["score"] < screened["suspect"][-1]["payer"]["score"]


def test_state_counts_follow_the_payments(screened: dict[str, Any]) -> None:
    state = screened["screener"].state
    suspect = state.payers["SUSPECT"]
    assert suspect.n_payments == suspect.n_corridor == 16
    assert state.beneficiaries["COLLECTOR0"].unrelated_small_payers == 6  # five buyers + suspect
    assert state.payers["SON"].pairs["MOTHER"].family
    assert not state.payers["SON"].pairs["MOTHER"].unrelated_small


def test_known_offender_is_held() -> None:
    known = pd.DataFrame({"party_id": ["KNOWNX"], "label": ["offender"]})
    screener = empty_screener(scorer="rules", known=known)
    decision = screener.screen(contract_payment(payment(
        "k1", pd.Timestamp("2026-05-01 12:00").to_pydatetime(), "KNOWNX", "SHOP", 20.0,
        beneficiary_country="AU")))
    assert decision["decision"] == "hold" and decision["payer"]["score"] == 1.0
    assert decision["payer"]["reasons"][0]["code"] == "KNOWN"


def test_thresholds_band() -> None:
    bands = Thresholds({"payer": 0.8, "facilitator": 0.6}, review_ratio=0.5)
    assert [bands.decide("payer", s) for s in (0.1, 0.4, 0.79, 0.8)] == [
        "allow", "review", "review", "hold"]


def test_live_rows_give_the_strengths_of_the_same_rows_as_a_frame(
        screened: dict[str, Any]) -> None:
    """Screening's live rows, one at a time or all in one batch, give the strengths the scan's
    path gives the same rows read from a DataFrame (one indicator input, two constructors)."""
    screener: Screener = screened["screener"]
    from dentrace.state.features import facilitator_vector, payer_vector

    for role, ids, vector in (("payer", screener.state.payers, payer_vector),
                              ("facilitator", screener.state.beneficiaries, facilitator_vector)):
        scorer = screener.scorers[role]
        party_ids = list(ids)
        rows = [vector(screener.state, party_id, screener.graph) for party_id in party_ids]
        frame = pd.DataFrame(rows, index=pd.Index(party_ids, name="party_id"))
        slow = scorer.strengths_of(FeatureRows.of_frame(frame))
        batch = scorer.strengths_of(FeatureRows.of_rows(rows, party_ids))
        assert set(batch) == set(slow) == set(scorer.indicators)
        for j, (party_id, row) in enumerate(zip(party_ids, rows, strict=True)):
            one = scorer.strengths_of(FeatureRows.of_rows([row], [party_id]))
            for code, values in slow.items():
                assert one[code][0] == pytest.approx(values[j], abs=1e-12)
                assert batch[code][j] == pytest.approx(values[j], abs=1e-12)

"""The second stages: a beneficiary's features from its corridor payers' scores, and a payer's
from its co-payers' (the other payers of the beneficiaries it pays)."""

from __future__ import annotations

import pandas as pd
import pytest

from dentrace.detect.payer_suspicion import (
    co_payer_suspicion,
    payer_suspicion,
    with_co_payer_suspicion,
    with_payer_suspicion,
)


def _pairs(rows: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["beneficiary_id", "sender_id"])


def test_max_mean_and_sum_of_the_payers_scores() -> None:
    pairs = _pairs([("den", "o1"), ("den", "o2"), ("den", "viewer"), ("den", "o1"),
                    ("performer", "viewer"), ("performer", "fan")])
    scores = pd.Series({"o1": 0.9, "o2": 0.7, "viewer": 0.02, "fan": 0.0})
    found = payer_suspicion(pairs, scores)
    assert found.loc["den", "payers_score_max"] == pytest.approx(0.9)
    assert found.loc["den", "payers_score_sum"] == pytest.approx(1.62)  # o1 counted once
    assert found.loc["den", "payers_score_mean"] == pytest.approx(0.54)
    assert found.loc["performer", "payers_score_max"] == pytest.approx(0.02)


def test_unscored_payers_count_as_zero_and_unpaid_parties_get_zero() -> None:
    facilitators = pd.DataFrame({"n_payers": [2.0, 0.0]}, index=["b", "lonely"])
    out = with_payer_suspicion(facilitators, _pairs([("b", "x"), ("b", "y")]),
                               pd.Series({"x": 0.8}))
    assert out.loc["b", "payers_score_mean"] == pytest.approx(0.4)
    assert out.loc["lonely", ["payers_score_max", "payers_score_sum"]].tolist() == [0.0, 0.0]
    assert list(out.index) == ["b", "lonely"]


def test_co_payers_are_the_other_payers_of_the_same_beneficiaries() -> None:
    # a den paid by offenders, a performer paid by ordinary buyers; 'viewer' pays both
    pairs = _pairs([("den", "o1"), ("den", "o2"), ("den", "viewer"), ("den", "o1"),
                    ("performer", "viewer"), ("performer", "fan1"), ("performer", "fan2"),
                    ("alone", "solo")])
    scores = pd.Series({"o1": 0.9, "o2": 0.7, "viewer": 0.5, "fan1": 0.1, "fan2": 0.0})
    found = co_payer_suspicion(pairs, scores)
    # leave-one-out: a payer's own score never counts for itself
    assert found.loc["o1", "co_payers_score_max"] == pytest.approx((0.7 + 0.5) / 2)
    assert found.loc["viewer", "co_payers_score_max"] == pytest.approx(0.8)  # den: o1, o2
    # weighted by the other payers: (0.9 + 0.7) + (0.1 + 0.0) over 4 other payers
    assert found.loc["viewer", "co_payers_score_mean"] == pytest.approx(1.7 / 4)
    assert found.loc["fan1", "co_payers_score_max"] == pytest.approx(0.25)
    assert found.loc["solo"].tolist() == [0.0, 0.0]  # no other payer, and unscored


def test_co_payer_columns_join_onto_payer_rows() -> None:
    payers = pd.DataFrame({"n_corridor": [3.0, 0.0]}, index=["viewer", "homebody"])
    out = with_co_payer_suspicion(payers, _pairs([("b", "viewer"), ("b", "x")]),
                                  pd.Series({"x": 0.6, "viewer": 1.0}))
    assert out.loc["viewer", "co_payers_score_max"] == pytest.approx(0.6)
    assert out.loc["homebody", ["co_payers_score_max", "co_payers_score_mean"]].tolist() == [
        0.0, 0.0]
    assert list(out.index) == ["viewer", "homebody"]

"""The second stage: a beneficiary's features from its corridor payers' scores."""

from __future__ import annotations

import pandas as pd
import pytest

from dentrace.detect.payer_suspicion import payer_suspicion, with_payer_suspicion


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

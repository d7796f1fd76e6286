"""The screening scorer gives the scan's scores on a matrix, also when the scan adapted the
shipped model to the institution's known labels (no DataFrame, no multi-threaded predict)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dentrace.detect.config import load_config
from dentrace.features.rows import FeatureRows
from dentrace.model.institution import InstitutionScorer
from dentrace.screen.scoring import RoleScorer


def _features(names: list[str], rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    values = rng.gamma(1.5, 2.0, size=(rows, len(names)))
    values[rng.random(values.shape) < 0.05] = np.nan
    return pd.DataFrame(values, columns=names,
                        index=pd.Index([f"P{seed}-{i}" for i in range(rows)], name="party_id"))


@pytest.mark.parametrize("labelled", [0, 40], ids=["shipped", "adapted"])
def test_role_scorer_matches_the_scan_scorer(labelled: int,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    scorer = InstitutionScorer("payer")
    names = list(scorer._load().feature_names_)
    table = _features(names, 400, seed=1)
    labels = np.full(len(table), np.nan)
    labels[:labelled] = 1.0
    scorer.fit(table, labels)
    assert (scorer.weight_ > 0) == (labelled > 0)

    role = RoleScorer("payer", scorer, load_config())
    later = _features(names, 9, seed=2)  # parties the scan did not fit on
    expected = scorer.score(later)
    if labelled:  # the adaptation raises some scores: the test sees it
        assert (expected > scorer.shipped_.score(later) + 1e-6).any()

    def no_frame(self: FeatureRows) -> pd.DataFrame:
        raise AssertionError("screening scored through a DataFrame")

    monkeypatch.setattr(FeatureRows, "frame", no_frame)
    rows = FeatureRows.of_rows([dict(zip(names, map(float, r), strict=True))
                                for r in later.to_numpy()], list(later.index))
    got = role.scores(rows, role.strengths_of(rows))
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


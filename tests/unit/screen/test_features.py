"""Helpers of the live feature rows give what the batch definitions' numpy calls give."""

from __future__ import annotations

import math

import numpy as np

from dentrace.state.features import _median


def test_median_is_numpys() -> None:
    rng = np.random.default_rng(5)
    for size in (1, 2, 3, 4, 9, 10, 511, 512):
        for _ in range(20):
            values = rng.gamma(1.0, 3.0, size)
            assert _median(values) == float(np.median(values))
    assert math.isnan(_median(np.array([])))
    assert math.isnan(_median(np.array([1.0, np.nan, 2.0])))

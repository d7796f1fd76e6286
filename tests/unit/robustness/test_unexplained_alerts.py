"""A score with no indicator behind it never raises an alert: a model far from its training data
(e.g. a world without beneficiary countries) must not send unexplainable parties to analysts."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from dentrace.detect import scan
from tests.unit.detect.conftest import make_workspace
from tests.unit.features.toy_payments import mixed_world

# the module, not the function dentrace.detect re-exports under the same name
scan_module = importlib.import_module("dentrace.detect.scan")


class _EveryoneHigh:
    """A scorer that has lost its bearings: every party scores 0.9."""

    def fit(self, features: pd.DataFrame, labels: Any = None) -> _EveryoneHigh:
        return self

    def score(self, features: pd.DataFrame) -> np.ndarray:
        return np.full(len(features), 0.9)


def test_alerts_need_a_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = make_workspace(tmp_path, mixed_world(), [])
    monkeypatch.setattr(scan_module, "load_scorer", lambda *args, **kwargs: _EveryoneHigh())
    parties = scan(workspace, scorer="rules").parties.set_index("party_id")
    alerted = parties.loc[parties["alert"]]
    assert len(alerted) > 0 and (alerted["reasons"] != "").all()
    payers = parties.loc[parties["role"] == "payer"]
    assert payers.loc["off0", "alert"]
    assert not payers.loc["shop0", "alert"]  # scored 0.9, but no indicator fired

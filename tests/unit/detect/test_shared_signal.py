"""SHARED_SIGNAL (issue 21): other institutions' signals raise the score of a party a local
indicator already points at, are explained, and never alert a party on their own."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dentrace.detect import scan
from dentrace.detect.shared_signal import corroborate, shared_counts, shared_weights
from dentrace.store.shared_signals import COLUMNS, write_results


def _matches(rows: list[tuple[str, str, str]], on: str = "phone") -> pd.DataFrame:
    """Matches of (party, sender, strength), matched on ``on``."""
    frame = pd.DataFrame([{c: None for c in COLUMNS} | {
        "party_id": p, "sender": s, "strength": st, "signal_id": f"{s}-{p}-{st}",
        "role": "facilitator", "label": "facilitator", "matched_on": on,
        "similarity": 1.0} for p, s, st in rows], columns=list(COLUMNS))
    return frame


def test_weights_combine_per_institution_by_the_strongest_signal() -> None:
    matches = _matches([("a", "B1", "alerted"), ("a", "B1", "confirmed"),
                        ("a", "B2", "alerted"), ("b", "B1", "alerted")])
    weights = shared_weights(matches)
    assert weights["a"] == pytest.approx(1 - (1 - 0.9) * (1 - 0.6))  # B1: confirmed
    assert weights["b"] == pytest.approx(0.6)
    assert shared_weights(_matches([("b", "B1", "alerted")], on="name"))["b"] == pytest.approx(0.3)
    assert shared_counts(matches) == {"a": (2, 1), "b": (1, 0)}
    assert shared_weights(_matches([])).empty


def test_a_shared_signal_alone_changes_nothing() -> None:
    ids = pd.Index(["lone-signal", "corroborated", "untouched"])
    scores = np.array([0.1, 0.4, 0.4])
    reasons = [[], ["SMALL_CORRIDOR"], ["NIGHT"]]
    raised, with_reason = corroborate(ids, scores, reasons,
                                      pd.Series({"lone-signal": 0.5, "corroborated": 0.5}))
    assert list(raised) == [0.1, 0.7, 0.4]
    assert with_reason == [[], ["SMALL_CORRIDOR", "SHARED_SIGNAL"], ["NIGHT"]]
    assert reasons[1] == ["SMALL_CORRIDOR"]  # the input is not changed


def test_the_scan_reads_the_matches_and_explains_them(toy_workspace: Path) -> None:
    before = scan(toy_workspace, scorer="rules", write=False).parties.set_index(
        ["party_id", "role"])
    assert before.loc[("shop0", "payer"), "reasons"] == ""  # no local reason
    write_results(toy_workspace, _matches([
        ("off0", "BANK-B", "confirmed"), ("off0", "REMIT-C", "alerted"),
        ("shop0", "BANK-B", "confirmed"), ("shop0", "REMIT-C", "confirmed")]),
        pd.DataFrame(columns=["sender", "signal_id", "revoked_at"]))
    result = scan(toy_workspace, scorer="rules", write=False)
    after = result.parties.set_index(["party_id", "role"])
    assert after.loc[("off0", "payer"), "score"] > before.loc[("off0", "payer"), "score"]
    assert after.loc[("off0", "payer"), "reasons"].endswith(";SHARED_SIGNAL")
    # two confirmed signals, but no local reason: no alert, no change
    assert not after.loc[("shop0", "payer"), "alert"]
    assert after.loc[("shop0", "payer"), "score"] == before.loc[("shop0", "payer"), "score"]
    assert after.loc[("shop0", "payer"), "reasons"] == ""
    explanation = result.alerts.set_index("party_id").loc["off0", "explanation"]
    assert "SHARED_SIGNAL: flagged by 2 other institutions (confirmed by 1)" in explanation

"""The party page and API say what other institutions flag (issue 21): "flagged by N other
institutions (confirmed by M)", each signal's sender, strength and what matched, as data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from fastapi.testclient import TestClient

from dentrace.store.shared_signals import COLUMNS, write_results
from dentrace.web.security import csrf_token_for
from tests.unit.web.web_sample import TOKENS


def _share(workspace: Path) -> None:
    rows = [("F1", "BANK-B", "confirmed", "phone", 1.0),
            ("F1", "BANK-B", "alerted", "name", 0.95),
            ("F1", "<script>alert(1)</script>", "alerted", "name", 0.94)]
    matches = pd.DataFrame([{c: None for c in COLUMNS} | {
        "party_id": p, "sender": s, "strength": st, "matched_on": on, "similarity": sim,
        "signal_id": f"{i:032x}", "role": "facilitator", "label": "facilitator",
        "signal_date": pd.Timestamp("2025-03-01").date()}
        for i, (p, s, st, on, sim) in enumerate(rows)], columns=list(COLUMNS))
    write_results(workspace, matches, pd.DataFrame(columns=["sender", "signal_id",
                                                            "revoked_at"]))


def test_the_api_counts_institutions_not_signals(client: TestClient, workspace: Path,
                                                 analyst: dict[str, str]) -> None:
    assert client.get("/api/v1/parties/F1", headers=analyst).json()["shared"] == {
        "institutions": 0, "confirmed": 0, "signals": []}
    _share(workspace)
    shared = client.get("/api/v1/parties/F1", headers=analyst).json()["shared"]
    assert (shared["institutions"], shared["confirmed"]) == (2, 1)
    assert {s["sender"] for s in shared["signals"]} == {"BANK-B", "<script>alert(1)</script>"}
    assert client.get("/api/v1/parties/P1", headers=analyst).json()["shared"][
        "institutions"] == 0


def test_the_party_page_says_flagged_by_n_confirmed_by_m(client: TestClient,
                                                        workspace: Path) -> None:
    client.cookies.set("dentrace_session", TOKENS["ana"])
    client.cookies.set("dentrace_csrf", csrf_token_for(TOKENS["ana"]))
    assert 'id="shared-signal"' not in client.get("/parties/F1").text
    _share(workspace)
    html = client.get("/parties/F1").text
    assert "Flagged by 2 other institutions (confirmed by 1)" in html
    assert "never an alert on its own" in html
    assert "<script>alert(1)</script>" not in html  # a sender's name is data
    assert "&lt;script&gt;alert(1)&lt;/script&gt;: alerted facilitator" in html

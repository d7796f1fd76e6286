"""Party, overview and audit API: profile, payments, network, overview figures, audit trail."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_party_profile_score_reasons_and_audit(client: TestClient, analyst: dict[str, str],
                                               supervisor: dict[str, str]) -> None:
    party = client.get("/api/v1/parties/P1", headers=analyst).json()
    assert party["profile"]["name"] == "Alan Smith"
    assert party["score"] == 0.93
    assert party["reasons"] == ["NIGHT", "SMALL_CORRIDOR", "ESCALATION"]
    assert "night" in party["reason_details"][0]["description"]
    assert party["explanation"].startswith("NIGHT: 6 of 6")
    assert party["reason_details"][2]["explanation"] == "amounts rose from AUD 20 to AUD 70"
    assert party["reason_details"][0]["counterparties"] == [
        {"party_id": "F1", "name": "name F1", "payments": 6}]
    assert party["reason_details"][0]["contribution"] == 0.41
    assert party["alerts"][0]["status"] == "new" and party["reporting_currency"] == "AUD"
    views = client.get("/api/v1/audit", params={"action": "view_party", "target_id": "P1"},
                       headers=supervisor).json()
    assert [(v["actor"], v["target_type"], v["origin"]) for v in views] == \
        [("ana", "party", "testclient")]


def test_an_alert_of_an_older_scan_shows_its_codes_and_whole_explanation(
    client: TestClient, analyst: dict[str, str]
) -> None:
    party = client.get("/api/v1/parties/P2", headers=analyst).json()
    assert [r["code"] for r in party["reason_details"]] == ["NIGHT", "SMALL_CORRIDOR"]
    assert party["explanation"] == ("NIGHT: 6 of 6 corridor payments at night; "
                                    "SMALL_CORRIDOR: 6 payments to PH")
    assert all(r["explanation"] is None for r in party["reason_details"])


def test_a_non_customer_party_has_no_profile_but_a_known_label(
    client: TestClient, analyst: dict[str, str]
) -> None:
    party = client.get("/api/v1/parties/F9", headers=analyst).json()
    assert party["profile"] is None and party["known"] == "facilitator"
    assert party["country"] == "PH"


def test_unknown_party_is_404(client: TestClient, analyst: dict[str, str]) -> None:
    for path in ("/api/v1/parties/NOPE", "/api/v1/parties/NOPE/payments",
                 "/api/v1/parties/NOPE/network"):
        assert client.get(path, headers=analyst).status_code == 404


def test_payments_newest_first_with_night_flag_and_paging(
    client: TestClient, analyst: dict[str, str]
) -> None:
    page = client.get("/api/v1/parties/F1/payments", params={"limit": 5},
                      headers=analyst).json()
    assert page["total"] == 20 and len(page["items"]) == 5
    times = [p["ts_utc"] for p in page["items"]]
    assert times == sorted(times, reverse=True)
    assert page["items"][0]["direction"] == "sent"  # F1 -> F9 is the newest
    family = client.get("/api/v1/parties/P4/payments", headers=analyst).json()["items"]
    assert {p["night"] for p in family} == {False}
    nightly = client.get("/api/v1/parties/P1/payments", headers=analyst).json()["items"]
    assert {p["night"] for p in nightly} == {True}


def test_network_two_hops_with_scores_known_and_case_marks(
    client: TestClient, analyst: dict[str, str]
) -> None:
    client.post("/api/v1/alerts/2/disposition", json={"decision": "escalate"}, headers=analyst)
    net = client.get("/api/v1/parties/P1/network", headers=analyst).json()
    nodes = {n["id"]: n for n in net["nodes"]}
    assert set(nodes) == {"P1", "F1", "P2", "P3", "P5", "F9"}
    assert nodes["P1"]["focus"] and nodes["P1"]["hop"] == 0 and nodes["F1"]["hop"] == 1
    assert nodes["F9"]["known"] == "facilitator" and nodes["P5"]["score"] is None
    assert nodes["P2"]["in_case"] and not nodes["P3"]["in_case"]
    assert {"source": "P1", "target": "F1", "payments": 6, "amount": 270.0} in net["edges"]
    one_hop = client.get("/api/v1/parties/P1/network?hops=1", headers=analyst).json()
    assert {n["id"] for n in one_hop["nodes"]} == {"P1", "F1"}
    assert client.get("/api/v1/parties/P1/network?hops=9", headers=analyst).status_code == 422


def test_overview_figures(client: TestClient, analyst: dict[str, str]) -> None:
    figures = client.get("/api/v1/overview", headers=analyst).json()
    assert figures["corridors"][0] == {"corridor": "AU → PH", "payments": 18, "amount": 810.0}
    assert figures["facilitators"][0]["party_id"] == "F1"
    assert figures["facilitators"][0]["payers"] == 4
    assert figures["over_time"] == [{"month": "2025-03", "payments": 18, "payers": 3}]
    bands = {b["band"]: b for b in figures["amounts"]}
    assert bands["250–500"] == {"band": "250–500", "alerted": 0, "all": 4}


def test_audit_log_and_chain_check(client: TestClient, supervisor: dict[str, str]) -> None:
    entries = client.get("/api/v1/audit", headers=supervisor).json()
    assert entries[0]["action"] == "view_audit" and entries[0]["actor"] == "sam"
    check = client.get("/api/v1/audit/verify", headers=supervisor).json()
    assert check["ok"] is True and check["checked"] >= len(entries)

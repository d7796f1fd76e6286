"""Issue 19, defect 4: the reason given when alerts are escalated is the new case's first note
(by the escalating analyst, at the same time) and part of the goAML narrative and the evidence
pack; before, it stayed on the alerts and in the audit log ("Notes (0)", an STR without it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dentrace.report.material import case_material
from dentrace.report.narrative import narrative
from dentrace.report.pack.sections import pack_sections
from dentrace.store.sql import open_store

UAE = "formats/goaml/goAMLSchema_5.0.2_UAE_patched_xsd10.xsd"
REASON = "Six night payments to F1 <in PH>, rising: matches the den pattern"


def _escalate(client: TestClient, headers: dict[str, str]) -> int:
    queue = client.get("/api/v1/alerts", params={"party_id": "P1"}, headers=headers).json()
    answer = client.post("/api/v1/alerts/dispositions", headers=headers, json={
        "alert_ids": [queue["items"][0]["id"]], "decision": "escalate", "reason": REASON})
    assert answer.status_code == 200, answer.text
    return int(answer.json()["case_id"])


def test_the_escalation_reason_is_the_new_cases_first_note(
        client: TestClient, analyst: dict[str, str]) -> None:
    case_id = _escalate(client, analyst)
    case = client.get(f"/api/v1/cases/{case_id}", headers=analyst).json()
    (note,) = case["notes"]
    assert note["text"] == REASON and note["author"] == "ana"
    alert = client.get(f"/api/v1/alerts/{case['alert_ids'][0]}", headers=analyst).json()
    assert note["created_at"] == alert["disposed_at"]
    page = client.get(f"/cases/{case_id}", headers=analyst)
    assert "Notes (1)" in page.text
    assert "matches the den pattern" in page.text and "&lt;in PH&gt;" in page.text


def test_an_escalation_into_an_existing_case_adds_its_reason_as_a_note(
        client: TestClient, analyst: dict[str, str]) -> None:
    case_id = _escalate(client, analyst)
    queue = client.get("/api/v1/alerts", params={"party_id": "P2"}, headers=analyst).json()
    answer = client.post("/api/v1/alerts/dispositions", headers=analyst, json={
        "alert_ids": [queue["items"][0]["id"]], "decision": "escalate", "case_id": case_id,
        "reason": "Same collector F1"})
    assert answer.status_code == 200, answer.text
    notes = client.get(f"/api/v1/cases/{case_id}", headers=analyst).json()["notes"]
    assert [n["text"] for n in notes] == [REASON, "Same collector F1"]


def test_an_escalation_without_a_reason_adds_no_note(
        client: TestClient, analyst: dict[str, str]) -> None:
    queue = client.get("/api/v1/alerts", params={"party_id": "P2"}, headers=analyst).json()
    answer = client.post("/api/v1/alerts/dispositions", headers=analyst, json={
        "alert_ids": [queue["items"][0]["id"]], "decision": "escalate"})
    case = client.get(f"/api/v1/cases/{answer.json()['case_id']}", headers=analyst).json()
    assert case["notes"] == []


def test_the_str_narrative_and_the_evidence_pack_give_the_reason(
        client: TestClient, workspace: Path, analyst: dict[str, str],
        supervisor: dict[str, str], shared_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DENTRACE_GOAML_SCHEMA", str(shared_dir / UAE))
    case_id = _escalate(client, analyst)
    url = f"/api/v1/cases/{case_id}"
    for step, headers in (("/status", analyst), ("/submit", analyst), ("/approve", supervisor)):
        body = {"status": "investigating"} if step == "/status" else None
        assert client.post(url + step, json=body, headers=headers).status_code == 200
    report = client.post(f"{url}/goaml", headers=analyst)
    assert report.status_code == 200, report.text
    reason_element = report.text.split("<reason>")[1].split("</reason>")[0]
    assert "Reason given on escalation by ana: Six night payments to F1 &lt;in PH&gt;" \
        in reason_element
    store = open_store(workspace)
    try:
        material = case_material(store, workspace, case_id)
    finally:
        store.close()
    assert f"Reason given on escalation by ana: {REASON}" in narrative(material, "AUD")
    sections = pack_sections(material)
    assert f"Reason given on escalation by ana: {REASON}" in sections.narrative
    assert [text for _, _, text in sections.notes] == [REASON]

"""POST /api/v1/screen: contract JSON and pacs.008 input, 401 without a token, 403 for a role
without the permission, 415/422 on bad input, and one screening-log line per decision."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dentrace.screen import empty_screener, pacs008_payments, read_log
from dentrace.screen.log import LOG_FILE
from dentrace.store.sql import open_store
from dentrace.web import WebSettings, create_app
from tests.unit.web.conftest import sample_template, workspace  # noqa: F401  (fixtures)
from tests.unit.web.web_sample import bearer

PACS008 = b"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08">
 <FIToFICstmrCdtTrf>
  <GrpHdr><MsgId>SCREEN-1</MsgId><CreDtTm>2026-03-06T23:40:00+10:00</CreDtTm>
   <NbOfTxs>1</NbOfTxs><SttlmInf><SttlmMtd>INDA</SttlmMtd></SttlmInf></GrpHdr>
  <CdtTrfTxInf>
   <PmtId><EndToEndId>E2E-1</EndToEndId><TxId>TX-SCREEN-1</TxId></PmtId>
   <IntrBkSttlmAmt Ccy="AUD">55</IntrBkSttlmAmt>
   <AccptncDtTm>2026-03-06T23:38:10+10:00</AccptncDtTm>
   <ChrgBr>SHAR</ChrgBr>
   <Dbtr><Nm>John Sample</Nm><PstlAdr><Ctry>AU</Ctry></PstlAdr></Dbtr>
   <DbtrAcct><Id><Othr><Id>AU-ACCT-1</Id></Othr></Id></DbtrAcct>
   <DbtrAgt><FinInstnId><BICFI>SMPLAU2SXXX</BICFI></FinInstnId></DbtrAgt>
   <CdtrAgt><FinInstnId><BICFI>PHBKPHMMXXX</BICFI></FinInstnId></CdtrAgt>
   <Cdtr><Nm>Maria Santos</Nm><PstlAdr><Ctry>PH</Ctry></PstlAdr></Cdtr>
   <CdtrAcct><Id><Othr><Id>PH-0001-7788</Id></Othr></Id></CdtrAcct>
   <RmtInf><Ustrd>school fees</Ustrd></RmtInf>
  </CdtTrfTxInf>
 </FIToFICstmrCdtTrf>
</Document>"""
PAYMENT = {"txn_id": "T1", "ts": "2026-03-06T23:10:00+10:00", "sender_id": "AU-ACCT-1",
           "beneficiary_id": "PH-0001-7788", "amount": 45, "currency": "AUD",
           "sender_country": "AU", "beneficiary_country": "PH", "memo": "load"}


@pytest.fixture()
def screening_client(workspace: Path) -> Iterator[TestClient]:  # noqa: F811
    store = open_store(workspace)
    app = create_app(workspace, settings=WebSettings(secure_cookies=False), store=store)
    app.state.screening.use(empty_screener(scorer="rules"))
    with TestClient(app) as client:
        yield client
    app.state.screening.stop()
    store.close()


def _post(client: TestClient, body: Any, user: str | None, **kwargs: Any) -> Any:
    headers = bearer(user) if user else {}
    if isinstance(body, bytes):
        headers["Content-Type"] = "application/xml"
        return client.post("/api/v1/screen", content=body, headers=headers, **kwargs)
    return client.post("/api/v1/screen", json=body, headers=headers, **kwargs)


def test_contract_json_gets_a_decision(screening_client: TestClient, workspace: Path) -> None:  # noqa: F811
    answer = _post(screening_client, PAYMENT, "sam")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["decision"] in ("allow", "review", "hold") and body["txn_id"] == "T1"
    assert body["payer"]["party_id"] == "AU-ACCT-1"
    assert body["beneficiary"]["party_id"] == "PH-0001-7788"
    assert {"score", "reasons", "hold_threshold"} <= set(body["payer"])
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["Cache-Control"] == "no-store"
    log = read_log(workspace / LOG_FILE)
    assert [(e["txn_id"], e["actor"]) for e in log] == [("T1", "sam")]


def test_pacs008_message_is_screened(screening_client: TestClient) -> None:
    answer = _post(screening_client, PACS008, "adam")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["txn_id"] == "TX-SCREEN-1"
    assert body["payer"]["party_id"] == "AU-ACCT-1"
    assert body["beneficiary"]["party_id"] == "PH-0001-7788"


def test_pacs008_maps_the_contract_fields() -> None:
    [payment] = pacs008_payments(PACS008)
    assert payment["amount"] == 55.0 and payment["currency"] == "AUD"
    assert payment["ts"].utcoffset().total_seconds() == 10 * 3600
    assert payment["memo"] == "school fees" and payment["beneficiary_country"] == "PH"


def test_without_token_401(screening_client: TestClient) -> None:
    answer = _post(screening_client, PAYMENT, None)
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == "Bearer"


def test_analyst_may_not_screen_403(screening_client: TestClient, workspace: Path) -> None:  # noqa: F811
    assert _post(screening_client, PAYMENT, "ana").status_code == 403
    assert read_log(workspace / LOG_FILE) == []


def test_the_screener_service_role_screens_and_sees_nothing_else(
        screening_client: TestClient, workspace: Path) -> None:  # noqa: F811
    answer = _post(screening_client, PAYMENT, "gate")
    assert answer.status_code == 200 and answer.json()["decision"] in ("allow", "review", "hold")
    assert [r["actor"] for r in read_log(workspace / LOG_FILE)] == ["gate"]
    for path in ("/api/v1/alerts", "/api/v1/cases", "/api/v1/audit"):
        assert screening_client.get(path, headers=bearer("gate")).status_code == 403, path


@pytest.mark.parametrize(("change", "field"), [
    ({"ts": "2026-03-06T23:10:00"}, "ts"), ({"amount": -3}, "amount"),
    ({"currency": "XXX"}, "currency"), ({"sender_id": None}, "sender_id"),
])
def test_bad_payment_422_names_the_field(screening_client: TestClient, change: dict[str, Any],
                                         field: str) -> None:
    answer = _post(screening_client, {**PAYMENT, **change}, "sam")
    assert answer.status_code == 422
    assert f"field '{field}'" in answer.json()["detail"]


def test_bad_bodies(screening_client: TestClient) -> None:
    assert _post(screening_client, b"<Document/>", "sam").status_code == 422
    assert _post(screening_client, [1, 2], "sam").status_code == 422
    answer = screening_client.post("/api/v1/screen", content=b"a=1", headers={
        **bearer("sam"), "Content-Type": "text/plain"})
    assert answer.status_code == 415


def test_other_methods_reach_the_router(screening_client: TestClient) -> None:
    answer = screening_client.get("/api/v1/screen", headers=bearer("sam"))
    assert answer.status_code == 405
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_health_says_whether_screening_runs_and_needs_the_permission(
        screening_client: TestClient) -> None:
    url = "/api/v1/screen/health"
    assert screening_client.get(url).status_code == 401
    assert screening_client.get(url, headers=bearer("ana")).status_code == 403
    before = screening_client.get(url, headers=bearer("gate"))
    assert before.status_code == 200, before.text
    assert before.json() == {"mode": "event loop", "restarts": 0, "state": "stopped"}
    assert _post(screening_client, PAYMENT, "gate").status_code == 200
    after = screening_client.get(url, headers=bearer("sam")).json()
    assert (after["state"], after["screened"], after["waiting"]) == ("ready", 1, 0)

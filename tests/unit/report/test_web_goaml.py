"""The case page's goAML button: an approved case's STR downloads (audited, kept in the
workspace); a pending case is refused; an unconfigured schema is a clear 409, never a 5xx."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import etree

from dentrace import audit
from dentrace.auth import issue_token
from dentrace.store.sql import Store, open_store
from dentrace.web import WebSettings, create_app
from tests.unit.report.report_sample import Sample


@pytest.fixture()
def web(sample: Sample, tmp_path: Path) -> Iterator[tuple[TestClient, Store, dict[str, str]]]:
    copy = tmp_path / "ws"
    shutil.copytree(sample.workspace, copy)
    store = open_store(copy)
    app = create_app(copy, settings=WebSettings(secure_cookies=False), store=store)
    headers = {"Authorization": f"Bearer {issue_token(store, sample.analyst)}"}
    with TestClient(app) as client:
        yield client, store, headers
    store.close()


def test_approved_case_downloads_a_valid_str_and_is_audited(
        web: tuple[TestClient, Store, dict[str, str]], sample: Sample, uae_schema: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    client, store, headers = web
    monkeypatch.setenv("DENTRACE_GOAML_SCHEMA", str(uae_schema))
    answer = client.post(f"/api/v1/cases/{sample.approved_case}/goaml", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/xml")
    assert "attachment" in answer.headers["content-disposition"]
    root = etree.fromstring(answer.content)
    assert root.findtext("report_code") == "STR" and root.find("transaction") is not None
    entry = audit.entries(store, action="report_goaml", target_type="case")[0]
    assert entry.actor == "ana" and entry.origin != "cli"
    page = client.get(f"/cases/{sample.approved_case}", headers=headers)
    assert page.status_code == 200 and 'data-action="goaml"' in page.text
    pending_page = client.get(f"/cases/{sample.pending_case}", headers=headers)
    assert 'data-action="goaml"' not in pending_page.text


def test_pending_case_and_missing_schema_are_refused_clearly(
        web: tuple[TestClient, Store, dict[str, str]], sample: Sample,
        monkeypatch: pytest.MonkeyPatch) -> None:
    client, _, headers = web
    monkeypatch.delenv("DENTRACE_GOAML_SCHEMA", raising=False)
    pending = client.post(f"/api/v1/cases/{sample.pending_case}/goaml", headers=headers)
    assert pending.status_code == 409 and "approved" in pending.json()["detail"]
    unconfigured = client.post(f"/api/v1/cases/{sample.approved_case}/goaml", headers=headers)
    assert unconfigured.status_code == 409
    assert "DENTRACE_GOAML_SCHEMA" in unconfigured.json()["detail"]
    assert client.post(f"/api/v1/cases/{sample.approved_case}/goaml").status_code == 401

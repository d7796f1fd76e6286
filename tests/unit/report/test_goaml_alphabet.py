"""goAML from the app and the CLI (issue 19, defect 3): names in the schema's alphabet, refusals
audited and answered as a list for the case page's panel, the shipped example details flagged."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import etree
from typer.testing import CliRunner

from dentrace import audit
from dentrace.auth import issue_token
from dentrace.cli.main import app
from dentrace.report.goaml import load_config, shipped_examples, write_goaml
from dentrace.report.material import case_material
from dentrace.store.sql import Store, open_store
from dentrace.web import WebSettings, create_app
from tests.unit.report.report_sample import Sample

OWN = """[report]\nrentity_id = 4711\n[reporting_person]\nemail = "str@our-bank.ae"
last_name = "{last}"\nfirst_name = "{first}"\n[institution]\nname = "Our Bank"
swift = "OURBAEAD"\n[address]\naddress = "Compliance, Our Tower"\n"""


def _config(tmp_path: Path, first: str, last: str = "Haddad") -> Path:
    path = tmp_path / "own.toml"
    path.write_text(OWN.format(first=first, last=last), encoding="utf-8")
    return path


@pytest.mark.parametrize(("name", "latin"), [
    ("Jiménez", "Jimenez"), ("Nguyễn", "Nguyen"), ("Đặng Thị", "Dang Thi"),
    ("Иванов Пётр", "Ivanov Petr"), ("สมชาย", "smchay"), ("O'Brien, Jr.", "O'Brien Jr."),
])
def test_names_are_written_in_the_schemas_latin_alphabet(
        sample: Sample, uae_schema: Path, tmp_path: Path, name: str, latin: str) -> None:
    with open_store(sample.workspace) as store:
        material = case_material(store, sample.workspace, sample.approved_case)
    config = load_config(_config(tmp_path, name), schema=uae_schema)
    result = write_goaml(material, config, tmp_path / "str.xml")  # raises when invalid
    root = etree.parse(str(result.path)).getroot()
    assert root.findtext("reporting_person/first_name") == latin
    assert (("report/reporting_person/first_name", name, latin) in result.transliterated)
    assert f"{latin} = {name}" in (root.findtext("reason") or "")


def test_shipped_example_details_are_named_and_own_ones_are_not(tmp_path: Path) -> None:
    examples = shipped_examples(load_config())
    assert "report.rentity_id = 101" in examples
    assert any(e.startswith("reporting_person.email") for e in examples)
    assert shipped_examples(load_config(_config(tmp_path, "Sara"))) == []


def test_cli_warns_when_the_reporting_entity_is_the_shipped_example(
        sample: Sample, uae_schema: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(sample.workspace, ws)
    args = ["report", "goaml", "--workspace", str(ws), "--case", str(sample.approved_case),
            "--schema", str(uae_schema), "--out"]
    result = CliRunner().invoke(app, [*args, str(tmp_path / "a.xml")], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert "warning: the reporting entity's details are still the shipped examples" in (
        " ".join(result.output.split()))
    result = CliRunner().invoke(app, [*args, str(tmp_path / "b.xml"), "--config",
                                      str(_config(tmp_path, "Sara"))], env={"COLUMNS": "300"})
    assert result.exit_code == 0 and "shipped examples" not in result.output


@pytest.fixture()
def web(sample: Sample, tmp_path: Path) -> Iterator[tuple[TestClient, Store, dict[str, str]]]:
    copy = tmp_path / "ws"
    shutil.copytree(sample.workspace, copy)
    store = open_store(copy)
    application = create_app(copy, settings=WebSettings(secure_cookies=False), store=store)
    headers = {"Authorization": f"Bearer {issue_token(store, sample.analyst)}"}
    with TestClient(application) as client:
        yield client, store, headers
    store.close()


def test_a_schema_refusal_is_a_list_of_field_and_message_and_is_audited(
        web: tuple[TestClient, Store, dict[str, str]], sample: Sample, uae_schema: Path,
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    client, store, headers = web
    bad = tmp_path / "bad.toml"
    bad.write_text('[transmode]\ntransfer = "TELEPORT"\nwire = "TELEPORT"\n'
                   'remittance = "TELEPORT"\nwallet = "TELEPORT"\ncard = "TELEPORT"\n')
    monkeypatch.setenv("DENTRACE_GOAML_SCHEMA", str(uae_schema))
    monkeypatch.setenv("DENTRACE_GOAML_CONFIG", str(bad))
    answer = client.post(f"/api/v1/cases/{sample.approved_case}/goaml", headers=headers)
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert "does not validate" in detail["message"]
    first = detail["problems"][0]
    assert first["field"].endswith("/transmode_code") and "TELEPORT" in first["message"]
    assert isinstance(first["line"], int)
    refused = audit.entries(store, action="goaml_refused", target_type="case")
    assert refused and refused[0].actor == "ana"
    assert "TELEPORT" in str(refused[0].detail)
    assert not audit.entries(store, action="report_goaml", target_type="case")


def test_readiness_says_why_the_button_cannot_work_and_the_refusal_is_audited(
        web: tuple[TestClient, Store, dict[str, str]], sample: Sample, uae_schema: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    client, store, headers = web
    url = f"/api/v1/cases/{sample.approved_case}/goaml"
    monkeypatch.delenv("DENTRACE_GOAML_SCHEMA", raising=False)
    monkeypatch.delenv("DENTRACE_GOAML_CONFIG", raising=False)
    ready = client.get(url, headers=headers).json()
    assert ready["configured"] is False and "DENTRACE_GOAML_SCHEMA" in ready["reason"]
    assert client.post(url, headers=headers).status_code == 409
    assert audit.entries(store, action="goaml_refused", target_type="case")
    monkeypatch.setenv("DENTRACE_GOAML_SCHEMA", str(uae_schema))
    ready = client.get(url, headers=headers).json()
    assert ready["configured"] is True and ready["schema"] == uae_schema.name
    assert "shipped examples" in ready["warnings"][0]

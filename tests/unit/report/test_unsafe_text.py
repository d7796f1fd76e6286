"""Every exporter is safe on its own: a memo or name holding characters XML cannot hold (as an
old workspace may, whatever ingest does now) gives a valid goAML STR, FtM file and evidence pack,
the web route never answers 500, and a writer that fails leaves no partial file."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from fastapi.testclient import TestClient
from lxml import etree
from typer.testing import CliRunner

from dentrace.auth import issue_token
from dentrace.cli.main import app
from dentrace.report.ftm import FtmExporter
from dentrace.report.material import Material, case_material
from dentrace.report.pack import PackExporter
from dentrace.store.sql import open_store
from dentrace.web import WebSettings, create_app
from dentrace.writing.xmltext import REPLACEMENT, xml_text
from tests.unit.report.report_sample import Sample

MEMO, NAME = "GIFT\x01", "Ana\x0bReyes\ufffe"
PAYER = r"P$\frac{1}{$x"  # a malformed matplotlib formula: it failed the pack's timeline


@pytest.fixture(scope="module")
def hostile(sample: Sample, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sample workspace whose approved case's payments carry forbidden text."""
    copy = tmp_path_factory.mktemp("hostile") / "ws"
    shutil.copytree(sample.workspace, copy)
    with open_store(copy) as store:
        ids = case_material(store, copy, sample.approved_case).transactions["txn_id"]
    con = duckdb.connect(str(copy / "warehouse.duckdb"))
    try:
        con.register("ids", ids.to_frame())
        con.execute("UPDATE transactions SET memo = ?, sender_name = ?, sender_id = ? "
                    "WHERE txn_id IN (SELECT txn_id FROM ids)", [MEMO, NAME, PAYER])
    finally:
        con.close()
    return copy


def _material(workspace: Path, case: int) -> Material:
    with open_store(workspace) as store:
        return case_material(store, workspace, case)


def test_the_shared_helper_replaces_only_what_xml_cannot_hold() -> None:
    assert xml_text("a\tb\nc\rd é 王 🎁") == "a\tb\nc\rd é 王 🎁"
    assert xml_text("GIFT\x01\x00\x1f\ufffe\uffff\ud800") == "GIFT" + REPLACEMENT * 6


def test_goaml_of_hostile_text_is_written_valid_and_says_what_was_replaced(
        hostile: Path, sample: Sample, ppatk_schema: Path, uae_schema: Path,
        tmp_path: Path) -> None:
    out = tmp_path / "str.xml"
    args = ["report", "goaml", "--workspace", str(hostile), "--case", str(sample.approved_case),
            "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--config", "ppatk-4.0.2",
                                      "--schema", str(ppatk_schema)])
    assert result.exit_code == 0, result.output
    root = etree.parse(str(out)).getroot()
    descriptions = [t.findtext("transaction_description") or "" for t in root.iter("transaction")]
    assert descriptions and all(f"memo 'GIFT{REPLACEMENT}'" in d for d in descriptions)
    assert "replaced by U+FFFD" in result.stdout and "transaction_description" in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["str.xml"]
    # the UAE schema allows only [a-zA-Z0-9 .'-] in names: they are written in Latin letters
    # (issue 19, defect 3; this run was refused before), the originals kept in the narrative
    latin = CliRunner().invoke(app, [*args, "--schema", str(uae_schema)])
    assert latin.exit_code == 0, latin.output
    assert "written in Latin letters as the schema requires" in latin.stdout
    names = [n.text or "" for n in etree.parse(str(out)).getroot().iter("account_name")]
    assert names and all(re.fullmatch(r"[a-zA-Z0-9 .'-]*", n) for n in names)


def test_web_route_serves_the_hostile_case_and_answers_409_when_it_cannot(
        hostile: Path, sample: Sample, ppatk_schema: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DENTRACE_GOAML_SCHEMA", str(ppatk_schema))
    monkeypatch.setenv("DENTRACE_GOAML_CONFIG", "ppatk-4.0.2")
    store = open_store(hostile)
    headers = {"Authorization": f"Bearer {issue_token(store, sample.analyst)}"}
    url = f"/api/v1/cases/{sample.approved_case}/goaml"
    try:
        client = TestClient(create_app(hostile, settings=WebSettings(secure_cookies=False),
                                       store=store))
        with client:
            answer = client.post(url, headers=headers)
            assert answer.status_code == 200, answer.text
            assert f"GIFT{REPLACEMENT}".encode() in answer.content
            etree.fromstring(answer.content)

            def broken(*args: Any, **kwargs: Any) -> Any:
                raise ValueError("All strings must be XML compatible")

            monkeypatch.setattr("dentrace.report.goaml.str_content", broken)
            refused = client.post(url, headers=headers)
            assert refused.status_code == 409, refused.text
            assert "XML compatible" in refused.json()["detail"]
    finally:
        store.close()


def test_ftm_export_of_hostile_text_is_whole_and_a_failed_one_leaves_nothing(
        hostile: Path, sample: Sample, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    material = _material(hostile, sample.approved_case)
    out = tmp_path / "case.ftm.json"
    FtmExporter().export(material, out)
    entities = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert any(e["schema"] == "Payment" for e in entities)
    text = out.read_text(encoding="utf-8")
    assert "\x01" not in text and "\\u0001" not in text

    def half(material: Material, bank: str | None = None) -> Iterator[Any]:
        yield from iter(())
        raise ValueError("disk full")

    monkeypatch.setattr("dentrace.report.ftm.ftm_entities", half)
    again = tmp_path / "again.ftm.json"
    with pytest.raises(ValueError, match="disk full"):
        FtmExporter().export(material, again)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.ftm.json"]


def test_evidence_pack_of_hostile_text_holds_only_xml_characters(
        hostile: Path, sample: Sample, tmp_path: Path) -> None:
    material = _material(hostile, sample.approved_case)
    material.title = "title \x01 \ud800"  # a lone surrogate has no UTF-8 form at all
    files = PackExporter(hostile).export(material, tmp_path / "pack")
    html = (tmp_path / "pack" / "report.html").read_text(encoding="utf-8")
    assert f"GIFT{REPLACEMENT}" in html and "\x01" not in html and "\x0b" not in html
    assert {p.name for p in files} >= {"report.pdf", "manifest.json"}
    assert not [p for p in (tmp_path / "pack").iterdir() if p.name.startswith(".")]

"""Exporters register once (``report.registry``): the CLI command and the case page's button
and route come from the registry, so a new exporter added there appears in both; the evidence
pack downloads from the case page as a .zip of the real pack, audited and role-checked."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pypdfium2
import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from dentrace import audit
from dentrace.auth import add_user, issue_token
from dentrace.cli import commands
from dentrace.report.material import Material
from dentrace.report.registry import EXPORTERS, ExporterEntry, ExportOption, register
from dentrace.store.sql import Store, open_store
from dentrace.web import WebSettings, create_app
from tests.unit.report.report_sample import Sample


class CaseFileExporter:
    """A format no one ships: the subject's title and transaction ids, one a line."""

    name = "casefile"
    action = "export_casefile"

    def __init__(self, heading: str | None) -> None:
        self.heading = heading or "case file"

    def export(self, material: Material, out: Path) -> list[Path]:
        lines = [self.heading, material.title, *map(str, material.transactions["txn_id"])]
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return [out]


CASEFILE = ExporterEntry(
    name="casefile", title="Case file", group="export",
    description="Write the case's title and transaction ids, one a line.",
    exporter=f"{__name__}:CaseFileExporter",
    build=lambda workspace, options: CaseFileExporter(options.get("heading")),
    subjects=("case",), extension=".txt", media_type="text/plain",
    options=(ExportOption("heading", "--heading", "The first line."),))


@pytest.fixture()
def casefile(monkeypatch: pytest.MonkeyPatch) -> ExporterEntry:
    monkeypatch.setitem(EXPORTERS, CASEFILE.name, CASEFILE)
    return CASEFILE


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


def _case_txn_ids(store: Store, workspace: Path, case_id: int) -> list[str]:
    return [str(t) for t in CASEFILE.material(store, workspace, "case", case_id)
            .transactions["txn_id"]]


def test_a_registered_exporter_is_a_cli_command(casefile: ExporterEntry, sample: Sample,
                                                tmp_path: Path) -> None:
    cli = typer.Typer()
    commands.register(cli)
    listed = CliRunner().invoke(cli, ["export", "--help"], env={"COLUMNS": "200"})
    assert "casefile" in listed.output and "Write the case's title" in listed.output
    out = tmp_path / "case.txt"
    done = CliRunner().invoke(cli, ["export", "casefile", "--workspace", str(sample.workspace),
                                    "--out", str(out), "--case", str(sample.pending_case),
                                    "--heading", "Héading <1>"])
    assert done.exit_code == 0, done.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[:2] == ["Héading <1>", "Second payer"]
    with open_store(sample.workspace) as store:
        assert lines[2:] == _case_txn_ids(store, sample.workspace, sample.pending_case)
        entry = audit.entries(store, action="export_casefile", target_type="case")[0]
    assert entry.origin == "cli" and entry.target_id == str(sample.pending_case)
    missing = CliRunner().invoke(cli, ["export", "casefile", "--workspace",
                                       str(sample.workspace), "--out", str(out)])
    assert missing.exit_code == 2  # --case is required: the only subject


def test_a_registered_exporter_is_a_button_and_a_route(
        casefile: ExporterEntry, web: tuple[TestClient, Store, dict[str, str]],
        sample: Sample) -> None:
    client, store, headers = web
    page = client.get(f"/cases/{sample.pending_case}", headers=headers)
    assert 'data-export="casefile"' in page.text and ">Case file</button>" in page.text
    answer = client.post(f"/api/v1/cases/{sample.pending_case}/exports/casefile",
                         headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    assert answer.headers["content-disposition"].endswith('.txt"')
    workspace = web[0].app.state.context.evidence.workspace  # type: ignore[attr-defined]
    assert answer.text.splitlines() == ["case file", "Second payer",
                                        *_case_txn_ids(store, workspace, sample.pending_case)]
    entry = audit.entries(store, action="export_casefile", target_type="case")[0]
    assert entry.actor == "ana" and entry.origin != "cli"


def test_the_evidence_pack_downloads_from_the_case_page_as_a_zip(
        web: tuple[TestClient, Store, dict[str, str]], sample: Sample) -> None:
    client, store, headers = web
    page = client.get(f"/cases/{sample.pending_case}", headers=headers)
    assert 'data-export="pack"' in page.text  # any status, as `dentrace report pack`
    assert 'data-export="goaml"' not in page.text  # only once the case is approved
    answer = client.post(f"/api/v1/cases/{sample.pending_case}/exports/pack", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        names = {Path(n).name: n for n in archive.namelist()}
        assert {"report.pdf", "report.html", "manifest.json", "SHA256SUMS"} <= set(names)
        manifest = json.loads(archive.read(names["manifest.json"]))
        pdf = archive.read(names["report.pdf"])
    assert manifest["subject"] == {"kind": "case", "id": str(sample.pending_case),
                                   "title": "Second payer"}
    text = "".join(page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(pdf))
    assert "Second payer" in text
    assert audit.entries(store, action="report_pack", target_type="case")[0].actor == "ana"


def test_the_export_route_checks_the_name_the_role_and_the_case(
        web: tuple[TestClient, Store, dict[str, str]], sample: Sample) -> None:
    client, store, headers = web
    url = f"/api/v1/cases/{sample.pending_case}/exports"
    unknown = client.post(f"{url}/<script>", headers=headers)
    assert unknown.status_code == 404 and "goaml, pack, ftm" in unknown.json()["detail"]
    assert client.post(f"{url}/goaml", headers=headers).status_code == 409  # not approved
    assert client.post("/api/v1/cases/99999/exports/pack", headers=headers).status_code == 404
    gate = add_user(store, "gate", "screener", "a long enough passphrase")
    refused = client.post(f"{url}/pack", headers={
        "Authorization": f"Bearer {issue_token(store, gate)}"})
    assert refused.status_code == 403
    assert not audit.entries(store, action="report_pack", target_type="case")


def test_an_exporter_is_registered_once() -> None:
    with pytest.raises(ValueError, match="registered already"):
        register(EXPORTERS["pack"])
    with pytest.raises(ValueError, match="lower-case"):
        register(ExporterEntry(name="Bad Name", title="x", description="x", group="export",
                               exporter="x:y", build=CASEFILE.build))
    assert [e.name for e in EXPORTERS.values()] == ["goaml", "pack", "ftm"]

"""Evidence pack: every section in the HTML, a PDF whose pages are not blank when rendered,
a manifest whose hashes match the files, tampering detected, generation audited."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from typer.testing import CliRunner

from dentrace import audit
from dentrace.cli.main import app
from dentrace.report.pack import verify_pack
from dentrace.store.sql import open_store
from tests.unit.report.report_sample import Sample


@pytest.fixture(scope="module")
def pack(sample: Sample, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pack") / "case"
    result = CliRunner().invoke(app, ["report", "pack", "--workspace", str(sample.workspace),
                                      "--case", str(sample.approved_case), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_html_holds_every_section_and_the_case_facts(pack: Path, sample: Sample) -> None:
    html = (pack / "report.html").read_text(encoding="utf-8")
    for heading in ("Summary", "Timeline", "Network", "Indicators", "Transactions",
                    "Analyst's notes", "Approval trail"):
        assert f"<h2>{heading}" in html, heading
    assert "Payments match the den&#39;s collectors." in html
    assert "approve_report" in html and "data:image/png;base64," in html


def test_pdf_pages_render_and_are_not_blank(pack: Path) -> None:
    document = pdfium.PdfDocument(str(pack / "report.pdf"))
    assert len(document) >= 3
    for index in range(len(document)):
        pixels = np.asarray(document[index].render(scale=0.6).to_pil().convert("L"),
                            dtype=float)
        assert pixels.std() > 5.0, f"page {index + 1} looks blank"
        assert (pixels < 128).mean() > 0.002, f"page {index + 1} has almost no ink"


def test_manifest_hashes_match_every_file(pack: Path) -> None:
    manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    listed = {entry["file"]: entry["sha256"] for entry in manifest["files"]}
    assert set(listed) == {"report.html", "report.pdf", "timeline.png", "network.png"}
    for name, digest in listed.items():
        assert hashlib.sha256((pack / name).read_bytes()).hexdigest() == digest
    sums = dict(reversed(line.split("  ")) for line in
                (pack / "SHA256SUMS").read_text().splitlines())
    assert sums["manifest.json"] == hashlib.sha256(
        (pack / "manifest.json").read_bytes()).hexdigest()
    assert verify_pack(pack) == []


def test_tampering_is_detected_and_generation_audited(pack: Path, sample: Sample,
                                                      tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    copy.mkdir()
    for file in pack.iterdir():
        (copy / file.name).write_bytes(file.read_bytes())
    with (copy / "report.html").open("a", encoding="utf-8") as handle:
        handle.write("<!-- edited -->")
    assert verify_pack(copy) == ["report.html"]
    with open_store(sample.workspace) as store:
        entries = audit.entries(store, action="report_pack", target_type="case",
                                target_id=str(sample.approved_case))
    assert entries and set(entries[0].detail["files"]) >= {"report.pdf", "manifest.json"}

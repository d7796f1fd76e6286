"""In a real browser (issue 19, "evidence-pack button on the case"): an analyst opens a case
and downloads its evidence pack with the button made from the exporter registry: a .zip of the
pack whose PDF and HTML report hold the case's title and payments, recorded in the audit log."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pypdfium2
import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser


def test_the_evidence_pack_button_downloads_the_case_pack(
        live_app: str, browser: Any, password: str, tmp_path: Path, shots: Path) -> None:
    page, problems = log_in(browser, live_app, "ana", password)
    page.click("a.party-link:text('P1')")
    page.fill("#triage-reason", "night payments to a facilitator")
    page.click("#btn-escalate")
    page.wait_for_url("**/cases/*")
    case_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    title = page.locator("h1").inner_text().strip()
    txn_ids = [t.strip() for t in page.locator("#case-payments td.mono").all_inner_texts()]
    assert txn_ids, "the escalated case holds payments"
    assert page.locator("button[data-export=goaml]").count() == 0  # not approved yet

    with page.expect_download() as caught:
        page.click("button[data-export=pack]")
    saved = tmp_path / caught.value.suggested_filename
    caught.value.save_as(saved)
    assert saved.suffix == ".zip" and f"case-{case_id}-pack-" in saved.name
    page.wait_for_selector(".toast:has-text('Evidence pack generated')")
    with zipfile.ZipFile(saved) as archive:
        names = {Path(n).name: n for n in archive.namelist()}
        manifest = json.loads(archive.read(names["manifest.json"]))
        pdf = archive.read(names["report.pdf"])
        html = archive.read(names["report.html"]).decode("utf-8")
    assert manifest["subject"]["id"] == case_id
    assert {f["file"] for f in manifest["files"]} >= {"report.pdf", "report.html"}
    assert pdf.startswith(b"%PDF")
    text = "".join(p.get_textpage().get_text_range() for p in pypdfium2.PdfDocument(pdf))
    assert title in text
    assert all(txn in html for txn in txn_ids)
    page.screenshot(path=str(shots / "evidence-pack-downloaded.png"), full_page=True)

    page.goto(f"{live_app}/cases/{case_id}")  # the audit log shows who generated it
    assert problems == []
    boss, _ = log_in(browser, live_app, "sam", password)
    boss.goto(f"{live_app}/audit")
    assert boss.locator("#audit-table td:has-text('report_pack')").count() == 1

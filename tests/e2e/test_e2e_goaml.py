"""In a real browser (issue 19, defect 3): a supervisor approves a case and downloads its goAML
STR from the case page; a report the FIU's schema refuses is listed in a panel that stays; with
no schema configured the button is disabled and says why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser
UAE = "formats/goaml/goAMLSchema_5.0.2_UAE_patched_xsd10.xsd"


def _approved_case(browser: Any, base: str, password: str) -> tuple[Any, str]:
    page, problems = log_in(browser, base, "ana", password)
    page.click("a.party-link:text('P1')")
    page.fill("#triage-reason", "night payments to a facilitator, rising amounts")
    page.click("#btn-escalate")
    page.wait_for_url("**/cases/*")
    case_url = page.url
    page.click("button[data-action=investigate]")
    page.wait_for_selector("button[data-action=submit]")
    page.click("button[data-action=submit]")
    page.wait_for_selector(".badge.status-pending_approval")
    assert problems == []
    boss, _ = log_in(browser, base, "sam", password)
    boss.goto(case_url)
    boss.click("button[data-action=approve]")
    boss.wait_for_selector(".badge.status-reported")
    return boss, case_url


def test_supervisor_gets_the_str_and_a_refusal_is_a_readable_panel(
        live_app: str, browser: Any, password: str, shared_dir: Path, tmp_path: Path,
        shots: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DENTRACE_GOAML_CONFIG", raising=False)
    monkeypatch.delenv("DENTRACE_GOAML_SCHEMA", raising=False)
    boss, case_url = _approved_case(browser, live_app, password)
    boss.wait_for_selector("#goaml-panel")
    assert boss.locator("button[data-action=goaml]").is_disabled()
    assert "DENTRACE_GOAML_SCHEMA" in boss.locator("#goaml-panel").inner_text()

    monkeypatch.setenv("DENTRACE_GOAML_SCHEMA", str(shared_dir / UAE))
    boss.goto(case_url)
    boss.wait_for_selector("#goaml-panel:has-text('shipped examples')")
    with boss.expect_download() as caught:
        boss.click("button[data-action=goaml]")
    saved = tmp_path / "str.xml"
    caught.value.save_as(saved)
    text = saved.read_text(encoding="utf-8")
    assert "<report_code>STR</report_code>" in text and "<transaction>" in text
    boss.wait_for_selector("#goaml-panel:has-text('goAML report generated')")

    bad = tmp_path / "bad.toml"
    bad.write_text('[transmode]\ntransfer = "TELEPORT"\nwire = "TELEPORT"\n'
                   'remittance = "TELEPORT"\nwallet = "TELEPORT"\ncard = "TELEPORT"\n')
    monkeypatch.setenv("DENTRACE_GOAML_CONFIG", str(bad))
    boss.click("button[data-action=goaml]")
    boss.wait_for_selector("#goaml-problems li")
    boss.wait_for_timeout(4500)  # a toast was gone after 4 s; the panel stays
    first = boss.locator("#goaml-problems li").first.inner_text()
    assert "transmode_code" in first and "TELEPORT" in first and "[" not in first[:1]
    box = boss.locator("#goaml-panel").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 1440
    boss.screenshot(path=str(shots / "goaml-refused.png"), full_page=True)
    boss.click("#goaml-panel-close")
    assert boss.locator("#goaml-panel").count() == 0
    boss.goto(f"{live_app}/audit")
    assert boss.locator("#audit-table td:has-text('goaml_refused')").count() == 1
    assert boss.locator("#audit-table td:has-text('report_goaml')").count() == 1

"""In a real browser: log in, open an alert, see network and timeline, escalate, approve.

Screenshots of the main pages land in the ``shots`` folder; no page may log a CSP violation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser


def test_analyst_escalates_and_supervisor_approves(
    live_app: str, browser: Any, shots: Path, password: str
) -> None:
    login = browser.new_page(viewport={"width": 1440, "height": 900})
    login.goto(f"{live_app}/login")
    login.screenshot(path=str(shots / "01-login.png"))
    login.close()

    page, problems = log_in(browser, live_app, "ana", password)
    assert page.locator("#alert-table tbody tr").count() == 4
    page.screenshot(path=str(shots / "02-alert-queue.png"), full_page=True)

    page.click("a.party-link:text('P1')")
    page.wait_for_selector("#network[data-ready=true]")
    page.wait_for_function("document.querySelector('#timeline').width > 0")
    assert "amounts rose from AUD 20" in page.locator("#reasons").inner_text()
    assert page.locator("#payments tbody tr").count() == 6
    page.wait_for_timeout(300)
    page.screenshot(path=str(shots / "03-party.png"), full_page=True)

    page.fill("#triage-reason", "night payments to a facilitator, rising amounts")
    page.click("#btn-escalate")
    page.wait_for_url("**/cases/*")
    case_url = page.url
    page.click("button[data-action=investigate]")
    page.wait_for_selector("button[data-action=submit]")
    page.fill("#note-text", "Checked KYC: no family link to the beneficiary.")
    page.click("button[data-action=note]")
    page.wait_for_selector("#notes li:has-text('Checked KYC')")
    page.click("button[data-action=submit]")
    page.wait_for_selector(".badge.status-pending_approval")
    assert page.locator("button[data-action=approve]").count() == 0
    page.screenshot(path=str(shots / "04-case-pending.png"), full_page=True)
    assert problems == []

    boss, boss_problems = log_in(browser, live_app, "sam", password)
    boss.goto(case_url)
    boss.click("button[data-action=approve]")
    boss.wait_for_selector(".badge.status-reported")
    boss.screenshot(path=str(shots / "05-case-reported.png"), full_page=True)
    boss.goto(f"{live_app}/overview")
    boss.wait_for_function("document.querySelector('#chart-amounts').width > 0")
    boss.screenshot(path=str(shots / "06-overview.png"), full_page=True)
    boss.goto(f"{live_app}/audit")
    assert "chain intact" in boss.locator("#chain-status").inner_text()
    assert boss.locator("#audit-table td:has-text('approve_report')").count() == 1
    boss.screenshot(path=str(shots / "07-audit.png"), full_page=True)
    assert boss_problems == []


def test_bulk_dismiss_from_the_queue_and_api_docs(
    live_app: str, browser: Any, shots: Path, password: str
) -> None:
    page, problems = log_in(browser, live_app, "ana", password)
    page.check("input.pick[value='2']")
    page.check("input.pick[value='4']")
    assert page.locator("#selected-count").inner_text() == "2"
    page.click("#bulk-dismiss")
    assert "reason" in page.locator("#toast").inner_text()
    page.fill("#bulk-reason", "regular family support, verified")
    page.click("#bulk-dismiss")
    assert "reason code" in page.locator("#toast").inner_text()
    page.select_option("#bulk-code", "known_relationship")
    page.click("#bulk-dismiss")
    page.wait_for_selector("tr[data-alert-id='2'] .badge.status-dismissed")
    assert page.locator(".badge.status-dismissed").count() == 2
    page.goto(f"{live_app}/alerts?status=new")
    assert page.locator("#alert-table tbody tr").count() == 2
    page.goto(f"{live_app}/docs")
    page.wait_for_selector(".opblock-summary-path")
    page.screenshot(path=str(shots / "08-api-docs.png"))
    assert problems == []

"""In a real browser (issue 19): "assign to me" from the queue and the case page, adding an alert
to an existing case from the queue and from the case's related alerts, and a dismissal that
waits for a supervisor's second review (four eyes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser


def test_assign_to_me_and_save_a_view(live_app: str, browser: Any, shots: Path,
                                      password: str) -> None:
    page, problems = log_in(browser, live_app, "ana", password)
    page.check("input.pick[value='2']")
    page.check("input.pick[value='3']")
    page.click("#bulk-assign-me")
    page.wait_for_selector("#toast:has-text('2 alerts assigned to you')")
    page.wait_for_selector("tr[data-alert-id='2'] td.assignee:has-text('ana')")
    assert page.locator("tr[data-alert-id='3'] td.assignee").inner_text() == "ana"
    assert page.locator("tr[data-alert-id='1'] td.assignee").inner_text() == "—"

    page.select_option("#filter-assignee", "me")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**assignee=me**")
    assert page.locator("#alert-table tbody tr").count() == 2
    page.fill("#view-name", "Mine")
    page.click("#btn-save-view")
    page.wait_for_selector("#saved-views a:has-text('Mine')")
    page.goto(f"{live_app}/alerts")
    assert page.locator("#alert-table tbody tr").count() == 4
    page.click("#saved-views a:has-text('Mine')")
    page.wait_for_url("**assignee=me**")
    assert page.locator("#alert-table tbody tr").count() == 2
    page.screenshot(path=str(shots / "20-queue-assigned.png"), full_page=True)
    assert problems == []


def test_add_alerts_to_an_existing_case(live_app: str, browser: Any, shots: Path,
                                        password: str) -> None:
    page, problems = log_in(browser, live_app, "ana", password)
    page.check("input.pick[value='3']")
    page.click("#bulk-escalate")
    page.wait_for_url("**/cases/1")
    page.click("#edit-title summary")
    page.fill("#title-text", "Den around F1")
    page.click("button[data-action=rename]")
    page.wait_for_selector("#case-title:has-text('Den around F1')")
    page.wait_for_selector("#network[data-ready=true]")
    assert page.locator("#story-parties tbody tr").count() == 1
    assert page.locator("#related-alerts button[data-add-alert]").count() == 3

    page.goto(f"{live_app}/alerts?status=new")  # from the queue: choose the open case
    page.check("input.pick[value='2']")
    page.select_option("#bulk-case", "1")
    page.click("#bulk-add-to-case")
    page.wait_for_url("**/cases/1")
    page.wait_for_selector("#toast:has-text('1 alert added to case #1')")
    page.click("#related-alerts button[data-add-alert='1']")  # from the case: one click
    page.wait_for_selector("#toast:has-text('Alert #1 added to case #1')")
    page.wait_for_selector("#case-parties tbody tr >> nth=2")
    assert page.locator("#case-parties tbody tr").count() == 3
    assert page.locator("#related-alerts button[data-add-alert]").count() == 1
    assert page.locator("#story-parties tbody tr").count() == 3
    page.screenshot(path=str(shots / "21-case-story.png"), full_page=True)
    assert problems == []


def test_a_high_score_dismissal_needs_a_second_review(live_app: str, browser: Any,
                                                      shots: Path, password: str) -> None:
    page, problems = log_in(browser, live_app, "sam", password)
    page.check("input.pick[value='1']")  # P1, 0.93
    page.select_option("#bulk-code", "explained_activity")
    page.fill("#bulk-reason", "salary from the employer, checked with HR")
    page.click("#bulk-dismiss")
    page.wait_for_selector("#toast:has-text('held for a second review')")
    page.wait_for_selector("tr[data-alert-id='1'] .badge.status-dismissal_pending")
    page.check("input.pick[value='1']")  # the asker may not confirm it
    page.click("#bulk-confirm")
    page.wait_for_selector("#toast:has-text('four eyes')")
    assert page.locator("tr[data-alert-id='1'] .badge.status-dismissal_pending").count() == 1

    boss, boss_problems = log_in(browser, live_app, "sue", password)
    boss.goto(f"{live_app}/alerts?status=dismissal_pending")
    assert "asked by sam" in boss.locator("tr[data-alert-id='1']").inner_text()
    boss.check("input.pick[value='1']")
    boss.click("#bulk-confirm")
    boss.wait_for_selector("#toast:has-text('dismissal confirmed')")
    boss.wait_for_selector("tr[data-alert-id='1']", state="detached")  # reloaded: not pending
    boss.goto(f"{live_app}/alerts?status=dismissed")
    boss.wait_for_selector("tr[data-alert-id='1'] .badge.status-dismissed")
    boss.screenshot(path=str(shots / "22-dismissal-reviewed.png"), full_page=True)
    problems = [p for p in problems if "403" not in p]  # the refused request itself
    assert problems == [] and boss_problems == []

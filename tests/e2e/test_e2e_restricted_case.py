"""In a real browser: open a restricted case from the case list, see its badge, manage members,
open it to all analysts and restrict it again (issue 16 point 19)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser


def test_analyst_opens_a_restricted_case_and_manages_access(
    live_app: str, browser: Any, shots: Path, password: str
) -> None:
    page, problems = log_in(browser, live_app, "ana", password)
    page.goto(f"{live_app}/cases")
    page.click("#new-case summary")
    page.fill("#new-title", "Sensitive den around F1")
    page.fill("#new-parties", "F1")
    page.select_option("#new-role", "facilitator")
    page.check("#new-restricted")
    page.fill("#new-members", "sam")
    page.click("#btn-new-case")
    page.wait_for_url("**/cases/*")
    page.wait_for_selector("#restricted-badge")
    assert page.locator("#members li").inner_text().startswith("sam")
    assert page.locator("#case-parties tbody tr").count() == 1
    page.screenshot(path=str(shots / "08-case-restricted.png"), full_page=True)

    page.fill("#member-name", "sue")
    page.click("button[data-action=add-member]")
    page.wait_for_selector("#members li:has-text('sue')")
    page.click("button[data-action=remove-member][data-username=sam]")
    page.wait_for_selector("#members li:has-text('sam')", state="detached")
    page.click("button[data-action=unrestrict]")
    page.wait_for_selector("button[data-action=restrict]")
    assert page.locator("#restricted-badge").count() == 0
    page.click("button[data-action=restrict]")
    page.wait_for_selector("#restricted-badge")

    page.goto(f"{live_app}/cases")
    assert page.locator("#case-table td:has-text('Restricted')").count() == 1
    page.click("#new-case summary")  # the form refuses party ids that are not in the data
    page.fill("#new-title", "Unknown parties")
    page.fill("#new-parties", "NOBODY-7")
    page.click("#btn-new-case")
    page.wait_for_selector("#toast:has-text('NOBODY-7')")
    problems = [p for p in problems if "422" not in p]  # the refused request itself
    assert problems == []

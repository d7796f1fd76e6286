"""In a real browser (issue 19, defect 7): an alert's reasons name their counterparties, link
to them and say what they add to the score, on the party page and in the queue."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser


def test_alert_reasons_show_their_counterparties(live_app: str, browser: Any,
                                                 password: str) -> None:
    page, problems = log_in(browser, live_app, "ana", password)
    chip = page.locator("tr", has=page.locator("a.party-link", has_text="F1")).locator(".chip")
    assert "with P1 (name P1), P2 (name P2), P3 (name P3)" in (chip.get_attribute("title") or "")
    page.goto(f"{live_app}/parties/P1")
    reasons = page.locator("#reasons > li")
    assert reasons.count() == 3
    first = reasons.nth(0)
    assert first.locator(".chip").inner_text() == "NIGHT"
    assert first.locator(".reason-parties").is_visible()
    assert "name F1" in first.locator(".reason-parties").inner_text()
    assert "Adds 0.41 to the score" in first.locator(".reason-contribution").inner_text()
    first.locator(".reason-parties a", has_text="F1").click()
    page.wait_for_url(f"{live_app}/parties/F1")
    assert "With: P1 name P1" in page.locator("#reasons").inner_text()
    assert problems == []

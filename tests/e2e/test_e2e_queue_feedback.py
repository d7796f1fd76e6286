"""In a real browser (issue 19, defect 5): select-all follows the rows, a page past the end of
the queue lands on its last page, and each toast says what happened (a note is "Note added to
case #N", not the case's status)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import SAMPLE, log_in, serving

pytestmark = pytest.mark.browser


@pytest.fixture()
def small_pages_app(tmp_path: Path) -> Iterator[str]:
    """The sample app with two alerts a page (the sample has four)."""
    from dentrace.web import WebSettings

    with serving(tmp_path / "ws", SAMPLE.build(tmp_path / "ws"),
                 WebSettings(secure_cookies=False, page_size=2)) as base:
        yield base


def test_select_all_follows_the_rows(live_app: str, browser: Any, password: str) -> None:
    page, problems = log_in(browser, live_app, "ana", password)
    select_all, picks = page.locator("#select-all"), page.locator("input.pick")
    assert picks.count() == 4
    select_all.check()
    assert all(picks.nth(i).is_checked() for i in range(4))
    assert page.locator("#selected-count").inner_text() == "4"
    picks.nth(1).uncheck()
    assert not select_all.is_checked()
    assert select_all.evaluate("box => box.indeterminate") is True
    assert page.locator("#selected-count").inner_text() == "3"
    picks.nth(1).check()  # every row ticked by hand: select-all ticks too
    assert select_all.is_checked() and select_all.evaluate("box => !box.indeterminate")
    for i in range(4):
        picks.nth(i).uncheck()
    assert not select_all.is_checked() and select_all.evaluate("box => !box.indeterminate")
    assert problems == []


def test_a_page_past_the_end_lands_on_the_last_page(small_pages_app: str, browser: Any,
                                                     password: str) -> None:
    page, problems = log_in(browser, small_pages_app, "ana", password)
    assert page.locator(".pager span").inner_text() == "page 1 of 2"
    page.goto(f"{small_pages_app}/alerts?status=new&page=9")
    assert page.url.endswith("page=2") and "status=new" in page.url
    assert page.locator(".pager span").inner_text() == "page 2 of 2"
    assert page.locator("#alert-table tbody tr[data-alert-id]").count() == 2
    assert "4 alerts match" in page.locator(".page-head .sub").inner_text()
    page.goto(f"{small_pages_app}/alerts?party_id=NOBODY&page=3")  # nothing matches: page 1
    assert page.locator(".pager span").inner_text() == "page 1 of 1"
    assert "No alert matches" in page.locator("#alert-table tbody").inner_text()
    assert problems == []


def test_each_toast_says_what_happened(live_app: str, browser: Any, password: str) -> None:
    page, problems = log_in(browser, live_app, "ana", password)
    page.locator("input.pick").first.check()
    page.fill("#bulk-reason", "Night payments to F1")
    page.click("#bulk-escalate")
    page.wait_for_url("**/cases/*")
    case_id = page.url.rsplit("/", 1)[1]
    page.wait_for_selector(f"#toast:has-text('1 alert escalated into case #{case_id}')")
    assert "Notes (1)" in page.locator("#notes").locator("..").inner_text()

    page.fill("#note-text", "Called the bank: account opened last month")
    page.click("button[data-action=note]")
    page.wait_for_selector(f"#toast:has-text('Note added to case #{case_id}')")
    page.wait_for_selector("#notes li:has-text('Called the bank')")  # after the reload
    toast = page.locator("#toast")
    assert toast.inner_text() == f"Note added to case #{case_id}" and toast.is_visible()
    assert "Notes (2)" in page.locator("#notes").locator("..").inner_text()

    page.click("button[data-action=investigate]")
    page.wait_for_selector(f"#toast:has-text('Case #{case_id} is now being investigated')")
    page.wait_for_selector("button[data-action=submit]")
    assert problems == []

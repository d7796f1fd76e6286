"""On a 390 px phone (issue 19 point 6): every page fits the screen's width, and log out stays in
view. Screenshots of each page land in the ``shots`` folder as ``390-<page>.png``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _phone_login(browser: Any, base: str, username: str, password: str) -> tuple[Any, list[str]]:
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"{page.url}: {m.text}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/alerts")
    return page, problems


def _open_case(page: Any, base: str) -> str:
    """A case on F1 opened from the phone; the URL of its page."""
    page.goto(f"{base}/cases")
    page.click("#new-case summary")
    page.fill("#new-title", "Den around F1, seen on a phone")
    page.fill("#new-parties", "F1 P1")
    page.select_option("#new-role", "facilitator")
    page.click("#btn-new-case")
    page.wait_for_url("**/cases/*")
    return str(page.url)


def _fits(page: Any, shots: Path, name: str) -> list[str]:
    """What does not fit on ``page``: a wider document, or log out out of view."""
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(200)  # charts and the network draw after the load event
    page.screenshot(path=str(shots / f"390-{name}.png"), full_page=True)
    faults = []
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        faults.append(f"{name}: the page is {width} px wide")
    log_out = page.locator("header button:has-text('Log out')")
    if log_out.count() != 1:
        return [*faults, f"{name}: no log out in a top bar"]
    box = log_out.bounding_box()
    inside = box is not None and box["x"] >= 0 and box["y"] >= 0 \
        and box["x"] + box["width"] <= PHONE["width"] \
        and box["y"] + box["height"] <= PHONE["height"]
    if not (log_out.is_visible() and inside):
        faults.append(f"{name}: log out is not in view ({box})")
    return faults


def test_every_page_fits_a_390_px_phone(live_app: str, browser: Any, shots: Path,
                                        password: str) -> None:
    page, problems = _phone_login(browser, live_app, "sam", password)
    case_url = _open_case(page, live_app)
    faults: list[str] = []
    pages = {"queue": "/alerts", "party": "/parties/P1", "cases": "/cases", "case": case_url,
             "overview": "/overview", "audit": "/audit", "docs": "/docs"}
    for name, path in pages.items():
        page.goto(path if path.startswith("http") else f"{live_app}{path}")
        if name == "party":
            page.wait_for_selector("#network[data-ready=true]")
        if name == "overview":
            page.wait_for_function("document.querySelector('#chart-amounts').width > 0")
        faults += _fits(page, shots, name)
    assert faults == [], "\n".join(faults)
    assert problems == []


def test_the_charts_and_the_network_fit_inside_their_cards(live_app: str, browser: Any,
                                                            password: str) -> None:
    page, problems = _phone_login(browser, live_app, "ana", password)
    checks = {"/overview": ["#chart-time", "#chart-corridors", "#chart-amounts"],
              "/parties/P1": ["#timeline", "#network"]}
    for path, selectors in checks.items():
        page.goto(f"{live_app}{path}")
        page.wait_for_load_state("networkidle")
        for selector in selectors:
            box = page.locator(selector).bounding_box()
            card = page.locator(f"section.card:has({selector})").bounding_box()
            assert box is not None and card is not None, selector
            assert card["x"] >= 0 and card["x"] + card["width"] <= PHONE["width"], selector
            assert box["x"] >= card["x"] and box["x"] + box["width"] <= card["x"] + card["width"], \
                selector
    assert problems == []

"""axe-core (from the npm registry, ``node_modules/axe-core``) on every page of the app in Chromium
(issue 19): no serious or critical violation on the login, queue, party and network, case list,
case, overview, audit log, search and error pages, nor on the party page's controls once used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = """async () => {
  const found = await window.axe.run(document, { resultTypes: ["violations"] });
  return found.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${
      v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
}"""


@pytest.fixture()
def axe_source() -> str:
    if not AXE.exists():
        pytest.skip("axe-core missing: run `npm ci` at the repository root")
    return AXE.read_text(encoding="utf-8")


def _violations(page: Any, url: str) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return [f"{url}: {line}" for line in page.evaluate(SERIOUS)]


def _case_url(page: Any, base: str) -> str:
    page.goto(f"{base}/alerts")
    page.click("a.party-link:text('P1')")
    page.fill("#triage-reason", "night payments to a facilitator")
    page.click("#btn-escalate")
    page.wait_for_url("**/cases/*")
    return str(page.url)


def test_no_page_has_a_serious_or_critical_violation(live_app: str, browser: Any,
                                                      password: str, axe_source: str) -> None:
    # the login page, before anyone logs in
    anonymous = browser.new_context()
    anonymous.add_init_script(axe_source)  # injected by the browser, not the page: CSP stays
    found = _violations(anonymous.new_page(), f"{live_app}/login")
    anonymous.close()
    page, problems = log_in(browser, live_app, "sam", password)
    page.context.add_init_script(axe_source)
    case = _case_url(page, live_app)
    for path in ("/alerts", "/alerts?status=new&sort=party_id", "/parties/P1", "/parties/F1",
                 "/cases", "/overview", "/audit", "/search?q=P", "/parties/nobody"):
        found += _violations(page, f"{live_app}{path}")
    found += _violations(page, case)
    assert found == []
    assert [p for p in problems if "/parties/nobody" not in p] == []  # its 404 is the point


def test_the_party_page_controls_stay_accessible_once_used(live_app: str, browser: Any,
                                                           password: str,
                                                           axe_source: str) -> None:
    page, problems = log_in(browser, live_app, "ana", password)
    page.context.add_init_script(axe_source)
    page.goto(f"{live_app}/parties/F1")
    page.check("#timeline-log")
    page.check("#pay-flagged")
    page.click("#payments .sort-head[data-sort=amount]")
    page.fill("#pay-text", "P1")
    page.select_option("#net-hops", index=0)
    assert [line for line in page.evaluate(SERIOUS)] == []
    assert problems == []

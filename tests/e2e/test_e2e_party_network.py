"""In a real browser, the party network (issue 19 point 2): the same drawing on every load,
tooltips written as text, filters by hop and score, zoom buttons, and its parties reachable by
keyboard as links that open in a new tab.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dentrace.store.warehouse import open_warehouse
from tests.e2e.conftest import SAMPLE, log_in, serving

pytestmark = pytest.mark.browser

# A payer's name is the bank's data: a tooltip must show it, never run it.
HOSTILE_NAME = '<img src=x onerror="document.title=\'owned\'">'
ODD_PAYER = "a/b c"  # pays F1 too: its link must stay one path segment
EDGE_LIKE_PAYER = "link-0"  # an id shaped like the drawing's own edge ids


@pytest.fixture()
def network_app(tmp_path: Path) -> Iterator[str]:
    """Base URL of the app on the sample workspace, P2 named with markup, an odd payer of F1."""
    workspace = tmp_path / "ws"
    store = SAMPLE.build(workspace)
    con = open_warehouse(workspace)
    try:
        con.execute("UPDATE transactions SET sender_name = ? WHERE sender_id = 'P2'",
                    [HOSTILE_NAME])
        for n, payer in enumerate((ODD_PAYER, EDGE_LIKE_PAYER)):
            con.execute("INSERT INTO transactions SELECT * REPLACE (? AS txn_id, ? AS sender_id)"
                        " FROM transactions WHERE txn_id = 'TP10'", [f"TODD{n}", payer])
    finally:
        con.close()
    with serving(workspace, store) as base:
        yield base


def _party_page(browser: Any, base: str, password: str) -> tuple[Any, list[str]]:
    page, problems = log_in(browser, base, "ana", password, warnings=True)
    page.goto(f"{base}/parties/P1")
    page.wait_for_selector("#network[data-ready=true]")
    return page, problems


DRAWING = """() => window.dentraceNetwork.nodes().map((n) => [n.id(), Math.round(n.position('x')),
  Math.round(n.position('y')), n.visible()]).sort()"""


def _hover(page: Any, party_id: str) -> None:
    where = page.evaluate("""(id) => { const r = window.dentraceNetwork.getElementById(id)
      .renderedPosition(); const b = document.getElementById('network').getBoundingClientRect();
      return [b.x + r.x, b.y + r.y]; }""", party_id)
    page.mouse.move(where[0], where[1])


def test_the_network_is_drawn_the_same_on_every_load(network_app: str, browser: Any,
                                                     password: str) -> None:
    page, problems = _party_page(browser, network_app, password)
    first = page.evaluate(DRAWING)
    assert {n[0] for n in first} == {"P1", "F1", "P2", "P3", "P5", "F9", ODD_PAYER,
                                   EDGE_LIKE_PAYER}
    for _ in range(2):
        page.reload()
        page.wait_for_selector("#network[data-ready=true]")
        assert page.evaluate(DRAWING) == first
    assert problems == []


def test_tooltips_show_name_total_and_count_as_text(network_app: str, browser: Any,
                                                    password: str) -> None:
    page, problems = _party_page(browser, network_app, password)
    _hover(page, "P2")
    tip = page.locator("#net-tip")
    tip.wait_for(state="visible")
    text = tip.inner_text()
    assert HOSTILE_NAME in text  # shown as typed, not parsed
    assert "6 payments, 270 AUD within the network" in text and "score 0.81" in text
    assert tip.locator("img").count() == 0 and page.title() != "owned"
    _hover(page, "F1")
    assert "name F1" in tip.inner_text() and "known" not in tip.inner_text()
    page.mouse.move(5, 5)
    tip.wait_for(state="hidden")
    assert problems == []


def test_filters_hide_parties_from_the_drawing_and_the_list(network_app: str, browser: Any,
                                                            password: str) -> None:
    page, problems = _party_page(browser, network_app, password)
    visible = "() => window.dentraceNetwork.nodes().filter((n) => n.visible()).length"
    rows = page.locator("#net-list-body tr:visible")
    assert page.evaluate(visible) == 8 and rows.count() == 8
    page.select_option("#net-score", "0.7")  # P1 0.93, F1 0.88, P2 0.81 are left
    assert page.evaluate(visible) == 3 and rows.count() == 3
    assert page.locator("#network-note").inner_text().startswith("3 of 8 parties")
    page.select_option("#net-score", "")
    page.select_option("#net-hops", "1")  # the party and its direct counterparty F1
    assert page.evaluate(visible) == 2 and rows.count() == 2
    assert problems == []


def test_zoom_buttons_zoom_and_fit(network_app: str, browser: Any, password: str) -> None:
    page, problems = _party_page(browser, network_app, password)
    zoom = "() => window.dentraceNetwork.zoom()"
    fitted = page.evaluate(zoom)
    page.click("#net-zoom-in")
    assert page.evaluate(zoom) == pytest.approx(fitted * 1.4, rel=0.01)
    page.click("#net-zoom-out")
    page.click("#net-zoom-out")
    assert page.evaluate(zoom) == pytest.approx(fitted / 1.4, rel=0.01)
    page.click("#net-fit")  # every party back in view (labels that moved may shift the fit)
    assert page.evaluate(zoom) == pytest.approx(fitted, rel=0.05)
    inside = page.evaluate("""() => { const cy = window.dentraceNetwork;
      const box = cy.nodes(':visible').renderedBoundingBox();
      return box.x1 >= 0 && box.y1 >= 0 && box.x2 <= cy.width() && box.y2 <= cy.height(); }""")
    assert inside
    assert problems == []


def test_the_keyboard_reaches_each_party_and_opens_it_in_a_new_tab(
    network_app: str, browser: Any, password: str
) -> None:
    page, problems = _party_page(browser, network_app, password)
    page.focus("#net-fit")
    reached: list[str] = []
    for _ in range(10):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent")
        if page.evaluate("document.activeElement.classList.contains('net-link')"):
            reached.append(focused)
        if focused == ODD_PAYER:
            break
    assert reached[:3] == ["P1", "F1", "P2"]  # nearest, then riskiest first
    assert reached[-1] == ODD_PAYER
    link = page.locator("#net-list-body a", has_text=ODD_PAYER)
    assert link.get_attribute("href") == "/parties/a%2Fb%20c"
    assert link.get_attribute("target") == "_blank"
    assert page.locator("#net-tip").inner_text().startswith(ODD_PAYER)  # focus shows the tooltip
    with page.context.expect_page() as opened:
        page.keyboard.press("Enter")
    tab = opened.value
    tab.wait_for_load_state()
    assert tab.locator("#party-id").inner_text() == ODD_PAYER
    with page.context.expect_page() as clicked:  # a click on a node opens its page the same way
        _hover(page, "F1")
        page.mouse.down()
        page.mouse.up()
    clicked.value.wait_for_load_state()
    assert clicked.value.url.endswith("/parties/F1")
    assert page.url.endswith("/parties/P1")
    assert problems == []


def test_on_a_phone_a_first_tap_explains_a_node_and_a_second_opens_it(
    network_app: str, browser: Any, password: str
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.goto(f"{network_app}/login")
    page.fill("input[name=username]", "ana")
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{network_app}/alerts")
    page.goto(f"{network_app}/parties/P1")
    page.wait_for_selector("#network[data-ready=true]")
    page.locator("#network").scroll_into_view_if_needed()
    where = page.evaluate("""() => { const r = window.dentraceNetwork.getElementById('F1')
      .renderedPosition(); const b = document.getElementById('network').getBoundingClientRect();
      return [b.x + r.x, b.y + r.y]; }""")
    page.touchscreen.tap(where[0], where[1])
    tip = page.locator("#net-tip")
    tip.wait_for(state="visible")
    assert "name F1" in tip.inner_text() and "tap again" in tip.inner_text()
    assert len(context.pages) == 1
    with context.expect_page() as opened:
        page.touchscreen.tap(where[0], where[1])
    opened.value.wait_for_load_state()
    assert opened.value.url.endswith("/parties/F1")
    context.close()

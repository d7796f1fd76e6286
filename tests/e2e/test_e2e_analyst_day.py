"""An analyst's day in Chromium (issue 19's e2e list): keyboard-only triage, search, the CSV
exports of the party page's table and of the queue, the party page's timeline and table
controls, the queue filling after a scan by itself, and goAML from the app in the demo."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import log_in, serving

pytestmark = pytest.mark.browser
UAE = "formats/goaml/goAMLSchema_5.0.2_UAE_patched_xsd10.xsd"


def _focused(page: Any) -> str:
    """What has the keyboard focus: its id, else its tag, classes and text."""
    return str(page.evaluate(
        "() => { const e = document.activeElement; return e.id ? `#${e.id}` : "
        "`${e.tagName.toLowerCase()}.${e.className}:${(e.textContent || '').trim()}`; }"))


def _tab_to(page: Any, wanted: str, most: int) -> int:
    """Press Tab until the focus is on ``wanted`` (a CSS selector); how many presses it took."""
    for count in range(1, most + 1):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", wanted):
            return count
    raise AssertionError(f"{wanted} not reached in {most} Tabs (focus on {_focused(page)})")


def test_keyboard_only_triage(live_app: str, browser: Any, password: str) -> None:
    page, problems = log_in(browser, live_app, "ana", password)
    page.goto(f"{live_app}/alerts")
    assert _tab_to(page, "a.skip-link[href='#main']", 1) == 1
    assert page.locator("a.skip-link[href='#main']").bounding_box()["y"] >= 0  # shown on focus
    _tab_to(page, "a.skip-link[href='#alert-rows']", 1)
    page.keyboard.press("Enter")
    assert _tab_to(page, "a.party-link", 2) <= 2  # 31 Tabs before the skip links
    ring = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert ring == "solid"  # a visible focus ring
    page.keyboard.press("Enter")
    page.wait_for_url("**/parties/*")
    party_url = page.url
    _tab_to(page, "#triage-reason", 40)
    page.keyboard.type("night payments to a facilitator, seen by keyboard")
    _tab_to(page, "#btn-escalate", 3)
    page.keyboard.press("Enter")
    page.wait_for_url("**/cases/*")
    page.goto(party_url)
    assert page.locator("#triage-form").count() == 0  # triaged: no open alert left
    assert problems == []


def test_search_finds_a_party_by_part_of_its_name(live_app: str, browser: Any,
                                                  password: str) -> None:
    page, problems = log_in(browser, live_app, "ana", password)
    page.fill("header input[name=q]", "SMÍTH")  # part of "Alan Smith", another case and accent
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=*")
    page.click("#search-table a:text-is('P1')")
    page.wait_for_url("**/parties/P1")
    assert page.locator("#party-id").inner_text() == "P1"
    assert problems == []


def _download(page: Any, selector: str, folder: Path) -> list[dict[str, str]]:
    with page.expect_download() as caught:
        page.click(selector)
    saved = folder / caught.value.suggested_filename
    caught.value.save_as(saved)
    return list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"))))


def test_the_payment_table_filters_sorts_and_exports_what_it_shows(
        live_app: str, browser: Any, password: str, tmp_path: Path) -> None:
    page, problems = log_in(browser, live_app, "ana", password)
    page.goto(f"{live_app}/parties/F1")
    rows = page.locator("#payments-body tr")
    assert rows.count() == 20
    page.fill("#pay-text", "p2")
    assert rows.count() == 6 and "6 of 20" in page.locator("#pay-count").inner_text()
    page.click("#payments .sort-head[data-sort=amount]")  # largest first
    assert page.locator("th:has(.sort-head[data-sort=amount])").get_attribute(
        "aria-sort") == "descending"
    shown = [r.split("\t")[-1] for r in rows.evaluate_all(
        "rs => rs.map((r) => r.innerText)")]
    exported = _download(page, "#payments-csv", tmp_path)
    assert [r["txn_id"] for r in exported] == [s.strip() for s in shown]
    assert [float(r["amount"]) for r in exported] == sorted(
        (float(r["amount"]) for r in exported), reverse=True)
    page.fill("#pay-text", "")
    page.check("#pay-flagged")
    assert rows.count() == 2  # the alert's own payments
    page.check("#timeline-log")
    page.check("#timeline-flagged")
    assert page.evaluate("() => Chart.getChart('timeline').options.scales.y.type") \
        == "logarithmic"
    points = page.evaluate("() => Chart.getChart('timeline').data.datasets"
                           ".reduce((n, d) => n + d.data.length, 0)")
    assert points == 2
    page.goto(f"{live_app}/alerts?status=new")
    queue = _download(page, "#alerts-csv", tmp_path)
    assert {r["status"] for r in queue} == {"new"} and len(queue) >= 1
    assert problems == []


@pytest.mark.slow
def test_the_queue_fills_after_a_scan_by_itself(tmp_path: Path, browser: Any) -> None:
    from dentrace.detect.scan import scan
    from dentrace.store.sql import open_store
    from tests.integration.web.live_world import make_workspace, make_world

    workspace = tmp_path / "ws"
    make_workspace(make_world(tmp_path, seed=19), workspace)  # ingest, scan, users add "ana"
    with serving(workspace, open_store(workspace)) as base:
        page, problems = log_in(browser, base, "ana", "a-long-test-password")
        first = page.locator("#alert-table a.party-link").count()
        assert first > 0  # nobody pressed "Import latest scan"
        scan(workspace, scorer="rules", alert_budget=400.0)  # beside the running app
        page.goto(f"{base}/alerts?page=1")
        total = page.locator(".page-head .sub").inner_text()
        assert int(total.split()[0]) > first, total
        assert problems == []


@pytest.mark.slow
def test_goaml_from_the_app_in_the_demo(tmp_path: Path, browser: Any, shared_dir: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from dentrace.auth import add_user
    from dentrace.cli.main import app
    from dentrace.store.sql import open_store

    monkeypatch.delenv("DENTRACE_GOAML_CONFIG", raising=False)
    monkeypatch.setenv("DENTRACE_GOAML_SCHEMA", str(shared_dir / UAE))
    workspace = tmp_path / "demo"
    built = CliRunner().invoke(app, ["demo", "--workspace", str(workspace), "--scale", "0.03",
                                     "--no-serve", "--goaml-schema", str(shared_dir / UAE)])
    assert built.exit_code == 0, built.output
    assert "validated against" in built.output
    store = open_store(workspace)
    for name, role in (("ada", "analyst"), ("sid", "supervisor"), ("sal", "supervisor")):
        add_user(store, name, role, "a-long-demo-password")
    with serving(workspace, store) as base:
        page, problems = log_in(browser, base, "ada", "a-long-demo-password")
        page.click("#alert-table a.party-link >> nth=0")
        page.fill("#triage-reason", "the demo's top alert")
        page.click("#btn-escalate")
        page.wait_for_url("**/cases/*")
        case_url = page.url
        page.click("button[data-action=investigate]")
        page.wait_for_selector("button[data-action=submit]")
        page.click("button[data-action=submit]")
        page.wait_for_selector(".badge.status-pending_approval")
        boss, _ = log_in(browser, base, "sid", "a-long-demo-password")
        boss.goto(case_url)
        boss.click("button[data-action=approve]")
        boss.wait_for_selector(".badge.status-reported")
        with boss.expect_download() as caught:
            boss.click("button[data-action=goaml]")
        saved = tmp_path / "str.xml"
        caught.value.save_as(saved)
        assert "<report_code>STR</report_code>" in saved.read_text(encoding="utf-8")
        assert problems == []

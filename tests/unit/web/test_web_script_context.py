"""Data embedded in a page's JSON script block cannot end the block or change how it parses.

Memos are free text from the bank's files: an attacker who can send a payment chooses them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.unit.web.odd_sample import HOSTILE_MEMOS, set_memos
from tests.unit.web.web_sample import TOKENS


def party_block(html: str) -> str:
    """The raw text of the party page's JSON block, as an HTML parser ends it."""
    found = re.search(r'<script type="application/json" id="party-data">(.*?)</script>', html,
                      re.S)
    assert found is not None, "no party-data block"
    return found.group(1)


@pytest.fixture()
def hostile_workspace(workspace: Path) -> Path:
    set_memos(workspace)
    return workspace


def test_hostile_memos_stay_inside_the_json_block(hostile_workspace: Path,
                                                  client: TestClient) -> None:
    client.cookies.set("dentrace_session", TOKENS["ana"])
    html = client.get("/parties/P1").text
    block = party_block(html)
    # Nothing an HTML tokenizer reacts to inside script data: no '<' (which starts '<!--',
    # '<script' and '</script'), and no '>', '&' or line separators either.
    for char in "<>&\u2028\u2029":
        assert char not in block, repr(char)
    data = json.loads(block)
    memos = {p["txn_id"]: p["memo"] for p in data["timeline"]}
    assert {t: memos[t] for t in HOSTILE_MEMOS} == HOSTILE_MEMOS
    # The memo cells of the table are escaped as HTML text.
    assert "&lt;!--&lt;script&gt;" in html and "<!--<script>" not in html


def test_the_overview_block_is_escaped_the_same_way() -> None:
    from dentrace.web.pages import _json_block

    text = _json_block({"name": "<!--<script></script>&\u2028\u2029", "when": Path("x")})
    assert not set(text) & set("<>&\u2028\u2029")
    assert json.loads(text) == {"name": "<!--<script></script>&\u2028\u2029", "when": "x"}

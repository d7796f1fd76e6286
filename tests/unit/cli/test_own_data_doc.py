"""docs/own-data.md is run, not only read (issue 19, defect 8): its fenced CSV, mapping, settings
and commands, in order, on a small export of the same shape; the app's part (a case approved
under four eyes) is done through the cases services the app calls."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from dentrace import cases
from dentrace.auth import get_account
from dentrace.cli.main import app
from dentrace.store.sql import open_store

DOC = Path(__file__).resolve().parents[3] / "docs" / "own-data.md"
UAE = "formats/goaml/goAMLSchema_5.0.2_UAE_patched_xsd10.xsd"


def _blocks(kind: str) -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    return re.findall(rf"```{kind}\n(.*?)```", text, flags=re.S)


def _export(shown: str) -> str:
    """The doc's rows and more of the same: twelve payers sending small sums at night."""
    rows = shown.strip().splitlines()
    for n in range(40):
        rows.append(f"B-{2000 + n};{1 + n % 28:02d}.04.2025 {20 + n % 4}:{n % 60:02d};"
                    f"DE-ACC-{n % 12};PH-WAL-12;{20 + n},50;EUR;gift")
    return "\n".join(rows) + "\n"


def _run(line: str, schema: Path) -> str:
    args = shlex.split(line.replace("fiu.xsd", str(schema)))
    assert args[0] == "dentrace"
    result = CliRunner().invoke(app, args[1:], env={"COLUMNS": "200"})
    assert result.exit_code == 0, f"{line}\n{result.output}"
    return result.output


def test_the_own_data_walkthrough_runs_as_written(
        tmp_path: Path, shared_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (csv,), (mapping, entity) = _blocks("csv"), _blocks("toml")
    ingest_block, users_block, report_block = _blocks("bash")
    Path("bank-export.csv").write_text(_export(csv), encoding="utf-8")
    Path("mapping.toml").write_text(mapping, encoding="utf-8")
    Path("our-entity.toml").write_text(entity, encoding="utf-8")
    schema = shared_dir / UAE

    outputs = [_run(line, schema) for line in ingest_block.strip().splitlines()]
    assert "No quarantined rows" in outputs[1]
    assert "Scan of ws" in outputs[2]
    users, serve = users_block.strip().splitlines()[:-1], users_block.strip().splitlines()[-1]
    assert serve == "dentrace serve --workspace ws"  # serving is the e2e tests' part
    for line in users:
        assert "password:" in _run(line, schema)

    with open_store(Path("ws")) as store:  # what the app does on the case page
        ana, sam, sue = (get_account(store, name) for name in ("ana", "sam", "sue"))
        case = cases.open_case(store, ana, "PH-WAL-12", [("PH-WAL-12", "facilitator")])
        # a small export raises no alert (thresholds are per 10k customers): the analyst adds
        # the payments as the case's evidence, as the case page allows
        cases.add_transactions(store, ana, case.id, ["B-1001", "B-1002", "B-2000", "B-2001"])
        cases.start_investigation(store, ana, case.id)
        cases.submit_for_approval(store, sam, case.id)
        cases.approve_case(store, sue, case.id)
    assert case.id == 1

    (line,) = report_block.strip().splitlines()
    output = _run(line, schema)
    assert "goAML report written: case-1-str.xml" in output
    assert "shipped examples" not in output  # the doc's own entity details are used
    root = etree.parse("case-1-str.xml").getroot()
    assert root.findtext("rentity_id") == "4711"
    assert [t.findtext("transactionnumber") for t in root.iter("transaction")] == [
        "B-1001", "B-1002", "B-2000", "B-2001"]

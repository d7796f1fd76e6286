"""``dentrace graph`` is safe on its own: a party id never leads outside the workspace, a name
XML cannot hold still gives a valid GraphML file, and a failed write leaves no partial file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import igraph as ig
import pandas as pd
import pytest
from lxml import etree
from typer.testing import CliRunner

from dentrace.cli.main import app
from dentrace.graph.ego import ego_network, export_ego
from dentrace.ingest import ingest
from dentrace.writing.xmltext import REPLACEMENT
from tests.unit.features.toy_payments import mixed_world, payment, warehouse

TRAVERSAL, ABSOLUTE = "../../../../outside", "/tmp/dentrace-absolute-party"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace whose payers are named like paths out of it."""
    folder = tmp_path_factory.mktemp("graph-safety")
    rows = [payment(f"T{i}", sender, "fac-1", day=float(i), amount=20.0 + i)
            for i, sender in enumerate([TRAVERSAL, ABSOLUTE, "plain-1"] * 3)]
    frame = pd.DataFrame(rows)
    frame["ts"] = frame["ts_local"].dt.strftime("%Y-%m-%dT%H:%M:%S+10:00")
    source = folder / "payments.csv"
    frame[["txn_id", "ts", "sender_id", "beneficiary_id", "amount", "currency", "sender_name",
           "beneficiary_name", "memo"]].to_csv(source, index=False)
    ingest(folder / "ws", transactions=source, quiet=True)
    return folder / "ws"


@pytest.mark.parametrize("party", [TRAVERSAL, ABSOLUTE])
def test_a_party_id_is_written_inside_the_workspace(workspace: Path, party: str) -> None:
    before = set(workspace.parent.parent.rglob("*.graphml"))
    result = CliRunner().invoke(app, ["graph", "--workspace", str(workspace), "--party", party])
    assert result.exit_code == 0, result.output
    written = set(workspace.parent.parent.rglob("*.graphml")) - before
    assert len(written) == 1
    path = written.pop().resolve()
    assert path.parent == (workspace / "graphs").resolve()
    escaped = (workspace / "graphs" / party).resolve().with_suffix(".graphml")
    assert not escaped.exists(), f"written outside the workspace: {escaped}"
    assert etree.parse(str(path)).getroot() is not None


def test_a_control_character_in_a_name_gives_valid_graphml(tmp_path: Path) -> None:
    rows = mixed_world()
    # On every payment of the party and of the pair: the network names a party by one rule
    # (the least name of its strongest link), not by whichever row comes first.
    rows = [{**r, "sender_name": "a\x0bb"} if r["sender_id"] == "off0" else r for r in rows]
    rows = [{**r, "beneficiary_name": "GIFT\x01\ufffe"} if r["beneficiary_id"] ==
            rows[0]["beneficiary_id"] and r["sender_id"] == "off0" else r for r in rows]
    graph = ego_network(warehouse(rows), "off0", 1)
    graphml, _ = export_ego(graph, "off0", 1, tmp_path / "ego")
    text = graphml.read_text(encoding="utf-8")
    etree.fromstring(text.encode("utf-8"))
    assert f"GIFT{REPLACEMENT}{REPLACEMENT}" in text and f"a{REPLACEMENT}b" in text


def test_a_failed_write_leaves_no_partial_file(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    graph = ego_network(warehouse(mixed_world()), "off0", 1)

    def half(self: ig.Graph, path: Any, *args: Any, **kwargs: Any) -> None:
        Path(path).write_text("<?xml version='1.0'?><graphml><graph>", encoding="utf-8")
        raise ig.InternalError("Forbidden control character 0x01")

    monkeypatch.setattr(ig.Graph, "write_graphml", half)
    with pytest.raises(ig.InternalError):
        export_ego(graph, "off0", 1, tmp_path / "ego")
    assert list(tmp_path.iterdir()) == []

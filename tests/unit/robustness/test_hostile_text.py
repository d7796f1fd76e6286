"""Property: hostile text (controls, lone surrogates, direction marks, markup, 100 kB strings) in
any text field goes through ingest, scan, exporters, app pages and console output: each writes
valid output, quarantines the row with a reason or raises the project's own clear error.
"""

from __future__ import annotations

import io
import itertools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import duckdb
import igraph as ig
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from lxml import etree
from markupsafe import escape
from rich.console import Console

from dentrace.auth import issue_token
from dentrace.cli.console import print_error, say
from dentrace.errors import InputError
from dentrace.features import read_known
from dentrace.graph.ego import ego_network, export_ego
from dentrace.ingest import ingest
from dentrace.report.errors import CannotWrite, SchemaInvalid
from dentrace.report.ftm import FtmExporter
from dentrace.report.goaml import GoamlConfig, load_config, write_goaml
from dentrace.report.material import Material, case_material
from dentrace.report.pack import PackExporter, verify_pack
from dentrace.store.sql import open_store
from dentrace.store.warehouse import open_warehouse
from dentrace.web import WebSettings, create_app
from dentrace.web.party_paths import path_segment
from dentrace.writing.xmltext import holds_unsafe
from tests.unit.robustness.hostile_outputs import (
    CODES,
    FREE_TEXT_FIELDS,
    check_ftm,
    check_goaml,
    check_graph,
    check_pack,
    with_text,
)
from tests.unit.robustness.hostile_rows import FREE_TEXT, Row, rows, write_csv, write_parquet
from tests.unit.robustness.hostile_strategies import (
    BIG,
    encoded,
    has_surrogate,
    hostile_text,
    utf8_text,
)
from tests.unit.robustness.hostile_world import (
    BAD_IDS,
    BIG_ID,
    CASE_PARTIES,
    PARTIES,
    HostileWorld,
)
from tests.unit.robustness.hostile_world import build as build_world

PPATK = "formats/goaml/goAMLSchema_4.0.2_PPATK_Indonesia_2019-12-09.xsd"
SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example,
        HealthCheck.function_scoped_fixture]
_examples = itertools.count()


def _folder(tmp_path: Path) -> Path:
    """A fresh folder per hypothesis example (``tmp_path`` is shared by all of them)."""
    folder = tmp_path / f"example-{next(_examples)}"
    folder.mkdir()
    return folder


def _stored(workspace: Path) -> dict[str, list[tuple[object, ...]]]:
    con = duckdb.connect(str(workspace / "warehouse.duckdb"), read_only=True)
    try:
        stored = {t: con.execute(f"SELECT * FROM {t}").fetchall()
                  for t in ("transactions", "customers", "known")}
        stored["quarantine"] = con.execute(
            "SELECT line, field, reason, raw FROM quarantine").fetchall()
        return stored
    finally:
        con.close()


def _expected_loaded(row: Row) -> bool | None:
    """Whether ``row`` must load (True), must be quarantined (False), or either (None)."""
    if any(has_surrogate(v) for v in row.cells.values()):
        return False  # invalid UTF-8 in a CSV: quarantined as broken encoding
    if row.clean:
        return True
    if len(row.hostile) != 1:
        return None
    (column,) = row.hostile
    if column in FREE_TEXT[row.table]:
        return True  # characters XML cannot hold are replaced, the row is kept
    if column == row.key_column:
        return not holds_unsafe(row.key)  # an id is never changed: quarantined
    return None


def _check_ingest(workspace: Path, files: dict[str, Path], batches: dict[str, list[Row]]) -> None:
    """Ingest the files: every row read is loaded or quarantined with a reason, the counts
    reconcile with the warehouse, nothing stored is a character XML cannot hold."""
    try:
        report = ingest(workspace, quiet=True, **files)  # type: ignore[arg-type]
    except InputError:
        event("input error")  # the project's own error, naming file, row and field
        return
    written = sum(len(b) for b in batches.values())
    assert report.rows_read == written
    assert report.rows_read == report.rows_accepted + report.rows_quarantined
    assert report.rows_duplicate == 0
    event(f"rows cleaned: {sum(f.rows_cleaned for f in report.files) > 0}")
    stored = _stored(workspace)
    loaded = {t: {str(r[0]) for r in stored[t]} for t in ("transactions", "customers", "known")}
    assert sum(len(v) for v in loaded.values()) == report.rows_accepted
    assert len(stored["quarantine"]) == report.rows_quarantined
    for quarantined in stored["quarantine"]:
        assert quarantined[2], f"quarantined without a reason: {quarantined!r}"
    for table, values in stored.items():
        for value in itertools.chain.from_iterable(values):
            if isinstance(value, str):
                assert not holds_unsafe(value), (table, value[:200])
    for table, batch in batches.items():
        for row in batch:
            expected = _expected_loaded(row)
            event(f"{table} row expected {expected}")
            if any(len(v) >= 100_000 for v in row.cells.values()):
                event("a 100 kB value")
            if expected is not None:
                found = any(k.startswith(row.prefix) for k in loaded[table])
                assert found == expected, (row, expected)


def _batches(text: st.SearchStrategy[str]) -> st.SearchStrategy[dict[str, list[Row]]]:
    return st.fixed_dictionaries({"transactions": rows("transactions", text),
                                  "customers": rows("customers", text, max_size=2),
                                  "known": rows("known", text, max_size=2)})


@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=SLOW)
@given(batches=_batches(hostile_text()))
def test_csv_rows_of_hostile_text_load_or_are_quarantined(
        tmp_path: Path, batches: dict[str, list[Row]]) -> None:
    folder = _folder(tmp_path)
    files = {t: write_csv(folder / f"{t}.csv", t, b) for t, b in batches.items()}
    _check_ingest(folder / "ws", files, batches)


@settings(max_examples=6, deadline=None, derandomize=True, suppress_health_check=SLOW)
@given(batches=_batches(utf8_text()))
def test_parquet_rows_of_hostile_text_load_or_are_quarantined(
        tmp_path: Path, batches: dict[str, list[Row]]) -> None:
    folder = _folder(tmp_path)
    files = {t: write_parquet(folder / f"{t}.parquet", t, b) for t, b in batches.items()}
    _check_ingest(folder / "ws", files, batches)


# --- one hostile world, scanned once; its case material fed to every exporter ---------------

@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> HostileWorld:
    return build_world(tmp_path_factory.mktemp("hostile-world") / "ws")


@pytest.fixture(scope="module")
def material(world: HostileWorld) -> Material:
    with open_store(world.workspace) as store:
        return case_material(store, world.workspace, world.case_id)


@pytest.fixture(scope="module")
def goaml_schema(shared_dir: Path) -> tuple[GoamlConfig, etree.XMLSchema]:
    xsd = shared_dir / PPATK
    return load_config("ppatk-4.0.2", schema=xsd), etree.XMLSchema(etree.parse(str(xsd)))


def test_the_hostile_world_is_ingested_quarantined_and_scanned(world: HostileWorld) -> None:
    files = world.report.files
    assert world.report.rows_read == world.report.rows_accepted + world.report.rows_quarantined
    assert files[0].rows_quarantined == len(BAD_IDS) + 3 and files[0].rows_cleaned > 0
    stored = _stored(world.workspace)
    reasons = {int(str(q[0])): str(q[2]) for q in stored["quarantine"]}
    assert len(reasons) == len(BAD_IDS) + 3 and all(reasons.values())
    assert "id longer than 128 characters" in reasons.values()
    alerted = set(pd.read_parquet(world.workspace / "alerts.parquet")["party_id"])
    assert set(PARTIES) <= alerted  # copies of an offender, alerted on their own behaviour
    for table in ("transactions", "customers", "quarantine"):
        for value in itertools.chain.from_iterable(stored[table]):
            assert not (isinstance(value, str) and holds_unsafe(value)), (table, value[:80])


def _texts(fields: tuple[str, ...]) -> st.SearchStrategy[dict[str, str]]:
    """Drawn text for a few of ``fields`` (at least one)."""
    return st.dictionaries(st.sampled_from(fields), hostile_text(), min_size=1, max_size=4)


def _goaml(material: Material, schema: tuple[GoamlConfig, etree.XMLSchema], out: Path,
           must_write: bool) -> None:
    """A valid STR, or (when codes or ids were changed) the report's clear refusal with no
    file left that looks like a report."""
    try:
        write_goaml(material, schema[0], out)
    except (SchemaInvalid, CannotWrite):
        if must_write:
            raise
        assert not out.exists()
        event("goAML refused")
        return
    check_goaml(out, schema[1])
    event("goAML written")


@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=SLOW)
@given(free=_texts(FREE_TEXT_FIELDS), codes=st.one_of(st.just({}), _texts(CODES)))
def test_goaml_and_ftm_of_hostile_text_are_valid_or_refused_clearly(
        material: Material, goaml_schema: tuple[GoamlConfig, etree.XMLSchema], tmp_path: Path,
        free: dict[str, str], codes: dict[str, str]) -> None:
    folder = _folder(tmp_path)
    changed = with_text(material, {**free, **codes})
    _goaml(changed, goaml_schema, folder / "str.xml", must_write=not codes)
    FtmExporter().export(changed, folder / "case.ftm.json")
    check_ftm(folder / "case.ftm.json")


def test_evidence_pack_of_the_hostile_case_is_written_whole(
        world: HostileWorld, material: Material, tmp_path: Path) -> None:
    """Regression: a 100 kB memo made a PDF table row taller than a page; fpdf2 raised
    ValueError and no pack of the case could be made. The PDF now cuts such a cell."""
    memo = max(material.transactions["memo"], key=len)
    assert len(memo) == BIG
    files = PackExporter(world.workspace).export(material, tmp_path / "pack")
    check_pack(files)
    page = (tmp_path / "pack" / "report.html").read_text(encoding="utf-8")
    assert str(escape(memo)) in page  # the HTML keeps it whole


@settings(max_examples=2, deadline=None, derandomize=True, suppress_health_check=SLOW)
@given(free=_texts(FREE_TEXT_FIELDS + CODES[:2]))
def test_evidence_pack_of_hostile_text_is_whole_and_inert(
        world: HostileWorld, material: Material, tmp_path: Path, free: dict[str, str]) -> None:
    folder = _folder(tmp_path) / "pack"
    files = PackExporter(world.workspace).export(with_text(material, free), folder)
    check_pack(files)
    assert verify_pack(folder) == []


@pytest.fixture(scope="module")
def ego(world: HostileWorld) -> ig.Graph:
    con = open_warehouse(world.workspace, read_only=True)
    try:
        return ego_network(con, PARTIES[0], 2, pd.read_parquet(world.workspace /
                                                                "parties.parquet"),
                           read_known(con))
    finally:
        con.close()


@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=SLOW)
@given(party=hostile_text(), names=st.lists(hostile_text(big=False), min_size=1, max_size=4))
def test_graph_export_of_hostile_text_parses(ego: ig.Graph, tmp_path: Path, party: str,
                                             names: list[str]) -> None:
    graph = ego.copy()
    for n, name in enumerate(names):
        vertex = graph.vs[n % graph.vcount()]
        vertex["party_id"], vertex["name"], vertex["country"] = name, name, name[:2]
    graphml, js = export_ego(graph, party, 2, _folder(tmp_path) / "ego")
    check_graph(graphml, js, graph)
    assert json.loads(js.read_text(encoding="utf-8"))["party"] == party  # JSON keeps it exact


# --- console output -------------------------------------------------------------------------

# What a terminal acts on (colours, cursor moves, a cleared screen, a title, a bell) or an
# encoder refuses: none of it may come from data.
_NOT_INERT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=SLOW)
@given(text=hostile_text())
def test_console_prints_hostile_text_literally_and_inertly(text: str) -> None:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="utf-8")  # strict, as a terminal's stdout
    console = Console(file=stream, force_terminal=False, color_system=None, width=10**6)
    say(console, ("party", "bold"), " ", text)
    print_error(text, console)
    stream.flush()
    out = raw.getvalue().decode("utf-8")
    assert not _NOT_INERT.search(out), repr(out[:200])
    for markup in ("[/]", "[bold]", "[red]x[/red]", ":gift:", "<script>alert(1)</script>"):
        if markup in text:
            assert markup in out  # data is never read as markup or emoji codes


# --- app pages ------------------------------------------------------------------------------

def _party_block(page: str) -> object:
    """The party page's JSON block, ended where an HTML parser ends it, parsed."""
    found = re.search(r'<script type="application/json" id="party-data">(.*?)</script>', page,
                      re.S)
    assert found is not None, "no party-data block"
    return json.loads(found.group(1))


@pytest.fixture(scope="module")
def client(world: HostileWorld) -> Iterator[TestClient]:
    store = open_store(world.workspace)
    token = issue_token(store, world.analyst)
    app = create_app(world.workspace, settings=WebSettings(secure_cookies=False), store=store)
    try:
        with TestClient(app) as test_client:
            test_client.cookies.set("dentrace_session", token)
            test_client.headers["Authorization"] = f"Bearer {token}"
            yield test_client
    finally:
        store.close()


def test_pages_of_the_hostile_parties_and_case_answer(world: HostileWorld,
                                                      client: TestClient) -> None:
    # BIG_ID could have no page (httpx stops at 64 kB, uvicorn's h11 at 16 kB): ingest
    # quarantined it, so it is in no queue
    queue = client.get("/alerts", params={"sort": "-score"})
    assert queue.status_code == 200 and str(escape(BIG_ID[:40])) not in queue.text
    for party in CASE_PARTIES:
        page = client.get(f"/parties/{path_segment(party)}")
        assert page.status_code == 200, (party[:40], page.text[:300])
        data = _party_block(page.text)
        assert isinstance(data, dict) and data["party_id"] == party
        assert "<script>alert(" not in page.text and "<b>" not in page.text
        api = client.get(f"/api/v1/parties/{path_segment(party)}")
        assert api.status_code == 200 and api.json()["party_id"] == party
        queue = client.get("/alerts", params={"party_id": party})
        assert queue.status_code == 200 and "<script>alert(" not in queue.text
    for path in ("/alerts", "/cases", f"/cases/{world.case_id}", "/overview"):
        page = client.get(path)
        assert page.status_code == 200, (path, page.text[:300])
        assert "<script>alert(" not in page.text


@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=SLOW)
@given(party=st.one_of(st.sampled_from(CASE_PARTIES), hostile_text(big=False)))
def test_any_party_id_in_a_path_or_query_answers_without_a_server_error(
        client: TestClient, party: str) -> None:
    segment = quote(encoded(party), safe="")  # a surrogate goes as invalid UTF-8 (%ED%A0%80)
    routes = {"party page": f"/parties/{segment}", "party API": f"/api/v1/parties/{segment}",
              "payments API": f"/api/v1/parties/{segment}/payments",
              "queue": f"/alerts?party_id={segment}"}
    for route, path in routes.items():
        answer = client.get(path)
        assert answer.status_code < 500, (path[:200], answer.text[:300])
        event(f"{route} {answer.status_code}")

"""What valid output means for each writer fed hostile text, and the material it is fed: a case's
material with drawn text in its free-text fields (and, separately, in its codes and ids).

goAML must validate against the FIU's XSD, FtM must be UTF-8 JSON lines, the evidence pack's HTML
must keep the template's elements (markup in data stays text), GraphML must parse.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import igraph as ig
import networkx as nx
from lxml import etree, html

from dentrace.contract.alert import Counterparty, Reason
from dentrace.report import pack
from dentrace.report.material import Material
from dentrace.writing.xmltext import holds_unsafe

FREE_TEXT_FIELDS = ("memo", "sender_name", "beneficiary_name", "title", "note", "explanation",
             "kyc_name", "occupation")
CODES = ("sender_id", "beneficiary_id", "txn_id", "currency", "sender_country",
         "beneficiary_country", "channel")


def _set_column(material: Material, column: str, value: str) -> None:
    frame = material.transactions
    frame[column] = frame[column].astype(object)  # Arrow strings refuse lone surrogates
    frame.loc[frame.index[0], column] = value


def with_text(material: Material, texts: Mapping[str, str]) -> Material:
    """A copy of ``material`` with ``texts`` (field -> text) in its first payment, its title,
    first note, first finding's explanation and first customer's KYC."""
    out = replace(material, transactions=material.transactions.copy(),
                  customers=material.customers.astype(object),
                  findings=list(material.findings))
    for field, text in texts.items():
        if field in material.transactions.columns:
            _set_column(out, field, text)
        elif field == "title":
            out.title = text
        elif field == "note" and out.case and out.case.notes:
            out.case = replace(out.case, notes=[replace(out.case.notes[0], text=text),
                                                *out.case.notes[1:]])
        elif field == "explanation":  # the first reason's sentence and counterparty name
            first = out.findings[0]
            reasons = first.reasons or (Reason(code="NIGHT"),)
            hostile = reasons[0].model_copy(update={
                "text": text, "counterparties": (Counterparty(party_id="X1", name=text),)})
            out.findings[0] = first.model_copy(update={
                "reasons": (hostile, *reasons[1:]), "legacy_explanation": text})
        elif field in ("kyc_name", "occupation") and not out.customers.empty:
            column = "name" if field == "kyc_name" else field
            out.customers.loc[out.customers.index[0], column] = text
    return out


def check_goaml(path: Path, schema: etree.XMLSchema) -> None:
    """The file parses as XML and validates against ``schema``."""
    document = etree.parse(str(path))
    schema.assertValid(document)


def check_ftm(path: Path) -> None:
    """Strict UTF-8, one JSON entity per line, each with an id and a schema."""
    for line in path.read_bytes().decode("utf-8").splitlines():
        entity = json.loads(line)
        assert entity["id"] and entity["schema"], line[:200]


TEMPLATE = Path(pack.__file__).parent / "template.html"


def template_tags() -> set[str]:
    """The element names the evidence pack's template writes."""
    return set(re.findall(r"<([a-z][a-z0-9]*)", TEMPLATE.read_text(encoding="utf-8")))


def tags(path: Path) -> set[str]:
    """The element names of an HTML file."""
    return {str(e.tag) for e in html.fromstring(path.read_bytes().decode("utf-8")).iter()}


def check_pack(files: list[Path]) -> None:
    """HTML with the template's elements only (markup in data stays text) and no character
    XML cannot hold; a whole PDF; a manifest that parses."""
    by_name = {p.name: p for p in files}
    text = by_name["report.html"].read_bytes().decode("utf-8")
    assert not holds_unsafe(text)
    assert tags(by_name["report.html"]) <= template_tags()
    pdf = by_name["report.pdf"].read_bytes()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    json.loads(by_name["manifest.json"].read_text(encoding="utf-8"))


def check_graph(graphml: Path, js: Path, graph: ig.Graph) -> None:
    """GraphML that ElementTree and networkx read, with every node and edge; JSON that parses."""
    etree.parse(str(graphml))
    read = nx.read_graphml(graphml)
    assert (read.number_of_nodes(), read.number_of_edges()) == (graph.vcount(), graph.ecount())
    data = json.loads(js.read_text(encoding="utf-8"))
    assert len(data["nodes"]) == graph.vcount()

"""The FIU's goAML schema as configuration: lay content out in the schema's own element order,
fill required fields dentrace does not hold, and validate the result with lxml.

Each FIU customises goAML (element order, required fields, code lists), so the exporter hands
over content as nested ``(name, value)`` pairs and this module lets the FIU's XSD decide: the
order of children, which elements exist (others are dropped and listed), and which elements are
required. A value dentrace does not hold is ``NOT_HELD``: left out where the schema allows it,
written as the configured filler where the schema requires it. The 5.0.2 schemas mark
themselves XSD 1.1, so the model is read with ``xmlschema.XMLSchema11`` and validation is lxml's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import xmlschema
from lxml import etree
from xmlschema.validators import XsdGroup

from dentrace.errors import ConfigError
from dentrace.report.errors import SchemaInvalid, SchemaProblem
from dentrace.writing.xmltext import xml_text


class NotHeld:
    """Marks a field the FIU asks for that dentrace's data does not hold."""

    _instance: NotHeld | None = None

    def __new__(cls) -> NotHeld:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NOT_HELD"


NOT_HELD = NotHeld()


class Default(str):
    """A configured code written only when its element is written for what dentrace holds."""


Content = list[tuple[str, Any]]


@dataclass(frozen=True)
class Fillers:
    """What to write where the schema requires a field that is not held."""

    text: str = "NOT HELD"
    date: str = "1900-01-01T00:00:00"
    number: str = "0"
    code: str = "-"


@dataclass
class Layout:
    """What writing one report did beside the XML: elements dropped, fields filled, fields
    whose characters XML cannot hold were replaced by U+FFFD, and values written in the
    schema's alphabet (path, original, written)."""

    dropped: set[str] = field(default_factory=set)
    filled: set[str] = field(default_factory=set)
    replaced: set[str] = field(default_factory=set)
    transliterated: list[tuple[str, str, str]] = field(default_factory=list)


def in_alphabet(text: str, xsd_type: Any) -> str:
    """``text`` as the type's pattern accepts it: as given when it does, else in Latin letters.

    The UAE schema allows names of ``[a-zA-Z0-9 .'-]*`` only, so "Jiménez" or "Nguyễn" made
    the whole report invalid. anyascii (ISC licence; Unidecode is GPL) writes any script in
    ASCII ("Đặng" -> "Dang", "Иванов" -> "Ivanov", Thai by its RTGS-like reading); characters
    the pattern still refuses (a comma, a bracket) are left out one by one.
    """
    if not getattr(xsd_type, "patterns", None) or xsd_type.is_valid(text):
        return text
    from anyascii import anyascii

    latin = anyascii(text)
    if xsd_type.is_valid(latin):
        return latin
    kept = "".join(c for c in latin if xsd_type.is_valid(c) or c == " ")
    kept = " ".join(kept.split())
    return kept if kept and xsd_type.is_valid(kept) else text


def _format(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.replace(microsecond=0, tzinfo=None).isoformat()
    if isinstance(value, date):
        return f"{value.isoformat()}T00:00:00"
    if isinstance(value, float):
        return f"{Decimal(str(round(value, 2))):.2f}"
    return str(value)


def _required(xsd_element: Any) -> bool:
    """True when the element must appear: it and every group around it are mandatory."""
    if xsd_element.min_occurs == 0:
        return False
    group = xsd_element.parent
    while isinstance(group, XsdGroup):
        if group.min_occurs == 0:
            return False
        group = group.parent
    return True


def _holds_something(value: Any) -> bool:
    if value is NOT_HELD or value is None or isinstance(value, Default):
        return False
    if isinstance(value, list):
        return any(_holds_something(v) for _, v in value)
    return True


@lru_cache(maxsize=8)
def _compiled(path: str, mtime_ns: int) -> tuple[Any, etree.XMLSchema]:
    """The schema's model and lxml validator, compiled once per file version (~2 s each)."""
    try:
        return xmlschema.XMLSchema11(path), etree.XMLSchema(etree.parse(path))
    except (xmlschema.XMLSchemaException, etree.LxmlError) as exc:
        raise ConfigError(f"{path}: not a usable XML schema ({exc})") from exc


class FiuSchema:
    """One FIU's goAML XSD, read once: ``write`` lays out a report, ``check`` validates it."""

    def __init__(self, path: str | Path, fillers: Fillers | None = None) -> None:
        self.path = Path(path)
        self.fillers = fillers or Fillers()
        if not self.path.is_file():
            raise ConfigError(f"{self.path}: the FIU's goAML schema (XSD) is not there")
        self._model, self._validator = _compiled(str(self.path.resolve()),
                                                 self.path.stat().st_mtime_ns)
        if "report" not in self._model.elements:
            raise ConfigError(f"{self.path}: no <report> root element: not a goAML schema")

    def write(self, content: Content, layout: Layout | None = None) -> etree._Element:
        """The ``<report>`` element for ``content`` in the schema's order."""
        layout = layout if layout is not None else Layout()
        root = etree.Element("report")
        self._children(root, self._model.elements["report"], content, "report", layout)
        return root

    def _children(self, parent: etree._Element, xsd: Any, content: Content, path: str,
                  layout: Layout) -> None:
        known: dict[str, Any] = {}
        for child in xsd.type.content.iter_elements():
            known.setdefault(child.local_name, child)
        for name in {n for n, _ in content} - set(known):
            layout.dropped.add(f"{path}/{name}")
        for name, child in known.items():
            for given, value in content:
                if given == name:
                    self._element(parent, child, value, f"{path}/{name}", layout)

    def _element(self, parent: etree._Element, xsd: Any, value: Any, path: str,
                 layout: Layout) -> None:
        required = _required(xsd)
        if not _holds_something(value) and not required:
            return
        node = etree.SubElement(parent, xsd.local_name)
        if xsd.type.is_complex():
            self._children(node, xsd, value if isinstance(value, list) else [], path, layout)
            return
        if value is NOT_HELD or value is None:
            layout.filled.add(path)
            node.text = self._filler(xsd.type)
            return
        fixed = getattr(xsd, "fixed", None)
        text = str(fixed) if fixed is not None else _format(value)
        if (safe := xml_text(text)) != text:
            layout.replaced.add(path)
            text = safe
        latin = in_alphabet(text, xsd.type)
        if latin != text:
            layout.transliterated.append((path, text, latin))
            text = latin
        limit = getattr(xsd.type, "max_length", None)
        if limit is not None and len(text) > limit:
            # narrative fields keep a visible cut mark; a comment cut to a letter or two would
            # say something false, so such fields get the filler code instead
            if limit > 40:
                text = text[: limit - 12] + " [truncated]"
            else:
                layout.filled.add(path)
                text = self.fillers.code[:limit] if limit <= 3 else text[:limit]
        node.text = text

    def _filler(self, xsd_type: Any) -> str:
        codes = xsd_type.enumeration
        if codes:
            return self.fillers.code if self.fillers.code in codes else self.fillers.text
        primitive = xsd_type.primitive_type.local_name
        if primitive in ("dateTime", "date"):
            return self.fillers.date
        if primitive in ("decimal", "int", "integer", "double", "float"):
            return self.fillers.number
        return self.fillers.text

    def codes(self, type_name: str) -> list[str]:
        """The allowed values of one of the schema's code lists (empty when it has none)."""
        found: Any = self._model.types.get(type_name)
        codes = getattr(found, "enumeration", None) or []
        return [str(code) for code in codes]

    def check(self, root: etree._Element) -> list[SchemaProblem]:
        """Every violation of the schema, each naming the element and the reason."""
        document = etree.fromstring(serialise(root))
        if self._validator.validate(document):
            return []
        problems = []
        for entry in self._validator.error_log:
            element = entry.path or "?"
            problems.append(SchemaProblem(element=element, line=entry.line,
                                          reason=entry.message))
        return problems

    def require_valid(self, root: etree._Element) -> None:
        """Raise ``SchemaInvalid`` naming each element and reason when ``root`` is not valid."""
        problems = self.check(root)
        if problems:
            raise SchemaInvalid(str(self.path), problems)


def serialise(root: etree._Element) -> bytes:
    """The report as UTF-8 XML text with a declaration, indented for people to read."""
    tree = etree.ElementTree(root)
    etree.indent(tree, space="  ")
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", standalone=True)

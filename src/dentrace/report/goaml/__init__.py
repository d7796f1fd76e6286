"""goAML suspicious transaction reports: content from a case or party, laid out and validated
against the FIU's own XSD (configuration), written only when valid."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from lxml import etree

from dentrace.errors import ConfigError
from dentrace.report.errors import CannotWrite, SchemaInvalid
from dentrace.report.goaml.config import (
    GoamlConfig,
    load_config,
    shipped_examples,
    shipped_profiles,
)
from dentrace.report.goaml.content import str_content
from dentrace.report.goaml.schema import NOT_HELD, Fillers, FiuSchema, Layout, serialise
from dentrace.report.material import Material
from dentrace.writing.files import write_whole


@dataclass(frozen=True)
class GoamlResult:
    """A written report: its path and hash, what it reports, what the schema changed."""

    path: Path
    sha256: str
    transactions: int
    indicators: list[str]
    dropped: list[str] = field(default_factory=list)
    filled: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    transliterated: list[tuple[str, str, str]] = field(default_factory=list)


def _note_originals(root: etree._Element, layout: Layout) -> str | None:
    """Append the names as given to the report's narrative (``reason``) when the schema made
    them Latin, so the FIU still reads "Jiménez"; returns the narrative before the note."""
    reason = root.find("reason")
    if not layout.transliterated or reason is None:
        return None
    before = reason.text or ""
    pairs = dict((written, original) for _, original, written in layout.transliterated)
    note = "; ".join(f"{written} = {original}" for written, original in pairs.items())
    reason.text = (f"{before}\n\nNames written in Latin letters as the FIU's schema requires "
                   f"(as written in our records): {note}")
    return before


def _schema_for(config: GoamlConfig) -> FiuSchema:
    if not config.schema:
        raise ConfigError(f"{config.source}: field 'schema' is empty: give the FIU's goAML XSD "
                          "with --schema or in the configuration")
    return FiuSchema(config.schema, config.fillers)


def write_goaml(material: Material, config: GoamlConfig, out: Path, *,
                now: datetime | None = None, schema: FiuSchema | None = None) -> GoamlResult:
    """Write the STR to ``out`` if it validates; else raise ``SchemaInvalid``.

    An invalid draft is kept beside it as ``OUT.invalid`` for inspection and ``out`` itself is
    removed, so no file that looks like a valid report is left behind. Each file is written
    whole (temporary, then renamed). Data the XML writer still refuses raises ``CannotWrite``.
    """
    schema = schema or _schema_for(config)
    layout = Layout()
    try:
        root = schema.write(str_content(material, config, now=now), layout)
        text = serialise(root)
    except (ValueError, TypeError, etree.LxmlError) as exc:
        raise CannotWrite(f"{material.kind} {material.ident}: the goAML report cannot be "
                          f"written from its data: {exc}") from exc
    out = Path(out)
    rejected = out.with_name(out.name + ".invalid")
    before = _note_originals(root, layout)
    if before is not None and schema.check(root):  # the note made the narrative too long
        root.find("reason").text = before  # type: ignore[union-attr]
    text = serialise(root)
    try:
        schema.require_valid(root)
    except SchemaInvalid:
        out.unlink(missing_ok=True)
        write_whole(rejected, text)
        raise
    rejected.unlink(missing_ok=True)
    write_whole(out, text)
    return GoamlResult(path=out, sha256=hashlib.sha256(text).hexdigest(),
                       transactions=len(material.transactions),
                       indicators=[i.text or "" for i in root.iter("indicator")],
                       dropped=sorted(layout.dropped), filled=sorted(layout.filled),
                       replaced=sorted(layout.replaced),
                       transliterated=layout.transliterated)


class GoamlExporter:
    """The goAML STR as an ``Exporter``: one XML file, validated against the FIU's XSD."""

    name = "goaml"
    action = "report_goaml"

    def __init__(self, config: GoamlConfig, schema: FiuSchema | None = None) -> None:
        self.config = config
        self.schema = schema or _schema_for(config)
        self.last: GoamlResult | None = None

    def export(self, material: Material, out: Path) -> list[Path]:
        self.last = write_goaml(material, self.config, out, schema=self.schema)
        return [self.last.path]


__all__ = [
    "NOT_HELD",
    "Fillers",
    "FiuSchema",
    "GoamlConfig",
    "GoamlExporter",
    "GoamlResult",
    "load_config",
    "shipped_examples",
    "shipped_profiles",
    "write_goaml",
]

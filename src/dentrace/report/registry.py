"""Every exporter, registered once: its name, what it writes, what it reports on, its options
and how to build it. The CLI's commands (``dentrace report goaml|pack``, ``dentrace export
ftm``) and the case page's export buttons are made from ``EXPORTERS``.

Adding a format is one ``register(ExporterEntry(...))`` next to its module: the command, its
options and the web button follow. Entries name their exporter class as a string and build it
on use, so the registry itself imports neither lxml's schemas, matplotlib nor followthemoney.
"""

from __future__ import annotations

import importlib
import re
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # the registry loads with the CLI: pandas and SQLAlchemy only on use
    from dentrace.report.base import Exporter, Generated
    from dentrace.report.material import Material
    from dentrace.store.sql import Store

Subject = Literal["case", "party", "alerts"]
# A line the CLI prints after an export: its text, and True when it is a warning (stderr)
Note = tuple[str, bool]
_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")


@dataclass(frozen=True)
class ExportOption:
    """An option the exporter is built with: ``--flag VALUE`` on the command line, the same
    ``name`` in the options the web app passes (``WebSettings.export_options``)."""

    name: str
    flag: str
    help: str
    kind: type = str


def _no_notes(exporter: Any, material: Material, done: Generated, out: Path) -> list[Note]:
    return []


@dataclass(frozen=True)
class ExporterEntry:
    """One report format. ``build(workspace, options)`` makes its ``Exporter``; ``output`` is
    "file" (written at ``--out``) or "folder" (filled under ``--out``; the web app sends it
    as one .zip); ``subjects`` are what it reports on (``--case ID``, ``--party ID``,
    ``--alerts``); a case must be approved for reporting when ``require_approved``."""

    name: str
    title: str  # the case page's button
    description: str  # the command's help and the button's tooltip
    group: Literal["report", "export"]  # dentrace report NAME | dentrace export NAME
    exporter: str  # "module:Class", loaded on use
    build: Callable[[Path, Mapping[str, Any]], Exporter]
    subjects: tuple[Subject, ...] = ("case",)
    output: Literal["file", "folder"] = "file"
    extension: str = ""  # of the file written, or of the bundle of a folder (".zip")
    media_type: str = "application/octet-stream"
    out_help: str = "The file to write."
    options: tuple[ExportOption, ...] = ()
    require_approved: bool = False
    permission: str = "work_case"  # the role permission the web route checks
    setup_hint: str = ""  # what an operator does when it cannot be built (not configured)
    notes: Callable[[Any, Material, Generated, Path], list[Note]] = _no_notes

    def exporter_class(self) -> Any:
        """The exporter's class (imported now)."""
        module, _, name = self.exporter.partition(":")
        return getattr(importlib.import_module(module), name)

    def material(self, store: Store, workspace: Path, subject: Subject,
                 ident: int | str | None = None) -> Material:
        """The material of ``subject`` (the case or party ``ident``, or the scan's alerts)."""
        from dentrace.report.material import alerts_material, case_material, party_material

        if subject not in self.subjects:
            raise ValueError(f"the {self.name} export does not report on a {subject}")
        if subject == "case":
            return case_material(store, workspace, int(ident or 0),
                                 require_approved=self.require_approved)
        if subject == "party":
            return party_material(workspace, str(ident))
        return alerts_material(workspace)


EXPORTERS: dict[str, ExporterEntry] = {}


def register(entry: ExporterEntry) -> ExporterEntry:
    """Add ``entry`` to ``EXPORTERS`` (a name used once, lower-case letters, digits, '_')."""
    if not _NAME.fullmatch(entry.name):
        raise ValueError(f"exporter name {entry.name!r}: lower-case letters, digits and '_'")
    if entry.name in EXPORTERS:
        raise ValueError(f"an exporter named {entry.name!r} is registered already")
    if not entry.subjects:
        raise ValueError(f"exporter {entry.name!r} reports on nothing (subjects)")
    EXPORTERS[entry.name] = entry
    return entry


def exporter_entry(name: str) -> ExporterEntry:
    """The entry registered as ``name``; ``KeyError`` naming the registered ones."""
    if name not in EXPORTERS:
        raise KeyError(f"no exporter '{name}': one of {', '.join(EXPORTERS)}")
    return EXPORTERS[name]


def exporters_of(subject: Subject) -> list[ExporterEntry]:
    """The registered exporters that report on ``subject`` (the case page's buttons: case)."""
    return [entry for entry in EXPORTERS.values() if subject in entry.subjects]


def bundle(folder: Path) -> Path:
    """``folder``'s files in ``folder``.zip beside it (one download for the browser)."""
    folder = Path(folder)
    target = folder.with_name(folder.name + ".zip")
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            archive.write(path, f"{folder.name}/{path.relative_to(folder).as_posix()}")
    return target


# --- the formats dentrace ships, registered like any other ---------------------------------

def _goaml(workspace: Path, options: Mapping[str, Any]) -> Exporter:
    from dentrace.report.goaml import GoamlExporter, load_config

    return GoamlExporter(load_config(options.get("config"), options.get("schema")))


def _goaml_notes(exporter: Any, material: Material, done: Generated, out: Path) -> list[Note]:
    from dentrace.report.goaml import shipped_examples

    result = exporter.last
    notes: list[Note] = [(
        f"goAML report written: {out} ({done.sha256[out.name][:16]}…), "
        f"{len(material.transactions)} transactions, indicators "
        f"{', '.join(result.indicators) if result else ''}; valid against "
        f"{exporter.schema.path.name}; audit entry {done.audit_seq}", False)]
    if result and result.filled:
        notes.append(("fields the FIU requires that dentrace does not hold (filled as configured "
                      f"in [not_held]): {', '.join(p.split('/')[-1] for p in result.filled)}",
                      False))
    if result and result.replaced:
        notes.append(("characters XML cannot hold were replaced by U+FFFD in: "
                      f"{', '.join(sorted({p.split('/')[-1] for p in result.replaced}))}", False))
    if result and result.transliterated:
        names = dict((written, original) for _, original, written in result.transliterated)
        notes.append(("written in Latin letters as the schema requires (originals in the "
                      "narrative): " + ", ".join(f"{o} -> {w}" for w, o in names.items()), False))
    examples = shipped_examples(exporter.config)
    if examples:
        notes.append(("warning: the reporting entity's details are still the shipped examples "
                      f"({', '.join(examples)}): give your own with --config FILE "
                      "(docs/reports.md)", True))
    return notes


def _ftm(workspace: Path, options: Mapping[str, Any]) -> Exporter:
    from dentrace.report.ftm import FtmExporter

    return FtmExporter(options.get("bank"))


def _ftm_notes(exporter: Any, material: Material, done: Generated, out: Path) -> list[Note]:
    with out.open(encoding="utf-8") as handle:
        lines = sum(1 for _ in handle)
    return [(f"FollowTheMoney entities written: {out} ({lines} entities, "
             f"{len(material.transactions)} payments); audit entry {done.audit_seq}", False)]


def _pack(workspace: Path, options: Mapping[str, Any]) -> Exporter:
    from dentrace.report.pack import PackExporter

    return PackExporter(workspace)


def _pack_notes(exporter: Any, material: Material, done: Generated, out: Path) -> list[Note]:
    return [(f"evidence pack written to {out}: {len(done.files)} files, manifest "
             f"{out / 'manifest.json'}; audit entry {done.audit_seq}", False)]


register(ExporterEntry(
    name="goaml", title="goAML STR", group="report",
    description="Write a goAML suspicious transaction report, valid against the FIU's schema.",
    exporter="dentrace.report.goaml:GoamlExporter", build=_goaml,
    subjects=("case", "party"), extension=".xml", media_type="application/xml",
    out_help="The STR file to write (FILE.xml).", require_approved=True,
    options=(ExportOption("config", "--config",
                          "goAML settings (TOML) or a shipped profile name."),
             ExportOption("schema", "--schema", "The FIU's goAML XSD.", Path)),
    setup_hint=("set DENTRACE_GOAML_SCHEMA to the goAML XSD your FIU gives its reporting "
                "entities (and optionally DENTRACE_GOAML_CONFIG), then restart: see "
                "docs/reports.md"),
    notes=_goaml_notes))
register(ExporterEntry(
    name="pack", title="Evidence pack", group="report",
    description="Write an evidence pack: HTML and PDF report, charts, SHA-256 manifest.",
    exporter="dentrace.report.pack:PackExporter", build=_pack,
    output="folder", extension=".zip", media_type="application/zip",
    out_help="The folder to write the pack into.", notes=_pack_notes))
register(ExporterEntry(
    name="ftm", title="FollowTheMoney", group="export",
    description="Write Person/Company/LegalEntity, BankAccount, Ownership and Payment "
                "entities.",
    exporter="dentrace.report.ftm:FtmExporter", build=_ftm,
    subjects=("case", "alerts"), extension=".ftm.jsonl", media_type="application/x-ndjson",
    out_help="The JSON-lines file to write.",
    options=(ExportOption("bank", "--bank",
                          "Our institution's name, on our clients' accounts."),),
    setup_hint="install the ftm extra: pip install 'dentrace[ftm]'", notes=_ftm_notes))

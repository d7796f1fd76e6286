"""Evidence pack for one case: HTML and PDF report with timeline and network pictures, plus
manifest.json and SHA256SUMS holding the SHA-256 of every file (chain of custody)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from dentrace.errors import InputError
from dentrace.report.base import sha256_of
from dentrace.report.material import Material
from dentrace.report.pack.charts import network_png, timeline_png
from dentrace.report.pack.render import dentrace_version, html_report, pdf_report
from dentrace.report.pack.sections import PackSections, pack_sections
from dentrace.writing.files import confined, write_whole
from dentrace.writing.xmltext import xml_text

MANIFEST, SUMS = "manifest.json", "SHA256SUMS"


def write_manifest(folder: Path, files: list[Path], material: Material,
                   generated_at: str) -> list[Path]:
    """manifest.json (every file with size and SHA-256) and SHA256SUMS (``sha256sum -c``)."""
    entries = [{"file": p.name, "bytes": p.stat().st_size, "sha256": sha256_of(p)}
               for p in files]
    manifest = {"subject": {"kind": material.kind, "id": material.ident,
                            "title": xml_text(material.title)},  # as the pack shows it
                "generated_at": generated_at, "generator": f"dentrace {dentrace_version()}",
                "files": entries}
    manifest_path = write_whole(folder / MANIFEST,
                                json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    sums = [*((e["sha256"], e["file"]) for e in entries),
            (sha256_of(manifest_path), MANIFEST)]
    sums_path = write_whole(folder / SUMS, "".join(f"{h}  {name}\n" for h, name in sums))
    return [manifest_path, sums_path]


def verify_pack(folder: Path) -> list[str]:
    """The files of a pack whose SHA-256 no longer matches SHA256SUMS (empty when intact); a
    listed name outside the pack's folder (``../x``, ``/etc/x``) counts as not matching."""
    folder = Path(folder)
    bad = []
    for line in (folder / SUMS).read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        try:
            path = confined(folder, name)
        except InputError:
            bad.append(name)
            continue
        if not path.is_file() or sha256_of(path) != digest:
            bad.append(name)
    return bad


class PackExporter:
    """The evidence pack as an ``Exporter``: ``out`` is the folder to fill."""

    name = "pack"
    action = "report_pack"

    def __init__(self, workspace: Path) -> None:
        self.workspace = Path(workspace)

    def export(self, material: Material, out: Path) -> list[Path]:
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        sections = pack_sections(material, datetime.now(UTC))
        timeline = timeline_png(material, folder / "timeline.png")
        network = network_png(material, self.workspace, folder / "network.png")
        html = write_whole(folder / "report.html", html_report(sections, timeline, network))
        pdf = pdf_report(sections, timeline, network, folder / "report.pdf")
        files = [html, pdf, timeline, network]
        return files + write_manifest(folder, files, material, sections.generated_at)


__all__ = ["PackExporter", "PackSections", "pack_sections", "verify_pack", "write_manifest"]

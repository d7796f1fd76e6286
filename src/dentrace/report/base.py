"""The one seam every report format goes through: an exporter turns a subject's material into
files; ``generate`` runs it and audits the generation with the hash of every file written."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from dentrace.report.material import Material, record_report
from dentrace.store.sql import Store


class Exporter(Protocol):
    """A report format: ``export`` writes the material under ``out`` and returns the files."""

    name: str    # short name shown to people: goaml | ftm | pack
    action: str  # the audit action recorded for each generation

    def export(self, material: Material, out: Path) -> list[Path]:
        """Write the report files for ``material`` at or under ``out``."""
        ...


@dataclass(frozen=True)
class Generated:
    """The outcome of one audited generation."""

    files: list[Path]
    sha256: dict[str, str]
    audit_seq: int


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def generate(exporter: Exporter, material: Material, out: Path, *, store: Store, actor: str,
             origin: str) -> Generated:
    """Run ``exporter`` and record who generated which report of which subject, with hashes."""
    files = exporter.export(material, Path(out))
    hashes = {p.name: sha256_of(p) for p in files}
    seq = record_report(store, actor=actor, action=exporter.action, material=material,
                        origin=origin, detail={"format": exporter.name, "out": str(out),
                                               "files": hashes,
                                               "transactions": len(material.transactions)})
    return Generated(files=files, sha256=hashes, audit_seq=seq)

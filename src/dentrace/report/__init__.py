"""Reports for the FIU and the police: goAML STR, FollowTheMoney export and evidence packs,
each an ``Exporter`` run by ``generate``, which audits every generation with file hashes, and
each registered once in ``registry.EXPORTERS``, from which the CLI commands and the case page's
buttons are made.

    material (case_material | party_material | alerts_material)
        └── Exporter.export(material, out) -> files     goaml | ftm | pack
              └── generate(...)                         audit entry with SHA-256 of each file

Names load on first use (PEP 562), so a goAML export does not import matplotlib or the
FollowTheMoney model, and the reverse.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "Exporter": "base", "Generated": "base", "generate": "base", "sha256_of": "base",
    "CannotWrite": "errors", "NotApproved": "errors", "NothingToReport": "errors",
    "ReportError": "errors", "SchemaInvalid": "errors", "FtmExporter": "ftm",
    "GoamlExporter": "goaml", "load_config": "goaml", "write_goaml": "goaml",
    "Material": "material", "alerts_material": "material", "case_material": "material",
    "party_material": "material", "PackExporter": "pack", "verify_pack": "pack",
    "EXPORTERS": "registry", "ExportOption": "registry", "ExporterEntry": "registry",
    "exporter_entry": "registry", "register": "registry",
}

__all__ = ["exporter_class", *sorted(_WHERE)]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'dentrace.report' has no attribute {name!r}")
    return getattr(importlib.import_module(f"dentrace.report.{_WHERE[name]}"), name)


def exporter_class(name: str) -> Any:
    """The exporter class registered under ``name`` (goaml, ftm, pack, ...)."""
    return __getattr__("exporter_entry")(name).exporter_class()

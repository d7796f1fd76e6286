"""Reports for the FIU and the police: goAML STR, FollowTheMoney export and evidence packs,
each an ``Exporter`` run by ``generate``, which audits every generation with file hashes.

    material (case_material | party_material | alerts_material)
        └── Exporter.export(material, out) -> files     goaml | ftm | pack
              └── generate(...)                         audit entry with SHA-256 of each file
"""

from dentrace.report.base import Exporter, Generated, generate, sha256_of
from dentrace.report.errors import NotApproved, NothingToReport, ReportError, SchemaInvalid
from dentrace.report.ftm import FtmExporter
from dentrace.report.goaml import GoamlExporter, load_config, write_goaml
from dentrace.report.material import (
    Finding,
    Material,
    alerts_material,
    case_material,
    party_material,
)
from dentrace.report.pack import PackExporter, verify_pack

EXPORTERS = {"goaml": GoamlExporter, "ftm": FtmExporter, "pack": PackExporter}

__all__ = [
    "EXPORTERS", "Exporter", "Finding", "FtmExporter", "Generated", "GoamlExporter",
    "Material", "NotApproved", "NothingToReport", "PackExporter", "ReportError",
    "SchemaInvalid", "alerts_material", "case_material", "generate", "load_config",
    "party_material", "sha256_of", "verify_pack", "write_goaml",
]

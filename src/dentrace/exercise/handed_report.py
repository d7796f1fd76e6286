"""Check a draft goAML report a trainee hands in against the configured FIU XSD, with the
validator report/ uses for the reports dentrace writes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lxml import etree

from dentrace.errors import ConfigError
from dentrace.report.goaml.config import load_config
from dentrace.report.goaml.schema import FiuSchema

MAX_PROBLEMS = 20
# no entities, no DTDs from the network: the file is the trainee's
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          huge_tree=False)


def check_goaml(report: Path | None, config: str | Path | None = None,
                schema: str | Path | None = None) -> dict[str, Any]:
    """``{"status": ...}``: not handed in, no XSD configured, not XML, valid or invalid (with
    the first problems, each naming its line and element)."""
    if report is None:
        return {"status": "not handed in"}
    settings = load_config(config, schema)
    if not settings.schema:
        return {"status": "no XSD configured", "file": Path(report).name}
    fiu = FiuSchema(settings.schema, settings.fillers)
    try:
        tree = etree.parse(str(report), _PARSER)
    except (OSError, etree.XMLSyntaxError) as error:
        return {"status": "not XML", "file": Path(report).name, "problems": [str(error)]}
    root = tree.getroot()
    if root is None:
        raise ConfigError(f"{report}: no root element")
    if tree.docinfo.doctype:  # entities are how an XML file reads other files
        return {"status": "invalid", "file": Path(report).name,
                "problems": ["a DOCTYPE is not allowed in a goAML report"], "problem_count": 1}
    problems = fiu.check(root)
    return {"status": "valid" if not problems else "invalid", "file": Path(report).name,
            "schema": Path(settings.schema).name,
            "problems": [str(p) for p in problems[:MAX_PROBLEMS]],
            "problem_count": len(problems)}

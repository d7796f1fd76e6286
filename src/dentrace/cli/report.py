"""``dentrace report NAME`` (goaml, pack): a goAML STR or an evidence pack for a case or a party.

The commands are made from the exporter registry (``report.registry``) by
``cli.export.commands``; every generation is audited. Errors exit 1 (report refused or invalid)
or 2 (bad workspace or configuration).
"""

from __future__ import annotations

import typer

from dentrace.cli.export import commands

HELP = "Write reports: goAML STR, evidence pack."


def group() -> typer.Typer:
    """The ``report`` commands, one per exporter registered in the report group now."""
    return commands("report", HELP)


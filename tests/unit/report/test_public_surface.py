"""The report package's public surface is exactly its ``__all__``, and every exporter follows
the one ``Exporter`` interface (a name, an audit action, ``export``)."""

from __future__ import annotations

from types import ModuleType

import dentrace.report as report


def test_public_names_are_exactly_all() -> None:
    public = {n for n in dir(report) if not n.startswith("_")
              and not isinstance(getattr(report, n), ModuleType)}
    assert public == set(report.__all__)


def test_every_exporter_has_a_name_an_audit_action_and_export() -> None:
    for name, exporter in report.EXPORTERS.items():
        assert exporter.name == name
        assert exporter.action.startswith(("report_", "export_"))
        assert callable(exporter.export)

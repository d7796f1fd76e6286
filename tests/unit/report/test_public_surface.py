"""The report package's public surface is exactly its ``__all__`` (loaded lazily), and every
exporter follows the one ``Exporter`` interface (a name, an audit action, ``export``)."""

from __future__ import annotations

import dentrace.report as report


def test_every_public_name_resolves_and_nothing_else_is_offered() -> None:
    for name in report.__all__:
        assert getattr(report, name) is not None, name
    try:
        report.__getattr__("helpers")
    except AttributeError:
        pass
    else:
        raise AssertionError("an unknown name resolved")


def test_every_exporter_has_a_name_an_audit_action_and_export() -> None:
    for name in report.EXPORTERS:
        exporter = report.exporter_class(name)
        assert exporter.name == name
        assert exporter.action.startswith(("report_", "export_"))
        assert callable(exporter.export)

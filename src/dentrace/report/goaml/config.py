"""The operator's goAML settings: reporting entity and person, code mappings, the FIU's XSD.

The package default (``report/defaults/goaml.toml``) is read first; a profile shipped with
dentrace (by name, e.g. ``ppatk-4.0.2``) or the operator's file is laid over it key by key.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from dentrace.errors import ConfigError
from dentrace.report.goaml.schema import Fillers
from dentrace.toml_settings import overlay, parse_toml

_DEFAULTS = "dentrace.report.defaults"
_SECTIONS = ("report", "reporting_person", "address", "institution", "client_account",
             "counterparty", "transmode", "indicators", "not_held")


def shipped_profiles() -> list[str]:
    """Names of the profiles shipped beside the default (``goaml-NAME.toml``)."""
    folder = resources.files(_DEFAULTS)
    return sorted(p.name[len("goaml-"):-len(".toml")] for p in folder.iterdir()
                  if p.name.startswith("goaml-") and p.name.endswith(".toml"))


@dataclass(frozen=True)
class GoamlConfig:
    """The settings, section by section, as read from TOML (see docs/reports.md)."""

    source: str
    schema: str
    report: dict[str, Any]
    reporting_person: dict[str, Any]
    address: dict[str, Any]
    institution: dict[str, Any]
    client_account: dict[str, Any]
    counterparty: dict[str, Any]
    transmode: dict[str, str]
    indicators: dict[str, Any]
    fillers: Fillers

    def transmode_code(self, channel: str | None) -> str:
        """The FIU's transmode code for a dentrace channel (``other`` when not mapped)."""
        key = (channel or "other").strip().lower()
        return str(self.transmode.get(key, self.transmode.get("other", "-")))

    def indicator_codes(self, dentrace_codes: list[str]) -> list[str]:
        """The FIU report-indicator codes for dentrace's indicators, ``always`` first, once each."""
        codes = [str(c) for c in self.indicators.get("always", [])]
        for code in dentrace_codes:
            mapped = self.indicators.get(code, [])
            codes.extend([mapped] if isinstance(mapped, str) else [str(m) for m in mapped])
        return list(dict.fromkeys(codes))


def load_config(path_or_profile: str | Path | None = None,
                schema: str | Path | None = None) -> GoamlConfig:
    """The default settings overlaid with a shipped profile or a TOML file; ``schema`` wins."""
    default = resources.files(_DEFAULTS).joinpath("goaml.toml").read_text(encoding="utf-8")
    data = parse_toml(default, "goaml.toml (package default)")
    source = "package default"
    if path_or_profile:
        given = str(path_or_profile)
        file = Path(given)
        shipped = resources.files(_DEFAULTS).joinpath(f"goaml-{given}.toml")
        if file.is_file():
            data, source = overlay(data, parse_toml(file.read_text(encoding="utf-8"), given)), given
        elif shipped.is_file():
            data = overlay(data, parse_toml(shipped.read_text(encoding="utf-8"), shipped.name))
            source = f"profile {given}"
        else:
            raise ConfigError(f"{given}: no such file, nor a shipped profile "
                              f"({', '.join(shipped_profiles())})")
    for section in _SECTIONS:
        if not isinstance(data.get(section, {}), dict):
            raise ConfigError(f"{source}: field '{section}' must be a table")
    schema_path = str(schema) if schema else str(data.get("schema", "") or "")
    fill = data.get("not_held", {})
    return GoamlConfig(
        source=source, schema=schema_path,
        **{s: dict(data.get(s, {})) for s in _SECTIONS if s != "not_held"},
        fillers=Fillers(text=str(fill.get("text", "NOT HELD")),
                        date=str(fill.get("date", "1900-01-01T00:00:00")),
                        number=str(fill.get("number", "0")), code=str(fill.get("code", "-"))),
    )


# The reporting entity's details in the package default are invented examples: a report sent
# with them names a bank and an MLRO that do not exist.
_EXAMPLE_FIELDS = (("report", "rentity_id"), ("reporting_person", "email"),
                   ("reporting_person", "last_name"), ("institution", "name"),
                   ("institution", "swift"), ("address", "address"))


def shipped_examples(config: GoamlConfig) -> list[str]:
    """The reporting entity's fields still holding the package default's example values."""
    default = load_config()
    found = []
    for section, key in _EXAMPLE_FIELDS:
        value = getattr(config, section).get(key)
        if value is not None and value == getattr(default, section).get(key):
            found.append(f"{section}.{key} = {value!r}")
    return found

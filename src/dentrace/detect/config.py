"""The detection configuration: the package default indicators.toml, overridden key by key by
a user's file (`--config FILE`), validated against the registered indicators."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from dentrace.detect.indicators import catalogue
from dentrace.errors import ConfigError
from dentrace.features.settings import FeatureSettings
from dentrace.graph.network import GraphSettings
from dentrace.toml_settings import overlay, parse_toml

ROLES = ("payer", "facilitator")


@dataclass(frozen=True)
class DetectConfig:
    """Feature vocabulary, graph thresholds, indicator parameters, weights and scoring."""

    features: FeatureSettings
    graph: GraphSettings
    indicators: dict[str, dict[str, Any]]
    weights: dict[str, dict[str, float]]
    scoring: dict[str, Any]
    sources: list[str] = field(default_factory=list)


def default_path() -> Path:
    """The package default configuration file."""
    return Path(str(resources.files("dentrace.detect") / "indicators.toml"))


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read configuration: {error}") from error
    return parse_toml(text, str(path))


def _check(raw: dict[str, Any], source: str) -> None:
    """Refuse unknown sections, indicator codes, parameters and weights, naming the key."""
    registered = catalogue()
    for section in raw:
        if section not in {"features", "graph", "scoring", "weights", "indicators"}:
            raise ConfigError(f"{source}: unknown section [{section}]")
    for code, params in raw.get("indicators", {}).items():
        if code not in registered:
            raise ConfigError(f"{source}: [indicators.{code}] names no registered indicator")
        for name in params:
            if name not in registered[code].parameters:
                raise ConfigError(f"{source}: [indicators.{code}] has no parameter '{name}'")
    for role, weights in raw.get("weights", {}).items():
        if role not in ROLES:
            raise ConfigError(f"{source}: [weights.{role}]: role must be payer or facilitator")
        for code, weight in weights.items():
            if code not in registered or role not in registered[code].roles:
                raise ConfigError(f"{source}: [weights.{role}] {code}: no such {role} indicator")
            if not isinstance(weight, int | float) or weight < 0:
                raise ConfigError(f"{source}: [weights.{role}] {code}: must be a number >= 0")


def load_config(path: Path | str | None = None) -> DetectConfig:
    """The default configuration, with ``path``'s keys (if given) replacing the defaults."""
    sources = [default_path()]
    raw = _read(sources[0])
    if path is not None:
        user = _read(Path(path))
        _check(user, str(path))
        raw = overlay(raw, user)
        sources.append(Path(path))
    where = " + ".join(str(s) for s in sources)
    _check(raw, where)
    missing = [
        f"{code}.{name}" for code, ind in catalogue().items() for name in ind.parameters
        if name not in raw.get("indicators", {}).get(code, {})
    ]
    if missing:
        raise ConfigError(f"{where}: parameters without a value: {', '.join(missing)}")
    return DetectConfig(
        features=FeatureSettings.from_mapping(raw.get("features"), where),
        graph=GraphSettings.from_mapping(raw.get("graph"), where),
        indicators=raw.get("indicators", {}),
        weights={role: dict(raw.get("weights", {}).get(role, {})) for role in ROLES},
        scoring=dict(raw.get("scoring", {})),
        sources=[str(s) for s in sources],
    )

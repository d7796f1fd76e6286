"""Settings files in TOML, shared by detection and reporting: parse with an error naming the
file, and lay a user's file over the shipped defaults (tables merge, other values replace)."""

from __future__ import annotations

import tomllib
from typing import Any

from dentrace.errors import ConfigError


def parse_toml(text: str, source: str) -> dict[str, Any]:
    """The TOML document ``text`` read from ``source`` (a path or name, for the error)."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{source}: not valid TOML: {error}") from error


def overlay(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """``top`` laid over ``base``: nested tables merge key by key, any other value replaces."""
    merged = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = overlay(merged[key], value)
        else:
            merged[key] = value
    return merged

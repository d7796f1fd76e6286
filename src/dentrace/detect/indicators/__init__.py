"""The indicator catalogue: one module per indicator in this package, each registering itself
through ``register``; ``catalogue()`` imports them all (and plug-ins) and returns the registry."""

from __future__ import annotations

import importlib
import pkgutil
from importlib.metadata import entry_points

from dentrace.detect.indicators.base import (
    REGISTRY,
    Context,
    Indicator,
    column,
    key_of,
    money,
    ramp,
    register,
)

_NOT_INDICATORS = {"base", "hookspecs"}


def catalogue() -> dict[str, Indicator]:
    """Every registered indicator by code: the built-in modules here, then plug-ins."""
    for module in pkgutil.iter_modules(__path__):
        if module.name not in _NOT_INDICATORS:
            importlib.import_module(f"{__name__}.{module.name}")
    for entry in entry_points(group="dentrace.indicators"):
        entry.load()
    return dict(REGISTRY)


def for_role(role: str) -> dict[str, Indicator]:
    """The registered indicators that apply to ``role``."""
    return {code: ind for code, ind in catalogue().items() if role in ind.roles}


__all__ = [
    "Context", "Indicator", "catalogue", "column", "for_role", "key_of", "money", "ramp",
    "register",
]

"""Every extension point of the indicator catalogue, one line each (Datasette-style).

Built-in indicators use the same hooks as plug-ins; a plug-in package exposes a module in the
``dentrace.indicators`` entry-point group whose import registers its indicators.
"""

from __future__ import annotations

HOOKS = {
    "register": "decorate an Indicator subclass to add it to the catalogue under its code",
    "Indicator.strength": "0–1 strength per party of a role from its FeatureRows (scan or live)",
    "Indicator.explain": "one plain-language sentence with the values behind the strength",
    "Indicator.evidence": "Ibis predicate selecting the payments behind the indicator",
    "indicators.toml [indicators.CODE]": "the indicator's parameter values (user-editable)",
    "indicators.toml [weights.ROLE]": "the indicator's weight in the rule score of a role",
    "entry point group dentrace.indicators": "third-party modules imported to register more",
}

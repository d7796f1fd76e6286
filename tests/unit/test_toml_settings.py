"""Settings files shared by detection and reporting: user tables merge over the defaults."""

from __future__ import annotations

import pytest

from dentrace.errors import ConfigError
from dentrace.toml_settings import overlay, parse_toml


def test_user_tables_merge_key_by_key_and_other_values_replace() -> None:
    base = {"scoring": {"threshold": 0.85, "reason_min_strength": 0.2}, "name": "shipped",
            "list": [1, 2]}
    top = {"scoring": {"threshold": 0.7}, "list": [3]}
    merged = overlay(base, top)
    assert merged == {"scoring": {"threshold": 0.7, "reason_min_strength": 0.2},
                      "name": "shipped", "list": [3]}
    assert base["scoring"]["threshold"] == 0.85  # the defaults are not changed in place


def test_bad_toml_names_its_source() -> None:
    assert parse_toml("[a]\nb = 1\n", "x.toml") == {"a": {"b": 1}}
    with pytest.raises(ConfigError, match=r"my\.toml: not valid TOML"):
        parse_toml("[features\n", "my.toml")

"""The detection config: package defaults, user overrides, refusal of unknown keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from dentrace.detect.config import load_config
from dentrace.errors import ConfigError


def test_user_file_overrides_single_keys(tmp_path: Path) -> None:
    user = tmp_path / "mine.toml"
    user.write_text('[features]\nnight_start_hour = 21\n[indicators.FAN_IN]\nhigh = 20\n'
                    '[weights.payer]\nTRAVEL = 0\n', encoding="utf-8")
    config = load_config(user)
    assert config.features.night_start_hour == 21
    assert config.indicators["FAN_IN"]["high"] == 20
    assert config.indicators["FAN_IN"]["low"] == load_config().indicators["FAN_IN"]["low"]
    assert config.weights["payer"]["TRAVEL"] == 0


@pytest.mark.parametrize(("text", "named"), [
    ("[indicators.NOPE]\nx = 1\n", "NOPE"),
    ("[indicators.FAN_IN]\nwidth = 1\n", "width"),
    ("[weights.payer]\nFAN_IN = 1\n", "FAN_IN"),
    ("[features]\ncolour = 1\n", "colour"),
    ("[features\n", "not valid TOML"),
])
def test_bad_keys_are_refused_with_file_and_key(tmp_path: Path, text: str, named: str) -> None:
    user = tmp_path / "bad.toml"
    user.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(user)
    assert "bad.toml" in str(error.value) and named in str(error.value)

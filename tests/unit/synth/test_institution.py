"""Institutions vary per seed and their UTC offsets follow each zone's daylight-saving rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np

from dentrace.synth.institution import HOMES, draw_institution, offset_table, offset_text


def test_offsets_follow_daylight_saving_per_zone() -> None:
    inst = replace(draw_institution(np.random.default_rng(0)), home=HOMES["AU"],
                   start=date(2025, 1, 1), days=365)
    table = offset_table(inst)
    sydney = inst.home.time_zones.index("Australia/Sydney")
    brisbane = inst.home.time_zones.index("Australia/Brisbane")
    assert table[sydney, 0] == 660 and table[sydney, 180] == 600  # AEDT in Jan, AEST in Jun
    assert set(table[brisbane]) == {600}  # Queensland has no daylight saving
    assert offset_text(-300) == "-05:00" and offset_text(570) == "+09:30"


def test_institutions_differ_between_seeds() -> None:
    drawn = [draw_institution(np.random.default_rng([s, 0])) for s in range(30)]
    assert len({i.home.country for i in drawn}) >= 4
    assert len({i.kind for i in drawn}) == 3
    assert len({i.start for i in drawn}) >= 5

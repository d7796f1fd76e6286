"""Memos: offenders' cover words are also typed by honest senders; empty shares are honoured."""

from __future__ import annotations

import numpy as np

from dentrace.synth.memos import PHRASES, MemoBook


def test_every_cover_word_is_also_an_honest_purpose() -> None:
    honest = {p for purpose, langs in PHRASES.items() if purpose != "cover"
              for phrases in langs.values() for p in phrases}
    cover = {p for phrases in PHRASES["cover"].values() for p in phrases}
    assert cover <= honest, cover - honest


def test_memos_vary_in_style_and_language() -> None:
    rng = np.random.default_rng(0)
    countries = np.array(["PH"] * 3000 + ["CO"] * 3000, dtype=object)
    memos = MemoBook().draw(rng, "family", len(countries), 0.5, countries)
    filled = [m for m in memos if m is not None]
    assert 0.45 < len(filled) / len(memos) < 0.55
    assert "padala" in {m.lower() for m in filled[:3000]}
    assert any(m.isupper() for m in filled) and any(m.islower() for m in filled)
    assert "para la casa" in {m.lower() for m in memos[3000:] if m is not None}

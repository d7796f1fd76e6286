"""docs/synthetic-worlds.md documents every population and every file a world holds."""

from __future__ import annotations

from pathlib import Path

from dentrace.synth import POPULATIONS

DOC = Path(__file__).resolve().parents[3] / "docs" / "synthetic-worlds.md"


def test_every_population_and_file_is_documented() -> None:
    text = DOC.read_text()
    for population in POPULATIONS:
        assert f"| {population} |" in text, population
    for name in ("transactions/part-00000", "customers.", "known.", "truth.", "world.json"):
        assert name in text, name

"""The three exercise levels and the synthetic world each is built on: a remitter's slice of a
federation, a bank whose dens are disguised, several institutions that share signals.

Each builder writes its worlds (with truth) into a scratch folder; bundle.py splits them into
what trainees get and the sealed key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from dentrace.errors import ConfigError
from dentrace.evaluate.perturb import PERTURBATIONS, read_world, write_world
from dentrace.synth import generate_world
from dentrace.synth.federation import generate_federation

# the perturbations that hide a den's usual marks: corridors moved away from the Philippines,
# no memos to read, account ids written another way
DISGUISES = ("corridor_mix", "no_memo", "ids_reformatted")
FEDERATION_SIZE = 3  # two banks and a remitter (synth/federation.py KINDS[:3])


@dataclass(frozen=True)
class Level:
    """What one level gives trainees and what it asks of them."""

    number: int
    title: str
    setting: str  # the institution(s), in a sentence
    teaches: str
    minutes: int  # time allowed
    scale: float  # default world scale: builds within the 2-minute target on a loaded machine


LEVELS: dict[int, Level] = {
    1: Level(1, "A remitter",
             "a money transfer operator: its customers' outgoing transfers for one year",
             "the core indicators on clear data: small night-time transfers to the Philippines "
             "and other source countries, new beneficiaries, memos, known earlier cases",
             90, 0.2),
    2: Level(2, "A bank with disguised dens",
             "a bank whose facilitators use other corridors, write no memos and whose account "
             "numbers are formatted differently",
             "working from behaviour when the easy marks are gone: timing, amounts, shared "
             "beneficiaries and the payer network instead of countries and memos",
             120, 0.2),
    3: Level(3, "Institutions sharing signals",
             "three institutions (two banks and a remitter) that see parts of the same payers "
             "and beneficiaries, each writing names its own way",
             "what one institution cannot see alone: payers who bank at two places, "
             "beneficiaries paid from several, and sharing signals without personal data",
             180, 0.2),
}


@dataclass(frozen=True)
class InstitutionWorld:
    """One institution's world as generated (truth included), and how to describe it."""

    name: str
    folder: Path  # transactions/, customers.*, known.*, truth.*
    description: dict[str, object]


def level_of(number: int) -> Level:
    """The level numbered ``number``; ConfigError naming the levels otherwise."""
    if number not in LEVELS:
        raise ConfigError(f"level must be one of {', '.join(map(str, LEVELS))}, not {number}")
    return LEVELS[number]


def build_worlds(level: Level, seed: int, scale: float, scratch: Path) -> list[InstitutionWorld]:
    """Generate the level's worlds into ``scratch`` (truth included)."""
    if level.number == 2:
        return [_disguised_bank(seed, scale, scratch)]
    federation = scratch / "federation"
    summary = generate_federation(federation, FEDERATION_SIZE, seed=seed, scale=scale)
    home = _institution(federation / "global")
    worlds = [InstitutionWorld(str(inst["name"]), federation / str(inst["name"]),
                               {**home, "name": str(inst["name"]), "kind": inst["kind"],
                                "customers": inst["customers"],
                                "transactions": inst["transactions"]})
              for inst in summary.institutions]
    if level.number == 1:
        return [w for w in worlds if w.description["kind"] == "remitter"]
    return worlds


def _disguised_bank(seed: int, scale: float, scratch: Path) -> InstitutionWorld:
    plain = scratch / "plain"
    summary = generate_world(plain, seed=seed, scale=scale)
    world = read_world(plain)
    rng = np.random.default_rng([seed, 2])
    for name in DISGUISES:
        world = PERTURBATIONS[name].apply(world, rng)
    folder = write_world(replace(world, meta={}), scratch / "bank")
    home = _institution(plain)
    return InstitutionWorld("bank", folder, {**home, "customers": summary.customers,
                                             "transactions": len(world.transactions)})


def _institution(world: Path) -> dict[str, object]:
    """Name, kind, country, currency and dates of a generated world (no counts of its
    populations: those would tell trainees how many offenders to look for)."""
    meta = json.loads((world / "world.json").read_text(encoding="utf-8"))
    inst = meta.get("institution", {})
    return {"name": inst.get("name"), "kind": inst.get("kind"), "country": inst.get("country"),
            "currency": inst.get("currency"), "date_from": meta.get("date_from"),
            "date_to": meta.get("date_to")}

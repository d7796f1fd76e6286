"""One batch of customers: their KYC attributes, the accounts they pay and the payments drawn.

A batch has its own random stream (seed, batch number), so worlds are identical for a seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from dentrace.contract.schema import CHANNELS
from dentrace.synth.ledger import (
    ROUND_WEIGHTS,
    Parties,
    Payments,
    pick_channels,
    round_codes,
    seconds_of_day,
)
from dentrace.synth.memos import MemoBook
from dentrace.synth.names import CULTURE_NAMES, business_names, culture_of, person_names
from dentrace.synth.plan import POOL_CAP, POPULATIONS, WorldPlan

BATCH_CUSTOMERS = 20_000
BATCH_CAP = 1_000_000  # party numbers reserved per batch for the accounts its customers pay

FEMALE_SHARE = {"ordinary": 0.5, "diaspora": 0.58, "partner": 0.12, "sponsor": 0.6,
                "business": 0.0, "romance_victim": 0.55, "webcam_adult": 0.1,
                "sextortion_victim": 0.08, "offender": 0.03}
AGE = {"ordinary": (44, 16), "diaspora": (42, 11), "partner": (52, 11), "sponsor": (50, 13),
       "business": (45, 10), "romance_victim": (61, 10), "webcam_adult": (40, 12),
       "sextortion_victim": (17, 1.3), "offender": (53, 11)}
OCCUPATIONS = ("Nurse", "Engineer", "Teacher", "Sales assistant", "Driver", "Accountant",
               "Manager", "Electrician", "IT consultant", "Self-employed", "Care worker", "Chef",
               "Public servant", "Labourer", "Cleaner", "Retail manager", "Farmer", "Doctor",
               "Mechanic", "Unemployed")
# Channel options per account kind (bank, wallet, crypto) for person-to-person sends abroad.
ABROAD_OPTIONS = {0: {"remittance": 0.5, "wire": 0.25, "transfer": 0.25},
                  1: {"wallet": 0.65, "remittance": 0.35}, 2: {"crypto": 1.0}}


@dataclass
class Batch:
    """The customers of one batch and everything drawn for them so far."""

    plan: WorldPlan
    number: int
    rng: np.random.Generator
    numbers: np.ndarray  # customer numbers (global)
    population: np.ndarray  # population code per customer
    parties: Parties = field(default_factory=Parties)
    payments: Payments = field(default_factory=Payments)
    memos: MemoBook = field(default_factory=MemoBook)
    pos: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    tz: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int8))
    culture: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    female: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=bool))
    age: np.ndarray = field(default_factory=lambda: np.empty(0))
    origin: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))
    names: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))
    _next_local: int = 0

    @property
    def days(self) -> int:
        return self.plan.institution.days

    @property
    def home(self) -> str:
        return self.plan.institution.home.country

    def rows(self, population: str) -> np.ndarray:
        """Batch positions of the customers in ``population``."""
        return np.flatnonzero(self.population == POPULATIONS.index(population))

    def new_accounts(self, countries: np.ndarray, kinds: np.ndarray, names: np.ndarray,
                     population: str, groups: np.ndarray | None = None) -> np.ndarray:
        """Register outside accounts only this batch's customers pay; return their positions."""
        n = len(countries)
        start = POOL_CAP + self.number * BATCH_CAP + self._next_local
        self._next_local += n
        ids = self.plan.ids.accounts(np.arange(start, start + n), countries, kinds)
        return self.parties.add(ids, names, countries, "facilitator", population, False,
                                groups, kinds)

    def people(self, countries: np.ndarray, female: np.ndarray) -> np.ndarray:
        """Names of people living in ``countries``, in the institution's name style."""
        cultures = np.array([CULTURE_NAMES.index(culture_of(str(c))) for c in countries],
                            dtype=np.int64)
        return self.styled(person_names(self.rng, cultures, female))

    def styled(self, names: np.ndarray) -> np.ndarray:
        if self.plan.institution.uppercase_names:
            return np.array([str(n).upper() for n in names], dtype=object)
        return names

    def channels(self, kinds: np.ndarray, options: dict[int, dict[str, float]]) -> np.ndarray:
        return pick_channels(self.rng, kinds, options, self.plan.institution.channel_mix,
                             CHANNELS)

    def kinds_of(self, positions: np.ndarray) -> np.ndarray:
        return self.parties.column("kinds")[positions]

    def countries_of(self, positions: np.ndarray) -> np.ndarray:
        return self.parties.column("countries")[positions]

    def pay(self, owner: np.ndarray, beneficiary: np.ndarray, day: np.ndarray,
            usd: np.ndarray, channel: np.ndarray | int, memo: np.ndarray, *, profile: str = "day",
            night: np.ndarray | float = 0.04, rounding: np.ndarray | float = 0.2,
            incoming_from: np.ndarray | None = None,
            round_weights: tuple[float, ...] = ROUND_WEIGHTS) -> None:
        """Record payments by batch customers ``owner`` (or to them, if incoming_from is set)."""
        n = len(owner)
        sender = self.pos[owner] if incoming_from is None else incoming_from
        receiver = beneficiary if incoming_from is None else self.pos[owner]
        second = seconds_of_day(self.rng, n, profile, night)
        day = np.clip(day, 0, self.days - 1).astype(np.int32)
        codes = round_codes(self.rng, n, rounding, round_weights)
        self.payments.add(sender, receiver, day, second, usd, codes,
                          channel, memo, self.tz[owner])


def start_batch(plan: WorldPlan, number: int) -> Batch:
    """Customers of batch ``number`` with their KYC attributes, registered after the pools."""
    rng = np.random.default_rng([plan.seed, 2, number])
    lo = number * BATCH_CUSTOMERS
    numbers = np.arange(lo, min(lo + BATCH_CUSTOMERS, plan.customers))
    batch = Batch(plan=plan, number=number, rng=rng, numbers=numbers,
                  population=plan.population[numbers])
    batch.parties.extend(plan.shared.parties)
    home = plan.institution.home
    n = len(numbers)
    batch.tz = rng.choice(len(home.time_zones), size=n, p=home.tz_weights).astype(np.int8)
    pops = np.array(POPULATIONS, dtype=object)[batch.population]
    batch.female = rng.random(n) < np.array([FEMALE_SHARE[p] for p in pops])
    mean_sd = np.array([AGE[p] for p in pops])
    batch.age = np.clip(rng.normal(mean_sd[:, 0], mean_sd[:, 1]), 15, 88)
    batch.origin = _origins(batch, pops)
    home_culture = CULTURE_NAMES.index(culture_of(home.country))
    own_culture = np.where(rng.random(n) < 0.8, 1, 0) * (pops == "diaspora")
    minority = rng.random(n) < sum(home.minorities.values())
    mins = np.array(list(home.minorities), dtype=object)
    w = np.array(list(home.minorities.values()))
    drawn = mins[rng.choice(len(mins), size=n, p=w / w.sum())]
    culture_country = np.where(own_culture == 1, batch.origin,
                               np.where(minority, drawn, home.country))
    batch.culture = np.array([CULTURE_NAMES.index(culture_of(str(c))) for c in culture_country])
    batch.culture[culture_country == home.country] = home_culture
    names = person_names(rng, batch.culture, batch.female)
    is_biz = pops == "business"
    names[is_biz] = business_names(rng, int(is_biz.sum()), home.company_suffix)
    batch.names = batch.styled(names)
    ids = plan.ids.customers(numbers)
    batch.pos = batch.parties.add(ids, batch.names, home.country, "payer", pops, False,
                                  None, 0)
    batch.parties.groups[-1] = _customer_groups(plan, numbers, pops)
    batch.parties.positive[-1] = pops == "offender"
    return batch


def _customer_groups(plan: WorldPlan, numbers: np.ndarray, pops: np.ndarray) -> np.ndarray:
    """Truth group of each customer: den for offenders, family or business for remitters."""
    groups = np.full(len(numbers), None, dtype=object)
    for population, prefix in (("diaspora", "family"), ("business", "business")):
        rows = np.flatnonzero(pops == population)
        groups[rows] = [f"{prefix}-{c}" for c in numbers[rows]]
    offenders = np.flatnonzero(pops == "offender")
    if len(offenders):
        den_of = dict(zip(plan.offenders.customer.tolist(), plan.offenders.den.tolist(),
                          strict=True))
        groups[offenders] = [f"den-{den_of[int(c)]:04d}" for c in numbers[offenders]]
    return groups


def _origins(batch: Batch, pops: np.ndarray) -> np.ndarray:
    """Country each diaspora family (or supported partner) lives in; home for everyone else."""
    plan, rng = batch.plan, batch.rng
    origin = np.full(len(pops), plan.institution.home.country, dtype=object)
    dias = np.flatnonzero(pops == "diaspora")
    weights = plan.institution.home.diaspora
    keys = np.array(list(weights), dtype=object)
    w = np.array(list(weights.values()))
    origin[dias] = keys[rng.choice(len(keys), size=len(dias), p=w / w.sum())]
    countries = plan.shared.parties.column("countries")
    for row in dias:
        fac = plan.family_facilitator.get(int(batch.numbers[row]))
        if fac is not None:
            origin[row] = countries[fac]
    return origin


def amounts(rng: np.random.Generator, median_usd: np.ndarray | float, spread: float,
            n: int, low: float, high: float) -> np.ndarray:
    """Log-normal US$ amounts clipped to [low, high]."""
    return np.clip(np.asarray(median_usd) * rng.lognormal(0.0, spread, n), low, high)


"""The world-wide plan drawn before any batch: who belongs to which population, the shared
accounts (merchants, charities, facilitators, scam accounts) and each offender's buying plan.

Everything here is small (per customer a byte, per shared account a row), so it fits in memory
at any scale; the payments themselves are drawn later, batch by batch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from dentrace.synth.accounts import BANK, CRYPTO, WALLET, AccountIds
from dentrace.synth.institution import Institution
from dentrace.synth.ledger import Parties
from dentrace.synth.names import CULTURE_NAMES, business_names, culture_of, person_names

POPULATIONS = ("ordinary", "diaspora", "partner", "sponsor", "business", "romance_victim",
               "webcam_adult", "sextortion_victim", "offender")
# Share of customers per population (ordinary takes the rest); each world jitters these.
BASE_SHARES = {"diaspora": 0.075, "partner": 0.015, "sponsor": 0.02, "business": 0.012,
               "romance_victim": 0.005, "webcam_adult": 0.02, "sextortion_victim": 0.004}
MIN_COUNTS = {"offender": 12, "diaspora": 20, "partner": 5, "sponsor": 5, "business": 3,
              "romance_victim": 4, "webcam_adult": 6, "sextortion_victim": 4}
OFFENDER_KINDS = ("one-off", "steady", "escalating", "heavy")
POOL_CAP = 10_000_000  # party numbers below this belong to the world's shared accounts
CUSTOMERS_PER_SCALE = 25_000

FACILITATOR_COUNTRIES = {"PH": 0.72, "TH": 0.09, "ID": 0.07, "VN": 0.04, "CO": 0.08}
SEXTORTION_COUNTRIES = {"NG": 0.55, "CI": 0.25, "PH": 0.20}
ROMANCE_COUNTRIES = {"NG": 0.3, "GH": 0.15, "MY": 0.15, "PH": 0.15, "US": 0.1, "CI": 0.1,
                     "GB": 0.05}
PERFORMER_COUNTRIES = {"PH": 0.45, "CO": 0.35, "RO": 0.20}
CHARITY_COUNTRIES = {"PH": 0.45, "TH": 0.2, "ID": 0.15, "CO": 0.1, "VN": 0.1}
ONLINE_COUNTRIES = ("US", "GB", "IE", "NL", "CN", "DE")


@dataclass
class SharedAccounts:
    """Registry positions of the world's shared counterparties (seed of every batch)."""

    parties: Parties
    groups: dict[str, np.ndarray] = field(default_factory=dict)
    facilitator_den: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))


@dataclass
class OffenderPlan:
    """Per offender: customer number, kind, payment count, den and facilitator links."""

    customer: np.ndarray
    kind: np.ndarray
    count: np.ndarray
    den: np.ndarray
    links: list[np.ndarray]


@dataclass
class WorldPlan:
    """Everything batches share: institution, populations, shared accounts, offenders."""

    seed: int
    institution: Institution
    ids: AccountIds
    population: np.ndarray  # int8 per customer number, index into POPULATIONS
    shared: SharedAccounts
    offenders: OffenderPlan
    family_facilitator: dict[int, int]  # diaspora customer -> facilitator registry position
    known: list[tuple[int, str, str]]  # (customer number or -1 - registry position, label, date)
    style: dict[str, float] = field(default_factory=dict)  # per-world behaviour multipliers

    @property
    def customers(self) -> int:
        return len(self.population)


def _counts(rng: np.random.Generator, n: int) -> dict[str, int]:
    counts = {}
    for name, share in BASE_SHARES.items():
        counts[name] = max(MIN_COUNTS[name], round(n * share * rng.lognormal(0, 0.2)))
    counts["offender"] = max(MIN_COUNTS["offender"], round(n * rng.uniform(0.003, 0.006)))
    counts["ordinary"] = n - sum(counts.values())
    if counts["ordinary"] < n // 2:
        raise ValueError(f"scale too small for a world: {n} customers")
    return counts


def assign_populations(rng: np.random.Generator, n: int) -> np.ndarray:
    """Population code per customer number, shuffled so numbers reveal nothing."""
    counts = _counts(rng, n)
    codes = np.repeat(np.arange(len(POPULATIONS), dtype=np.int8),
                      [counts[p] for p in POPULATIONS])
    return rng.permutation(codes)


def _choice(rng: np.random.Generator, weights: dict[str, float], n: int) -> np.ndarray:
    keys = np.array(list(weights), dtype=object)
    w = np.array(list(weights.values()), dtype=float)
    return keys[rng.choice(len(keys), size=n, p=w / w.sum())]


def people(rng: np.random.Generator, countries: np.ndarray, female_share: float,
           uppercase: bool) -> np.ndarray:
    """Names for people living in ``countries`` (culture follows the country)."""
    cultures = np.array([CULTURE_NAMES.index(culture_of(str(c))) for c in countries])
    names = person_names(rng, cultures, rng.random(len(countries)) < female_share)
    return np.array([n.upper() for n in names], dtype=object) if uppercase else names


_NAMED = {
    "vpn": ("SecureTunnel VPN", "Nordpath Privacy", "HideWire Ltd", "Onion Shield VPN",
            "PrivaNet Services", "Ghostline VPN"),
    "airline": ("Pacific Isles Air", "Manila Sky Airways", "Cebu Air Travel", "Siam Air",
                "Southern Cross Airlines", "Atlantic Jet", "Trip Deals Online"),
    "platform": ("CamLounge Ltd", "LiveVue Media BV", "NightChat Ltd", "StarCams Ltd",
                 "Fanpage Subscriptions Inc", "PrivateShow Media"),
    "giftcard": ("GameVault Cards", "eGift Hub", "CardKiosk Online", "PlayCredits"),
    "charity": ("Bright Futures Children's Foundation", "Hope for Kids Intl",
                "Little Steps Sponsorship", "Kalinga Child Care Fund",
                "Rainbow Bridge Children", "Sunrise Education Trust", "Bayanihan Kids Aid",
                "Smiles Without Borders", "Open Hands Child Fund", "Lantern School Project"),
}


def shared_accounts(rng: np.random.Generator, plan_ids: AccountIds, inst: Institution,
                    scale: float, n_pop: dict[str, int], dens: np.ndarray) -> SharedAccounts:
    """Employers, billers, merchants, charities, facilitators and scam/performer accounts."""
    parties = Parties()
    groups: dict[str, np.ndarray] = {}
    home = inst.home.country
    up = inst.uppercase_names
    root = max(scale, 0.02) ** 0.5

    def add(group: str, names: np.ndarray, countries: np.ndarray, role: str, population: str,
            kinds: np.ndarray | int = BANK, positive: bool = False,
            den: np.ndarray | None = None) -> None:
        numbers = np.arange(parties.size, parties.size + len(names))
        kind_arr = np.broadcast_to(np.asarray(kinds, dtype=np.int8), (len(names),))
        ids = plan_ids.accounts(numbers, countries, kind_arr)
        den_ids = None if den is None else np.array([f"den-{d:04d}" for d in den], dtype=object)
        groups[group] = parties.add(ids, names, countries, role, population, positive,
                                    den_ids, kind_arr)

    sfx = inst.home.company_suffix
    n_emp = max(15, round(400 * scale))
    add("employer", business_names(rng, n_emp, sfx), np.full(n_emp, home), "payer", "employer")
    n_bill = max(12, round(60 * root))
    add("biller", business_names(rng, n_bill, sfx), np.full(n_bill, home), "facilitator",
        "biller")
    n_shop = max(30, round(300 * root))
    add("shop", business_names(rng, n_shop, sfx), np.full(n_shop, home), "facilitator",
        "merchant")
    n_web = max(15, round(80 * root))
    web_c = np.array(ONLINE_COUNTRIES, dtype=object)[rng.integers(0, len(ONLINE_COUNTRIES),
                                                                  n_web)]
    add("online", business_names(rng, n_web, "Online"), web_c, "facilitator", "merchant")
    for group, country in (("vpn", "US"), ("airline", None), ("platform", "CY"),
                           ("giftcard", "US")):
        names = np.array(_NAMED[group], dtype=object)
        if group == "airline":
            cs = np.array(["US", "PH", "PH", "TH", home, "GB", "US"], dtype=object)
        else:
            cs = np.full(len(names), country, dtype=object)
        add(group, names, cs, "facilitator", "merchant")
    n_ch = max(4, min(10, round(n_pop["sponsor"] / 25) + 3))
    ch_c = _choice(rng, CHARITY_COUNTRIES, n_ch)
    add("charity", np.array(_NAMED["charity"][:n_ch], dtype=object), ch_c, "facilitator",
        "charity")
    _risky_accounts(rng, add, n_pop, up, dens)
    shared = SharedAccounts(parties=parties, groups=groups)
    shared.facilitator_den = dens
    return shared


def _risky_accounts(rng: np.random.Generator, add: Callable[..., None], n_pop: dict[str, int],
                    up: bool, dens: np.ndarray) -> None:
    """Facilitators (by den), sextortion, romance-scam and adult-performer accounts."""
    n_fac = len(dens)
    fac_c = _den_countries(rng, dens)
    fac_k = rng.choice([BANK, WALLET, CRYPTO], size=n_fac, p=[0.45, 0.5, 0.05])
    add("facilitator", people(rng, fac_c, 0.85, up), fac_c, "facilitator", "facilitator",
        fac_k, True, dens)
    n_sx = max(2, round(n_pop["sextortion_victim"] / 3))
    sx_c = _choice(rng, SEXTORTION_COUNTRIES, n_sx)
    add("sextortion", people(rng, sx_c, 0.3, up), sx_c, "facilitator", "sextortion_account",
        rng.choice([BANK, WALLET, CRYPTO], size=n_sx, p=[0.25, 0.5, 0.25]))
    n_rs = max(3, round(n_pop["romance_victim"] * 1.1))
    rs_c = _choice(rng, ROMANCE_COUNTRIES, n_rs)
    add("romance", people(rng, rs_c, 0.5, up), rs_c, "facilitator", "romance_scammer",
        rng.choice([BANK, WALLET, CRYPTO], size=n_rs, p=[0.6, 0.25, 0.15]))
    n_pf = max(4, round(n_pop["webcam_adult"] * 0.15))
    pf_c = _choice(rng, PERFORMER_COUNTRIES, n_pf)
    add("performer", people(rng, pf_c, 0.95, up), pf_c, "facilitator", "adult_performer",
        rng.choice([BANK, WALLET], size=n_pf, p=[0.35, 0.65]))


def _den_countries(rng: np.random.Generator, dens: np.ndarray) -> np.ndarray:
    """A den operates from one country, so its accounts share it."""
    den_country = _choice(rng, FACILITATOR_COUNTRIES, int(dens.max()) + 1)
    return den_country[dens]


def draw_dens(rng: np.random.Generator, n_offenders: int) -> np.ndarray:
    """Den number of each facilitator account: dens hold 1-6 accounts, ~1 per 2.5 offenders."""
    n_dens = max(3, round(n_offenders / rng.uniform(4, 7)))
    sizes = np.clip(rng.geometric(0.45, n_dens), 1, 6)
    return np.repeat(np.arange(n_dens), sizes)


def offender_plan(rng: np.random.Generator, customers: np.ndarray,
                  dens: np.ndarray) -> OffenderPlan:
    """Kinds, heavy-tailed payment counts and shared facilitator links for every offender."""
    n = len(customers)
    kind = rng.choice(4, size=n, p=[0.45, 0.38, 0.14, 0.03])
    kind[rng.permutation(n)[: max(1, round(0.03 * n))]] = 3  # a few prolific buyers always
    count = np.select(
        [kind == 0, kind == 1, kind == 2],
        [rng.choice([1, 2, 3], size=n, p=[0.55, 0.3, 0.15]),
         np.clip(np.round(rng.lognormal(np.log(9), 0.5, n)), 4, 30),
         np.clip(np.round(rng.lognormal(np.log(35), 0.4, n)), 15, 90)],
        np.clip(np.round(rng.lognormal(np.log(230), 0.35, n)), 120, 520)).astype(np.int64)
    n_dens = int(dens.max()) + 1
    popularity = rng.pareto(1.2, n_dens) + 0.2
    den = rng.choice(n_dens, size=n, p=popularity / popularity.sum())
    members = [np.flatnonzero(dens == d) for d in range(n_dens)]
    links = []
    for i in range(n):
        k = int(min(count[i], 1 + rng.poisson(0.7 * np.log1p(count[i])), 8, len(dens)))
        own = members[den[i]]
        chosen = list(rng.permutation(own)[:k])
        while len(chosen) < k:  # buyers also pay other dens' accounts, linking the dens
            other = int(rng.integers(0, len(dens)))
            if other not in chosen:
                chosen.append(other)
        links.append(np.array(chosen, dtype=np.int64))
    _cover_every_facilitator(rng, links, den, count, dens)
    return OffenderPlan(customer=customers, kind=kind, count=count, den=den, links=links)


def _cover_every_facilitator(rng: np.random.Generator, links: list[np.ndarray], den: np.ndarray,
                             count: np.ndarray, dens: np.ndarray) -> None:
    """Give each facilitator account at least two paying offenders (it exists to be paid)."""
    paid = np.bincount(np.concatenate(links), minlength=len(dens))
    for fac in np.flatnonzero(paid < 2):
        payers = {i for i, lk in enumerate(links) if fac in lk}
        while len(payers) < 2:
            same = [int(i) for i in np.flatnonzero(den == dens[fac]) if i not in payers]
            pool = same if same else [i for i in range(len(links)) if i not in payers]
            i = int(rng.choice(pool))
            links[i] = np.append(links[i], fac)
            count[i] = max(count[i], len(links[i]))
            payers.add(i)


def build_plan(seed: int, scale: float, inst: Institution, known_offenders: float,
               known_facilitators: float) -> WorldPlan:
    """Draw the whole world's plan from the seed (independent of how batches are cut)."""
    rng = np.random.default_rng([seed, 1])
    n = max(100, round(CUSTOMERS_PER_SCALE * scale))
    population = assign_populations(rng, n)
    n_pop = {p: int((population == i).sum()) for i, p in enumerate(POPULATIONS)}
    offenders = np.flatnonzero(population == POPULATIONS.index("offender"))
    dens = draw_dens(rng, len(offenders))
    ids = AccountIds(seed)
    shared = shared_accounts(rng, ids, inst, scale, n_pop, dens)
    plan = offender_plan(rng, offenders, dens)
    fac_pos = shared.groups["facilitator"]
    diaspora = np.flatnonzero(population == POPULATIONS.index("diaspora"))
    family: dict[int, int] = {}
    funded = rng.random(len(fac_pos)) < 0.5  # half the facilitators also get family money
    for pos, yes in zip(fac_pos, funded, strict=True):
        if yes and len(diaspora):
            family[int(rng.choice(diaspora))] = int(pos)
    known = _known(rng, inst, population, plan, fac_pos, known_offenders, known_facilitators)
    return WorldPlan(seed=seed, institution=inst, ids=ids, population=population,
                     shared=shared, offenders=plan, family_facilitator=family, known=known,
                     style=draw_style(rng))


def draw_style(rng: np.random.Generator) -> dict[str, float]:
    """How this world's people behave, around the published figures, so worlds differ."""
    return {
        "offender_amount": round(float(rng.lognormal(0, 0.15)), 3),
        "offender_daytime_share": round(float(rng.uniform(0.15, 0.45)), 3),
        "offender_gap": round(float(rng.lognormal(0, 0.2)), 3),
        "offender_memo_empty": round(float(rng.uniform(0.3, 0.75)), 3),
        "remittance_amount": round(float(rng.lognormal(0, 0.12)), 3),
        "honest_night": round(float(rng.lognormal(0, 0.3)), 3),
        "card_rate": round(float(rng.lognormal(0, 0.15)), 3),
    }


def _known(rng: np.random.Generator, inst: Institution, population: np.ndarray,
           plan: OffenderPlan, fac_pos: np.ndarray, share_off: float,
           share_fac: float) -> list[tuple[int, str, str]]:
    """Earlier outcomes: some offenders and facilitators, and a few cleared honest payers."""
    def dates(k: int) -> list[str]:
        days = rng.integers(-180, inst.days, k)
        return [str(np.datetime64(inst.start) + np.timedelta64(int(d), "D")) for d in days]

    n_off = round(share_off * len(plan.customer))
    n_fac = round(share_fac * len(fac_pos))
    off = np.sort(rng.choice(plan.customer, size=n_off, replace=False))
    fac = np.sort(rng.choice(fac_pos, size=n_fac, replace=False))
    lookalike = np.flatnonzero(np.isin(population, [POPULATIONS.index(p) for p in (
        "diaspora", "partner", "webcam_adult", "romance_victim", "sponsor")]))
    n_clear = min(len(lookalike), max(3, round(0.5 * max(n_off, 1))))
    cleared = np.sort(rng.choice(lookalike, size=n_clear, replace=False))
    rows = [(int(c), "offender", d) for c, d in zip(off, dates(n_off), strict=True)]
    rows += [(-1 - int(p), "facilitator", d) for p, d in zip(fac, dates(n_fac), strict=True)]
    rows += [(int(c), "cleared", d) for c, d in zip(cleared, dates(n_clear), strict=True)]
    return rows

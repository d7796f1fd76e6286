"""Honest people and firms who send money abroad: diaspora families, partners supporting someone,
child-sponsorship donors, and businesses paying overseas freelancers.

Parameters and their sources are listed in docs/synthetic-worlds.md.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from dentrace.contract.schema import CHANNELS
from dentrace.synth.accounts import BANK, WALLET
from dentrace.synth.batch import ABROAD_OPTIONS, Batch, amounts
from dentrace.synth.everyday import periodic
from dentrace.synth.ledger import expand, weekday_shift
from dentrace.synth.names import family_names, with_surname

PARTNER_COUNTRIES = {"PH": 0.35, "TH": 0.2, "CO": 0.1, "VN": 0.07, "UA": 0.08, "ID": 0.07,
                     "DO": 0.05, "RU": 0.04, "GH": 0.04}
FREELANCER_COUNTRIES = {"PH": 0.7, "IN": 0.1, "VN": 0.05, "UA": 0.05, "CO": 0.05, "ID": 0.05}
BUSINESS_OPTIONS = {0: {"wire": 0.6, "transfer": 0.4}, 1: {"wallet": 0.7, "transfer": 0.3},
                    2: {"crypto": 1.0}}


def _pick(rng: np.random.Generator, weights: dict[str, float], n: int) -> np.ndarray:
    keys = np.array(list(weights), dtype=object)
    w = np.array(list(weights.values()))
    return keys[rng.choice(len(keys), size=n, p=w / w.sum())]


def diaspora(batch: Batch) -> None:
    """Monthly remittances (~US$340) to 1-3 relatives, plus extras for school, health, holidays."""
    rng = batch.rng
    rows = batch.rows("diaspora")
    if len(rows) == 0:
        return
    n_rel = rng.choice([1, 2, 3], size=len(rows), p=[0.45, 0.35, 0.2])
    link_owner, rank = expand(n_rel)
    m = len(link_owner)
    countries = batch.origin[rows][link_owner]
    female = rng.random(m) < 0.65
    names = batch.people(countries, female)
    related = rng.random(m) < 0.4  # shared surname only sometimes (married names, cousins)
    if related.any():
        surnames = family_names(batch.names[rows][link_owner[related]],
                                batch.culture[rows][link_owner[related]])
        names[related] = batch.styled(with_surname(
            rng, batch.culture[rows][link_owner[related]], female[related], surnames))
    kinds = rng.choice([BANK, WALLET], size=m, p=[0.5, 0.5]).astype(np.int8)
    family_ids = np.array([f"family-{batch.numbers[r]}" for r in rows], dtype=object)
    recipients = batch.new_accounts(countries, kinds, names, "family_recipient",
                                    family_ids[link_owner])
    _facilitator_relatives(batch, rows, link_owner, rank, recipients)
    kinds = batch.kinds_of(recipients)
    channel = batch.channels(kinds, ABROAD_OPTIONS)
    period = np.where(rank == 0, rng.choice([14.0, 30.4, 61.0], size=m, p=[0.15, 0.75, 0.1]),
                      rng.choice([30.4, 61.0, 91.0], size=m))
    owner, day = periodic(batch, period, 2.5)
    style = batch.plan.style
    base = (amounts(rng, 300.0, 0.4, m, 60, 1500) * np.where(rank == 0, 1.0, 0.6)
            * style.get("remittance_amount", 1.0))
    night = np.clip(rng.beta(1.2, 12, len(rows)) * style.get("honest_night", 1.0), 0, 1)
    p_empty = rng.uniform(0.3, 0.85, len(rows))
    who = link_owner[owner]
    memo = batch.memos.draw(rng, "family", len(owner), float(p_empty.mean()), countries[owner])
    batch.pay(rows[who], recipients[owner], day, base[owner] * rng.lognormal(0, 0.15, len(owner)),
              channel[owner], memo, profile="evening", night=night[who], rounding=0.6)
    _extras(batch, rows, recipients[rank == 0], channel[rank == 0], countries[rank == 0], night)


def _facilitator_relatives(batch: Batch, rows: np.ndarray, link_owner: np.ndarray,
                           rank: np.ndarray, recipients: np.ndarray) -> None:
    """Some families' relative is, unknown to them, a facilitator: they send family money."""
    for i, row in enumerate(rows):
        fac = batch.plan.family_facilitator.get(int(batch.numbers[row]))
        if fac is not None:
            link = np.flatnonzero((link_owner == i) & (rank == 0))[0]
            recipients[link] = fac


def _extras(batch: Batch, rows: np.ndarray, recipient: np.ndarray, channel: np.ndarray,
            countries: np.ndarray, night: np.ndarray) -> None:
    """School fees, medical bills and holiday money on top of the monthly send."""
    rng = batch.rng
    owner, _ = expand(rng.poisson(1.6, len(rows)))
    n = len(owner)
    day = rng.integers(0, batch.days, n)
    start = batch.plan.institution.start
    december = date(start.year, 12, 1)
    if december < start:
        december = date(start.year + 1, 12, 1)
    holiday = rng.random(n) < 0.3  # Christmas money
    day[holiday] = (december - start).days + rng.integers(0, 24, int(holiday.sum()))
    memo = batch.memos.draw(rng, "family_extra", n, 0.35, countries[owner])
    batch.pay(rows[owner], recipient[owner], day, amounts(rng, 450.0, 0.6, n, 50, 5000),
              channel[owner], memo, profile="day", night=night[owner], rounding=0.6)


def partners(batch: Batch) -> None:
    """Weekly-to-monthly support to one partner abroad, mid amounts, some at night."""
    support_partners(batch, batch.rows("partner"))


def support_partners(batch: Batch, rows: np.ndarray) -> None:
    """One partner abroad per customer in ``rows`` (also used for some offenders)."""
    rng = batch.rng
    n = len(rows)
    if n == 0:
        return
    countries = _pick(rng, PARTNER_COUNTRIES, n)
    female = ~batch.female[rows] ^ (rng.random(n) < 0.05)
    kinds = rng.choice([BANK, WALLET], size=n, p=[0.4, 0.6]).astype(np.int8)
    recipients = batch.new_accounts(countries, kinds, batch.people(countries, female),
                                    "partner_recipient")
    channel = batch.channels(kinds, ABROAD_OPTIONS)
    owner, day = periodic(batch, rng.uniform(7, 31, n), 2.0)
    start = rng.integers(0, batch.days // 2, n) * (rng.random(n) < 0.4)
    keep = day >= start[owner]
    owner, day = owner[keep], day[keep]
    k = len(owner)
    memo = batch.memos.draw(rng, "partner", k, 0.5, countries[owner])
    grow = 1 + rng.uniform(0, 0.5, n)[owner] * day / batch.days
    usd = amounts(rng, 150.0, 0.5, n, 30, 1500)[owner] * grow * rng.lognormal(0, 0.25, k)
    night = np.clip(rng.beta(2, 6, n) * batch.plan.style.get("honest_night", 1.0), 0, 1)
    batch.pay(rows[owner], recipients[owner], day, usd, channel[owner], memo, profile="evening",
              night=night[owner], rounding=0.5)


def sponsors(batch: Batch) -> None:
    """Fixed monthly US$30-60 to a child-sponsorship charity's account abroad."""
    rng = batch.rng
    rows = batch.rows("sponsor")
    n = len(rows)
    if n == 0:
        return
    charities = batch.plan.shared.groups["charity"]
    charity = charities[rng.integers(0, len(charities), n)]
    fixed = rng.choice([30, 35, 38, 40, 45, 48, 50, 55, 60], size=n).astype(float)
    channel = np.where(rng.random(n) < 0.6, CHANNELS.index("transfer"), CHANNELS.index("card"))
    owner, day = periodic(batch, np.full(n, 30.4), 0.4)
    k = len(owner)
    scheduled = rng.random(n) < 0.35  # standing orders run overnight
    memo = batch.memos.references(rng, batch.memos.draw(rng, "sponsor", k, 0.3))
    per_usd = batch.plan.institution.per_usd
    usd = np.round(fixed * per_usd) / per_usd  # a whole amount in the home currency
    batch.pay(rows[owner], charity[owner], day, usd[owner], channel[owner], memo,
              profile="business", night=np.where(scheduled, 0.9, 0.02)[owner], rounding=0.0)


def businesses(batch: Batch) -> None:
    """Firms paying overseas freelancers/BPO staff: invoices in business hours, US$50-2,000."""
    rng = batch.rng
    rows = batch.rows("business")
    n = len(rows)
    if n == 0:
        return
    n_free = np.clip(np.round(rng.lognormal(np.log(8), 0.8, n)), 2, 60).astype(np.int64)
    link_owner, _ = expand(n_free)
    m = len(link_owner)
    countries = _pick(rng, FREELANCER_COUNTRIES, m)
    kinds = rng.choice([BANK, WALLET], size=m, p=[0.5, 0.5]).astype(np.int8)
    groups = np.array([f"business-{batch.numbers[r]}" for r in rows], dtype=object)[link_owner]
    staff = batch.new_accounts(countries, kinds, batch.people(countries, rng.random(m) < 0.55),
                               "freelancer", groups)
    channel = batch.channels(kinds, BUSINESS_OPTIONS)
    owner, day = periodic(batch, rng.choice([14.0, 30.4], size=m, p=[0.4, 0.6]), 1.0)
    day = weekday_shift(day, batch.plan.institution.start.weekday())
    k = len(owner)
    rate = amounts(rng, rng.uniform(150, 900, m), 0.3, m, 50, 2000)
    memo = batch.memos.references(rng, batch.memos.draw(rng, "invoice", k, 0.2))
    batch.pay(rows[link_owner[owner]], staff[owner], day, rate[owner] * rng.lognormal(0, 0.1, k),
              channel[owner], memo, profile="business", night=0.01, rounding=0.3)
    batch.pay(rows, batch.plan.shared.groups["biller"][rng.integers(0, 5, n)],
              rng.integers(0, batch.days, n), amounts(rng, 900.0, 0.8, n, 50, 20000),
              CHANNELS.index("transfer"), np.full(n, None, dtype=object), profile="business")

"""Everyday banking every person customer has: salary in, bills, card shopping (incl. online
shops abroad, VPNs and flights), transfers to friends, and the odd payment abroad.

These streams make up most rows and give every population an ordinary background.
"""

from __future__ import annotations

import numpy as np

from dentrace.contract.schema import CHANNELS
from dentrace.synth.accounts import BANK
from dentrace.synth.batch import ABROAD_OPTIONS, Batch, amounts
from dentrace.synth.ledger import expand, weekday_shift

EMPLOYED = {"ordinary": 0.78, "diaspora": 0.9, "partner": 0.85, "sponsor": 0.85,
            "romance_victim": 0.45, "webcam_adult": 0.85, "sextortion_victim": 0.3,
            "offender": 0.78}
ABROAD = ("GB", "US", "IN", "PH", "TH", "DE", "NZ", "CN", "VN", "FR", "IT", "ES", "ID", "MX")
CARD, TRANSFER = CHANNELS.index("card"), CHANNELS.index("transfer")


def everyday(batch: Batch, rows: np.ndarray, population: str) -> None:
    """All everyday streams for the person customers at batch positions ``rows``."""
    if len(rows) == 0:
        return
    salary(batch, rows[batch.rng.random(len(rows)) < EMPLOYED.get(population, 0.8)],
           0.2 if population == "sextortion_victim" else 1.0)
    if population != "sextortion_victim":
        bills(batch, rows)
    shopping(batch, rows, 0.5 if population == "sextortion_victim" else 1.0)
    transfers(batch, rows)
    abroad(batch, rows[batch.rng.random(len(rows)) < 0.12])


def periodic(batch: Batch, period: np.ndarray, jitter: float) -> tuple[np.ndarray, np.ndarray]:
    """Owner position and day of regular payments with the given period (days) per owner."""
    rng = batch.rng
    phase = rng.uniform(0, period)
    counts = np.maximum(1, np.ceil((batch.days - phase) / period)).astype(np.int64)
    owner, k = expand(counts)
    day = phase[owner] + k * period[owner] + rng.normal(0, jitter, len(owner))
    keep = (day >= 0) & (day < batch.days)
    return owner[keep], np.round(day[keep]).astype(np.int32)


def salary(batch: Batch, rows: np.ndarray, level: float) -> None:
    """Salary credits from an employer, usually overnight batch processing on weekdays."""
    rng = batch.rng
    cycle = batch.plan.institution.home.pay_cycle_days
    period = np.full(len(rows), float(cycle))
    owner, day = periodic(batch, period, 0.3)
    day = weekday_shift(day, batch.plan.institution.start.weekday())
    per = level * amounts(rng, 2300.0 * cycle / 30, 0.4, len(rows), 150, 30000)
    employers = batch.plan.shared.groups["employer"]
    employer = employers[rng.integers(0, len(employers), len(rows))]
    memo = batch.memos.draw(rng, "salary", len(owner), 0.15)
    batch.pay(rows[owner], np.zeros(len(owner), dtype=np.int64), day,
              per[owner] * rng.lognormal(0, 0.03, len(owner)), TRANSFER, memo,
              profile="batch", night=0.0, rounding=0.1, incoming_from=employer[owner])


def bills(batch: Batch, rows: np.ndarray) -> None:
    """Monthly or quarterly bills to 1-3 billers: overnight direct debits or paid by hand."""
    rng = batch.rng
    link_owner, _ = expand(rng.integers(1, 4, len(rows)))
    m = len(link_owner)
    billers = batch.plan.shared.groups["biller"]
    biller = billers[rng.integers(0, len(billers), m)]
    typical = amounts(rng, 80.0, 0.7, m, 8, 2500)
    period = rng.choice([30.4, 91.3], size=m, p=[0.7, 0.3])
    owner, day = periodic(batch, period, 1.0)
    memo = batch.memos.references(rng, batch.memos.draw(rng, "bill", len(owner), 0.45))
    debit = (rng.random(m) < 0.5)[owner]
    for profile, sel in (("batch", debit), ("day", ~debit)):
        batch.pay(rows[link_owner[owner[sel]]], biller[owner[sel]], day[sel],
                  typical[owner[sel]] * rng.lognormal(0, 0.12, int(sel.sum())), TRANSFER,
                  memo[sel], profile=profile, night=0.02, rounding=0.15)


def shopping(batch: Batch, rows: np.ndarray, level: float) -> None:
    """Card purchases: local shops, online shops abroad, sometimes VPNs and flights."""
    rng = batch.rng
    rate = level * batch.plan.style.get("card_rate", 1.0) * rng.lognormal(np.log(13), 0.7,
                                                                            len(rows))
    owner, _ = expand(rng.poisson(rate))
    n = len(owner)
    g = batch.plan.shared.groups
    kind = rng.choice(4, size=n, p=[0.8, 0.17, 0.015, 0.015])
    pools = [g["shop"], g["online"], g["vpn"], g["airline"]]
    merchant = np.empty(n, dtype=np.int64)
    for k, pool in enumerate(pools):
        sel = kind == k
        merchant[sel] = pool[rng.integers(0, len(pool), int(sel.sum()))]
    usd = amounts(rng, 38.0, 0.95, n, 1.5, 4000)
    usd[kind == 2] = rng.choice([4.99, 9.99, 11.99, 59.0, 99.0], size=int((kind == 2).sum()))
    usd[kind == 3] = amounts(rng, 650.0, 0.5, int((kind == 3).sum()), 90, 4000)
    night = rng.beta(1, 25, len(rows))[owner]
    batch.pay(rows[owner], merchant, rng.integers(0, batch.days, n), usd, CARD,
              np.full(n, None, dtype=object), profile="day", night=night, rounding=0.05)


def transfers(batch: Batch, rows: np.ndarray) -> None:
    """Transfers to friends and family at home: other customers or other banks' accounts."""
    rng = batch.rng
    n_friends = rng.integers(1, 5, len(rows))
    link_owner, _ = expand(n_friends)
    m = len(link_owner)
    internal = rng.random(m) < 0.5
    friend = np.empty(m, dtype=np.int64)
    friend[internal] = batch.pos[rng.integers(0, len(batch.pos), int(internal.sum()))]
    n_ext = int((~internal).sum())
    home = np.full(n_ext, batch.home, dtype=object)
    friend[~internal] = batch.new_accounts(home, np.zeros(n_ext, dtype=np.int8),
                                           batch.people(home, rng.random(n_ext) < 0.5),
                                           "domestic_account")
    counts = rng.poisson(rng.lognormal(np.log(2.0), 0.8, m))
    link, _ = expand(counts)
    n = len(link)
    memo = batch.memos.draw(rng, "domestic", n, 0.45)
    night = rng.beta(1, 12, len(rows))[link_owner[link]]
    batch.pay(rows[link_owner[link]], friend[link], rng.integers(0, batch.days, n),
              amounts(rng, 70.0, 0.9, n, 5, 8000), TRANSFER, memo, profile="day",
              night=night, rounding=0.5)


def abroad(batch: Batch, rows: np.ndarray) -> None:
    """A few payments abroad (a relative's gift, a holiday rental, paying back a friend)."""
    rng = batch.rng
    n = len(rows)
    countries = np.array(ABROAD, dtype=object)[rng.integers(0, len(ABROAD), n)]
    kinds = np.zeros(n, dtype=np.int8) + (rng.random(n) < 0.2).astype(np.int8) * (BANK + 1)
    kinds[~np.isin(countries, ("PH", "TH", "IN", "VN", "ID", "MX", "CN"))] = BANK
    accounts = batch.new_accounts(countries, kinds, batch.people(countries, rng.random(n) < 0.5),
                                  "foreign_account")
    link_channel = batch.channels(kinds, ABROAD_OPTIONS)
    owner, _ = expand(rng.integers(1, 4, n))
    k = len(owner)
    memo = batch.memos.draw(rng, "abroad", k, 0.5, countries[owner])
    batch.pay(rows[owner], accounts[owner], rng.integers(0, batch.days, k),
              amounts(rng, 350.0, 0.9, k, 20, 15000), link_channel[owner], memo,
              night=0.06, rounding=0.5)

"""Populations that look like offenders on one indicator or another but are not: romance-scam
victims, adults paying legal webcam performers, and teenage sextortion victims.

They are the hard negatives: each shares some of the offender signal (night, small amounts,
foreign women, escalation, shared recipient accounts) without the full combination.
"""

from __future__ import annotations

import numpy as np

from dentrace.contract.schema import CHANNELS
from dentrace.synth.batch import ABROAD_OPTIONS, Batch, amounts
from dentrace.synth.ledger import expand, running_sum

CARD = CHANNELS.index("card")
ROMANCE_OPTIONS = {0: {"wire": 0.5, "remittance": 0.4, "transfer": 0.1},
                   1: {"wallet": 0.6, "remittance": 0.4}, 2: {"crypto": 1.0}}
SEXTORTION_OPTIONS = {0: {"transfer": 0.5, "remittance": 0.5}, 1: {"wallet": 1.0},
                      2: {"crypto": 1.0}}


def _shared_links(batch: Batch, group: str, n: int) -> np.ndarray:
    pool = batch.plan.shared.groups[group]
    return pool[batch.rng.integers(0, len(pool), n)]


def romance_victims(batch: Batch) -> None:
    """Escalating payments to 1-2 scammers: larger sums for 'medical', 'visa', 'ticket'."""
    rng = batch.rng
    rows = batch.rows("romance_victim")
    n = len(rows)
    if n == 0:
        return
    first = _shared_links(batch, "romance", n)
    second = np.where(rng.random(n) < 0.35, _shared_links(batch, "romance", n), first)
    count = rng.integers(4, 26, n)
    owner, k = expand(count)
    m = len(owner)
    start = rng.integers(0, int(batch.days * 0.7), n)
    gap = rng.uniform(3, 20, n)[owner] * rng.exponential(1.0, m)
    day = start[owner] + running_sum(gap, owner)
    growth = rng.uniform(1.1, 1.35, n)[owner] ** k
    usd = np.minimum(amounts(rng, 180.0, 0.5, n, 50, 800)[owner] * growth
                     * rng.lognormal(0, 0.2, m), 25000)
    recipient = np.where(rng.random(m) < 0.7, first[owner], second[owner])
    channel = batch.channels(batch.kinds_of(recipient), ROMANCE_OPTIONS)
    memo = batch.memos.draw(rng, "romance", m, 0.3)
    batch.pay(rows[owner], recipient, day, usd, channel, memo, profile="evening",
              night=rng.beta(1.5, 8, n)[owner], rounding=0.6)


def webcam_adults(batch: Batch) -> None:
    """Small, night-heavy card payments to adult platforms; some pay performers directly."""
    rng = batch.rng
    rows = batch.rows("webcam_adult")
    n = len(rows)
    if n == 0:
        return
    night = rng.beta(4, 4, n)
    owner, _ = expand(rng.poisson(rng.lognormal(np.log(35), 0.8, n)))
    m = len(owner)
    platform = _shared_links(batch, "platform", m)
    usd = rng.choice([9.99, 19.99, 24.99, 49.99, 99.99, 14.0, 30.0], size=m)
    by_wallet = rng.random(n) < 0.25  # some top up through a payment wallet instead of a card
    channel = np.where(by_wallet[owner], CHANNELS.index("wallet"), CARD)
    batch.pay(rows[owner], platform, rng.integers(0, batch.days, m), usd, channel,
              np.full(m, None, dtype=object), profile="evening", night=night[owner])
    direct = np.flatnonzero(rng.random(n) < 0.3)
    if len(direct) == 0:
        return
    link_owner, _ = expand(rng.integers(1, 6, len(direct)))
    performer = _shared_links(batch, "performer", len(link_owner))
    channel = batch.channels(batch.kinds_of(performer), ABROAD_OPTIONS)
    owner, _ = expand(rng.integers(1, 12, len(link_owner)))
    k = len(owner)
    countries = batch.countries_of(performer)[owner]
    memo = batch.memos.draw(rng, "performer", k, 0.5, countries)
    who = direct[link_owner[owner]]
    batch.pay(rows[who], performer[owner], rng.integers(0, batch.days, k),
              amounts(rng, 55.0, 0.6, k, 10, 600), channel[owner], memo, profile="evening",
              night=night[who], rounding=0.6)


def sextortion_victims(batch: Batch) -> None:
    """A teenager pays 1-4 times within days (first < EUR 250) to accounts abroad, then stops."""
    rng = batch.rng
    rows = batch.rows("sextortion_victim")
    n = len(rows)
    if n == 0:
        return
    account = _shared_links(batch, "sextortion", n)
    second = np.where(rng.random(n) < 0.3, _shared_links(batch, "sextortion", n), account)
    owner, k = expand(rng.choice([1, 2, 3, 4], size=n, p=[0.35, 0.3, 0.2, 0.15]))
    m = len(owner)
    start = rng.integers(0, batch.days - 8, n)
    day = start[owner] + np.where(k == 0, 0, rng.integers(0, 7, m))
    first = rng.uniform(40, 265, n)
    usd = np.minimum(first[owner] * rng.uniform(0.8, 2.2, m) ** np.minimum(k, 1), 1600)
    recipient = np.where(k % 2 == 1, second[owner], account[owner])
    channel = batch.channels(batch.kinds_of(recipient), SEXTORTION_OPTIONS)
    giftcard = rng.random(m) < 0.2  # paid in gift cards bought online
    recipient[giftcard] = _shared_links(batch, "giftcard", int(giftcard.sum()))
    channel[giftcard] = CARD
    memo = batch.memos.draw(rng, "sextortion", m, 0.7)
    batch.pay(rows[owner], recipient, day, usd, channel, memo, profile="evening",
              night=rng.beta(3, 4, n)[owner], rounding=0.7)

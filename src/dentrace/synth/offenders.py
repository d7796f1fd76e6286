"""Offenders paying facilitators for live-streamed abuse: one-off, steady, escalating and heavy
buyers, paying small often-round sums days apart to several shared facilitator accounts.

Figures follow /work/shared/domain/indicators.md (AIC T&I 589/634/639, AUSTRAC, FATF).
"""

from __future__ import annotations

import numpy as np

from dentrace.contract.schema import CHANNELS
from dentrace.synth.batch import Batch, amounts
from dentrace.synth.institution import AUD_PER_USD
from dentrace.synth.ledger import expand, running_sum
from dentrace.synth.remitters import support_partners

OFFENDER_OPTIONS = {0: {"remittance": 0.6, "transfer": 0.2, "wire": 0.2},
                    1: {"wallet": 0.6, "remittance": 0.4}, 2: {"crypto": 1.0}}
# Mean days between payments at the start, per kind (one-off, steady, escalating, heavy).
FIRST_GAP = ((2, 40), (7, 30), (6, 18), (1.5, 4))
# How far the gaps shrink by the last payment (1 = not at all).
GAP_SHRINK = ((1, 1), (0.7, 1), (0.25, 0.6), (0.3, 0.7))
# Median A$ per payment at the start; AIC: prolific buyers typically < A$55, median A$51.
MEDIAN_AUD = (52.0, 44.0, 38.0, 32.0)  # escalation lifts the overall median to ~A$50
ESCALATION = ((0, 0.3), (0, 0.6), (0.6, 2.0), (0.3, 1.5))
CARD = CHANNELS.index("card")
EVEN_SUMS = (0.1, 0.3, 0.4, 0.2)  # FATF: often "even-denominated" amounts


def offenders(batch: Batch) -> None:
    """Payments to facilitators, plus cover card spend (webcam, VPN, flights) for some."""
    rows = batch.rows("offender")
    if len(rows) == 0:
        return
    plan = batch.plan.offenders
    index = {int(c): i for i, c in enumerate(plan.customer)}
    which = np.array([index[int(batch.numbers[r])] for r in rows])
    _facilitator_payments(batch, rows, which)
    _cover_spend(batch, rows)
    # Some offenders also support a partner abroad, an honest-looking stream of their own.
    support_partners(batch, rows[batch.rng.random(len(rows)) < 0.15])


def _schedule(batch: Batch, kind: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, ...]:
    """Owner, index within owner, progress 0-1 and day of every payment, fitted into the year."""
    rng = batch.rng
    n = len(kind)
    owner, k = expand(count)
    lo = np.array([FIRST_GAP[c][0] for c in kind])
    hi = np.array([FIRST_GAP[c][1] for c in kind])
    g0 = rng.uniform(lo, hi) * batch.plan.style.get("offender_gap", 1.0)
    s_lo = np.array([GAP_SHRINK[c][0] for c in kind])
    s_hi = np.array([GAP_SHRINK[c][1] for c in kind])
    shrink = rng.uniform(s_lo, s_hi)
    progress = k / np.maximum(count[owner] - 1, 1)
    gaps = g0[owner] * shrink[owner] ** progress * rng.exponential(1.0, len(owner))
    gaps[k == 0] = 0
    offset = running_sum(gaps, owner)
    span = np.zeros(n)
    np.maximum.at(span, owner, offset)
    start = rng.uniform(0, np.maximum(batch.days - 1 - span, 0) + 1) * (span < batch.days)
    fit = np.minimum(1.0, (batch.days - 1 - start) / np.maximum(span, 1))
    day = np.floor(start[owner] + offset * fit[owner]).astype(np.int32)
    return owner, k, progress, day


def _facilitator_payments(batch: Batch, rows: np.ndarray, which: np.ndarray) -> None:
    rng = batch.rng
    plan = batch.plan.offenders
    kind, count = plan.kind[which], plan.count[which]
    n = len(rows)
    owner, _, progress, day = _schedule(batch, kind, count)
    m = len(owner)
    fac_pos = batch.plan.shared.groups["facilitator"]
    links = [fac_pos[plan.links[w]] for w in which]
    favourite = [rng.dirichlet(np.full(len(lk), 0.6)) for lk in links]
    recipient = np.empty(m, dtype=np.int64)
    for i, lk in enumerate(links):
        sel = np.flatnonzero(owner == i)
        first = sel[: len(lk)]  # every linked account is paid at least once
        recipient[first] = lk[rng.permutation(len(lk))[: len(first)]]
        rest = sel[len(lk):]
        recipient[rest] = lk[rng.choice(len(lk), size=len(rest), p=favourite[i])]
    esc_lo = np.array([ESCALATION[c][0] for c in kind])
    esc_hi = np.array([ESCALATION[c][1] for c in kind])
    escalation = rng.uniform(esc_lo, esc_hi)
    style = batch.plan.style
    median = (np.array([MEDIAN_AUD[c] for c in kind]) * rng.lognormal(0, 0.3, n)
              * style.get("offender_amount", 1.0))
    aud = median[owner] * (1 + escalation[owner] * progress) * rng.lognormal(0, 0.45, m)
    aud[rng.random(m) < 0.03] *= rng.uniform(3, 8)  # an occasional bigger 'package'
    usd = np.clip(aud, 10, 1500) / AUD_PER_USD
    kinds = batch.kinds_of(recipient)
    channel = batch.channels(kinds, OFFENDER_OPTIONS)
    habit = rng.random(n) < 0.7  # most keep to the channel they started with
    for j in np.flatnonzero(habit):
        sel = np.flatnonzero((owner == j) & (kinds == kinds[owner == j][0]))
        channel[sel] = channel[sel[0]]
    daytime = rng.random(n) < style.get("offender_daytime_share", 0.3)
    night = np.where(daytime, rng.beta(1, 10, n), rng.beta(2.5, 3, n))
    rounding = rng.uniform(0.35, 0.9, n)
    p_empty = style.get("offender_memo_empty", 0.5)
    memo = batch.memos.draw(rng, "cover", m, p_empty, batch.countries_of(recipient))
    batch.pay(rows[owner], recipient, day, usd, channel, memo, profile="evening",
              night=night[owner], rounding=rounding[owner], round_weights=EVEN_SUMS)


def _cover_spend(batch: Batch, rows: np.ndarray) -> None:
    """Webcam platforms, VPN subscriptions and flights to the Philippines for some offenders."""
    rng = batch.rng
    g = batch.plan.shared.groups
    n = len(rows)
    cam = np.flatnonzero(rng.random(n) < 0.4)
    owner, _ = expand(rng.poisson(rng.lognormal(np.log(12), 0.8, len(cam))))
    m = len(owner)
    batch.pay(rows[cam[owner]], g["platform"][rng.integers(0, len(g["platform"]), m)],
              rng.integers(0, batch.days, m), rng.choice([9.99, 19.99, 24.99, 49.99], size=m),
              CARD, np.full(m, None, dtype=object), profile="evening", night=0.4)
    vpn = np.flatnonzero(rng.random(n) < 0.3)
    owner, _ = expand(np.full(len(vpn), 12))
    m = len(owner)
    day = rng.integers(0, 30, len(vpn))[owner] + 30 * (np.arange(m) % 12)
    batch.pay(rows[vpn[owner]], g["vpn"][rng.integers(0, len(g["vpn"]), len(vpn))][owner], day,
              np.full(m, 11.99), CARD, np.full(m, None, dtype=object), night=0.2)
    fly = np.flatnonzero(rng.random(n) < 0.12)
    airline = g["airline"]
    to_ph = airline[batch.countries_of(airline) == "PH"]
    k = len(fly)
    batch.pay(rows[fly], to_ph[rng.integers(0, len(to_ph), k)], rng.integers(0, batch.days, k),
              amounts(rng, 800.0, 0.35, k, 300, 3000), CARD, np.full(k, None, dtype=object))

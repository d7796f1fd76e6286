"""The in-memory ledger of one batch: the parties it knows and the payments drawn so far.

Populations add parties and payments as numpy arrays; the writer turns them into files.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# Hours of the 22:00-05:00 window, most activity just before and after midnight.
NIGHT_HOURS = np.array([22, 23, 0, 1, 2, 3, 4])
NIGHT_WEIGHTS = np.array([0.24, 0.23, 0.18, 0.13, 0.10, 0.07, 0.05])


def _hours(weights: dict[int, float]) -> np.ndarray:
    w = np.array([weights.get(h, 0.0) for h in range(24)], dtype=float)
    return w / w.sum()


# Daytime profiles (the night window is drawn separately with a per-payer night share).
HOUR_PROFILES = {
    "day": _hours({7: 2, 8: 4, 9: 5, 10: 6, 11: 6, 12: 8, 13: 7, 14: 6, 15: 6, 16: 6, 17: 7,
                   18: 8, 19: 9, 20: 9, 21: 7}),
    "evening": _hours({6: 2, 7: 3, 8: 3, 12: 4, 13: 3, 17: 6, 18: 8, 19: 10, 20: 11, 21: 10}),
    "business": _hours({8: 6, 9: 10, 10: 12, 11: 12, 12: 8, 13: 10, 14: 12, 15: 12, 16: 10,
                        17: 6}),
    "batch": _hours({1: 3, 2: 6, 3: 6, 4: 4, 5: 3, 6: 2, 9: 2, 10: 2}),
}
ROUND_UNITS = np.array([0.0, 1.0, 5.0, 10.0, 50.0])  # code 0 keeps the cents


@dataclass
class Parties:
    """Parties of a batch in registry order; truth attributes ride along."""

    ids: list[np.ndarray] = field(default_factory=list)
    names: list[np.ndarray] = field(default_factory=list)
    countries: list[np.ndarray] = field(default_factory=list)
    roles: list[np.ndarray] = field(default_factory=list)
    populations: list[np.ndarray] = field(default_factory=list)
    positive: list[np.ndarray] = field(default_factory=list)
    groups: list[np.ndarray] = field(default_factory=list)
    kinds: list[np.ndarray] = field(default_factory=list)
    size: int = 0

    def add(self, ids: list[str] | np.ndarray, names: np.ndarray, countries: np.ndarray | str,
            role: str, population: str | np.ndarray, positive: bool = False,
            groups: np.ndarray | None = None, kinds: np.ndarray | int = 0) -> np.ndarray:
        """Append parties and return their registry indices."""
        n = len(ids)
        self.ids.append(np.asarray(ids, dtype=object))
        self.names.append(np.asarray(names, dtype=object))
        self.countries.append(np.broadcast_to(np.asarray(countries, dtype=object), (n,)).copy())
        self.roles.append(np.full(n, role, dtype=object))
        self.populations.append(np.broadcast_to(np.asarray(population, dtype=object),
                                                (n,)).copy())
        self.positive.append(np.full(n, positive, dtype=bool))
        self.groups.append(np.full(n, None, dtype=object) if groups is None
                           else np.asarray(groups, dtype=object))
        self.kinds.append(np.broadcast_to(np.asarray(kinds, dtype=np.int8), (n,)).copy())
        start = self.size
        self.size += n
        return np.arange(start, start + n, dtype=np.int64)

    def column(self, name: str) -> np.ndarray:
        parts: list[np.ndarray] = getattr(self, name)
        return np.concatenate(parts) if parts else np.empty(0, dtype=object)

    def extend(self, other: Parties) -> None:
        """Append every party of ``other`` (used to seed a batch with the world's pools)."""
        for name in ("ids", "names", "countries", "roles", "populations", "positive", "groups",
                     "kinds"):
            getattr(self, name).extend(getattr(other, name))
        self.size += other.size


@dataclass
class Payments:
    """Payments of a batch as parallel arrays (local day, local second, US$ amount, ...)."""

    chunks: list[dict[str, np.ndarray]] = field(default_factory=list)

    def add(self, sender: np.ndarray, beneficiary: np.ndarray, day: np.ndarray,
            second: np.ndarray, usd: np.ndarray, round_code: np.ndarray,
            channel: np.ndarray | int,
            memo: np.ndarray, tz: np.ndarray) -> None:
        n = len(sender)
        if n == 0:
            return
        cols = {"sender": sender, "beneficiary": beneficiary, "day": day, "second": second,
                "usd": usd, "round_code": round_code, "channel": channel, "memo": memo, "tz": tz}
        self.chunks.append({k: np.broadcast_to(np.asarray(v), (n,)) for k, v in cols.items()})

    def column(self, name: str) -> np.ndarray:
        return np.concatenate([c[name] for c in self.chunks])

    def __len__(self) -> int:
        return sum(len(c["sender"]) for c in self.chunks)


def expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For per-owner counts: the owner position of each item and its index within the owner."""
    counts = np.asarray(counts, dtype=np.int64)
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    return owner, np.arange(len(owner)) - np.repeat(starts, counts)


def running_sum(gaps: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """Running sum of gaps within each owner's run (an owner's items are contiguous)."""
    if len(owner) == 0:
        return np.zeros(0)
    total = np.cumsum(gaps)
    first = np.r_[0, np.flatnonzero(np.diff(owner)) + 1]
    starts = np.repeat(total[first] - gaps[first], np.diff(np.r_[first, len(owner)]))
    return total - starts


def seconds_of_day(rng: np.random.Generator, n: int, profile: str,
                   night_share: np.ndarray | float) -> np.ndarray:
    """Local seconds after midnight: a daytime profile, or the night window with night_share."""
    night = rng.random(n) < night_share
    hours = rng.choice(24, size=n, p=HOUR_PROFILES[profile])
    hours[night] = rng.choice(NIGHT_HOURS, size=int(night.sum()), p=NIGHT_WEIGHTS)
    return (hours * 3600 + rng.integers(0, 3600, n)).astype(np.int32)


ROUND_WEIGHTS = (0.2, 0.35, 0.35, 0.1)  # of rounding to 1, 5, 10 and 50 units


def round_codes(rng: np.random.Generator, n: int, share: np.ndarray | float,
                weights: tuple[float, ...] = ROUND_WEIGHTS) -> np.ndarray:
    """Per payment: 0 keeps the cents, 1-4 round to 1/5/10/50 currency units."""
    codes = rng.choice([1, 2, 3, 4], size=n, p=weights).astype(np.int8)
    codes[rng.random(n) >= share] = 0
    return codes


def weekday_shift(days: np.ndarray, first_weekday: int) -> np.ndarray:
    """Move days falling on a weekend back to the Friday before (for business payments)."""
    weekday = (days + first_weekday) % 7
    shifted = days - np.where(weekday == 5, 1, 0) - np.where(weekday == 6, 2, 0)
    return np.maximum(shifted, 0)


def pick_channels(rng: np.random.Generator, kinds: np.ndarray, options: dict[int, dict[str, float]],
                  mix: tuple[float, ...], channels: tuple[str, ...]) -> np.ndarray:
    """One channel code per link, from per-account-kind options weighted by the institution."""
    out = np.zeros(len(kinds), dtype=np.int8)
    for kind, choices in options.items():
        rows = np.flatnonzero(kinds == kind)
        if len(rows) == 0:
            continue
        codes = np.array([channels.index(c) for c in choices])
        w = np.array([choices[c] * mix[channels.index(c)] for c in choices]) + 1e-9
        out[rows] = rng.choice(codes, size=len(rows), p=w / w.sum())
    return out

"""The reporting institution of a synthetic world: home country, currency, time zones, channel mix.

One profile is drawn per seed, so worlds differ in where and how their customers pay.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from dentrace.contract.schema import CHANNELS

# Approximate units of each currency per US dollar (2025); only ratios matter here.
PER_USD = {"USD": 1.0, "AUD": 1.52, "GBP": 0.79, "CAD": 1.37, "SEK": 10.5, "EUR": 0.92}
AUD_PER_USD = PER_USD["AUD"]


@dataclass(frozen=True)
class HomeCountry:
    """Fixed facts of a home country the institution can sit in."""

    country: str
    currency: str
    time_zones: tuple[str, ...]
    tz_weights: tuple[float, ...]
    pay_cycle_days: int  # usual salary period
    company_suffix: str
    diaspora: dict[str, float]  # origin country -> weight among remitting families
    minorities: dict[str, float]  # naming culture origin -> share among other customers


HOMES: dict[str, HomeCountry] = {
    "AU": HomeCountry("AU", "AUD", ("Australia/Sydney", "Australia/Melbourne",
                                    "Australia/Brisbane", "Australia/Perth", "Australia/Adelaide"),
                      (0.34, 0.30, 0.18, 0.10, 0.08), 14, "Pty Ltd",
                      {"PH": 0.30, "IN": 0.18, "VN": 0.12, "CN": 0.10, "TH": 0.08, "ID": 0.08,
                       "CO": 0.04, "MY": 0.05, "NG": 0.02, "RO": 0.03},
                      {"PH": 0.03, "IN": 0.05, "CN": 0.05, "VN": 0.03, "GB": 0.04, "AE": 0.02}),
    "US": HomeCountry("US", "USD", ("America/New_York", "America/Chicago", "America/Denver",
                                    "America/Los_Angeles", "America/Phoenix"),
                      (0.45, 0.25, 0.06, 0.20, 0.04), 14, "LLC",
                      {"MX": 0.22, "PH": 0.22, "IN": 0.14, "CO": 0.10, "DO": 0.10, "VN": 0.08,
                       "NG": 0.05, "CN": 0.05, "TH": 0.04},
                      {"MX": 0.08, "PH": 0.03, "IN": 0.03, "CN": 0.03, "NG": 0.01, "VN": 0.02}),
    "GB": HomeCountry("GB", "GBP", ("Europe/London",), (1.0,), 30, "Ltd",
                      {"IN": 0.22, "PH": 0.15, "NG": 0.15, "PL": 0.12, "RO": 0.12, "GH": 0.08,
                       "CN": 0.06, "TH": 0.05, "VN": 0.05},
                      {"IN": 0.05, "PL": 0.04, "NG": 0.03, "RO": 0.03, "PH": 0.02, "AE": 0.02}),
    "CA": HomeCountry("CA", "CAD", ("America/Toronto", "America/Vancouver", "America/Edmonton",
                                    "America/Halifax", "America/Winnipeg"),
                      (0.50, 0.22, 0.14, 0.07, 0.07), 14, "Inc.",
                      {"PH": 0.28, "IN": 0.25, "CN": 0.12, "VN": 0.08, "CO": 0.07, "UA": 0.06,
                       "NG": 0.05, "TH": 0.04, "DO": 0.05},
                      {"IN": 0.06, "CN": 0.05, "PH": 0.04, "UA": 0.02, "VN": 0.02, "AE": 0.02}),
    "SE": HomeCountry("SE", "SEK", ("Europe/Stockholm",), (1.0,), 30, "AB",
                      {"TH": 0.22, "PH": 0.15, "PL": 0.12, "RO": 0.10, "VN": 0.08, "IN": 0.08,
                       "UA": 0.10, "CO": 0.05, "NG": 0.05, "AE": 0.05},
                      {"AE": 0.06, "PL": 0.03, "TH": 0.02, "UA": 0.02, "RO": 0.02, "IN": 0.02}),
    "DE": HomeCountry("DE", "EUR", ("Europe/Berlin",), (1.0,), 30, "GmbH",
                      {"PL": 0.18, "RO": 0.18, "UA": 0.12, "TH": 0.10, "PH": 0.10, "VN": 0.08,
                       "IN": 0.08, "NG": 0.06, "CO": 0.05, "GH": 0.05},
                      {"PL": 0.05, "RO": 0.04, "AE": 0.05, "UA": 0.03, "VN": 0.02, "TH": 0.01}),
}

_KINDS = ("high-street bank", "digital bank", "credit union")
# Channel propensity per institution kind, multiplied into every population's own channel mix.
_KIND_MIX = {
    "high-street bank": (1.0, 1.0, 0.6, 0.5, 1.0, 0.1, 0.05),
    "digital bank": (1.0, 0.5, 0.9, 1.2, 1.1, 0.6, 0.0),
    "credit union": (1.0, 0.8, 0.5, 0.3, 1.0, 0.05, 0.1),
}


@dataclass(frozen=True)
class Institution:
    """The one institution whose payments a world holds."""

    name: str
    kind: str
    home: HomeCountry
    channel_mix: tuple[float, ...]  # one weight per contract channel, in CHANNELS order
    uppercase_names: bool  # some core systems store names in capitals
    start: date
    days: int

    @property
    def currency(self) -> str:
        return self.home.currency

    @property
    def per_usd(self) -> float:
        return PER_USD[self.home.currency]

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days - 1)

    def describe(self) -> dict[str, Any]:
        """A JSON-ready description for world.json."""
        home = asdict(self.home)
        return {
            "name": self.name, "kind": self.kind, "country": self.home.country,
            "currency": self.currency, "time_zones": dict(zip(home["time_zones"],
                                                              home["tz_weights"], strict=True)),
            "channel_mix": {c: round(w, 3) for c, w in zip(CHANNELS, self.channel_mix,
                                                             strict=True)},
            "uppercase_names": self.uppercase_names, "salary_cycle_days": home["pay_cycle_days"],
            "diaspora_origins": home["diaspora"],
        }


def draw_institution(rng: np.random.Generator) -> Institution:
    """Pick a home country, kind, channel mix and year window for one world."""
    country = str(rng.choice(sorted(HOMES)))
    kind = str(rng.choice(_KINDS))
    noise = rng.lognormal(0.0, 0.25, len(CHANNELS))
    mix = tuple(float(round(b * n, 4)) for b, n in zip(_KIND_MIX[kind], noise, strict=True))
    first = str(rng.choice(("Harbour", "Meridian", "Southern", "Northgate", "Unity", "Civic")))
    last = {"high-street bank": "Bank", "digital bank": "Money", "credit union": "Mutual"}[kind]
    start = date(2024, 1, 1) + timedelta(days=int(rng.integers(0, 12)) * 30)
    start = start.replace(day=1)
    return Institution(name=f"{first} {last}", kind=kind, home=HOMES[country],
                       channel_mix=mix, uppercase_names=bool(rng.random() < 0.35),
                       start=start, days=365)


def offset_table(inst: Institution) -> np.ndarray:
    """UTC offsets in minutes, one row per time zone and one column per day (at local noon)."""
    table = np.zeros((len(inst.home.time_zones), inst.days), dtype=np.int16)
    for z, name in enumerate(inst.home.time_zones):
        zone = ZoneInfo(name)
        for d in range(inst.days):
            day = inst.start + timedelta(days=d)
            noon = datetime(day.year, day.month, day.day, 12, tzinfo=zone)
            offset = noon.utcoffset()
            table[z, d] = int(offset.total_seconds() // 60) if offset is not None else 0
    return table


def offset_text(minutes: int) -> str:
    """'+10:00' style text for an offset in minutes."""
    sign = "+" if minutes >= 0 else "-"
    m = abs(minutes)
    return f"{sign}{m // 60:02d}:{m % 60:02d}"

"""The tunable vocabulary of the feature table: corridor countries, amount band, night hours,
memo and merchant keyword families. Defaults follow docs/indicators.md; a config overrides.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from dentrace.errors import ConfigError
from dentrace.features.normalise import CHANNEL_ALIASES

# Approximate units of US$ per unit of each reporting currency, only to place the small band
# (≈ US$10–150) in the workspace's reporting currency; the band is coarse, so are the rates.
USD_PER_UNIT = {
    "USD": 1.0, "AUD": 0.66, "CAD": 0.73, "NZD": 0.60, "GBP": 1.27, "EUR": 1.08, "CHF": 1.12,
    "SEK": 0.095, "NOK": 0.094, "DKK": 0.145, "JPY": 0.0067, "SGD": 0.74, "HKD": 0.128,
    "PHP": 0.0175, "THB": 0.028, "MXN": 0.055, "INR": 0.012, "ZAR": 0.054, "PLN": 0.25,
}


# word boundaries that DuckDB (RE2) and Spark (java.util.regex) read alike, and as Python's
# ``\b`` reads text: RE2's ``\b`` counts only ASCII letters as word characters, so in DuckDB
# 'martínez' held the organisation word 'mart' and Spark's did not (a payment without a
# channel to a Martínez was no corridor payment in one engine only)
ENGINE_BOUNDARY = (r"(?:^|[^\p{L}\p{N}_])", r"(?:[^\p{L}\p{N}_]|$)")


@dataclass(frozen=True)
class FeatureSettings:
    """Everything the feature table needs to know besides the data."""

    corridor_countries: tuple[str, ...] = (
        "PH", "TH", "ID", "VN", "KH", "MY", "CO", "DO", "MX", "RO", "UA", "GH", "NG", "JM",
        "RU", "LA", "MM", "KE", "BR", "PE",
    )
    # channels never counted as corridor payments (card spend abroad is travel, not a transfer)
    corridor_excluded_channels: tuple[str, ...] = ("card",)
    small_band_usd: tuple[float, float] = (10.0, 150.0)
    # typical price of one session: A$51 median (AIC T&I 639), prolific buyers < A$55 (T&I 634)
    session_max_usd: float = 60.0
    night_start_hour: int = 22
    night_end_hour: int = 5
    round_unit: float = 10.0
    recent_days: int = 90
    cover_memo_words: tuple[str, ...] = (
        "school", "tuition", "uniform", "fees", "medical", "medicine", "hospital", "doctor",
        "gift", "birthday", "treat", "allowance", "accommodation", "rent", "support", "help",
        "food", "grocer", "bills", "invoice", "expenses", "load", "emergency", "pasalubong",
    )
    platform_memo_words: tuple[str, ...] = (
        "@", "skype", "telegram", "whatsapp", "viber", "kik", "snap", "snapchat", "wickr",
        "signal", "discord", "wechat", "line id", "handle", "username", "tg:", "ig:", "fb:",
    )
    kin_memo_words: tuple[str, ...] = (
        "mom", "mum", "mother", "mama", "nanay", "inay", "dad", "father", "papa", "tatay",
        "son", "daughter", "wife", "husband", "brother", "sister", "lola", "lolo", "family",
        "kuya", "ate", "tita", "tito", "cousin", "nephew", "niece", "parents",
    )
    webcam_merchant_words: tuple[str, ...] = (
        "webcam", "webcams", "cam4", "cams", "camsoda", "livejasmin", "stripchat", "chaturbate",
        "bongacams", "myfreecams", "onlyfans", "live stream", "livestream", "cam show", "vpn",
        "nordvpn", "expressvpn", "surfshark", "proxy", "mspy", "flexispy", "spyware",
        "screen recorder", "bandicam", "video capture",
    )
    travel_merchant_words: tuple[str, ...] = (
        "airline", "airlines", "airways", "airasia", "air asia", "cebu pacific", "jetstar",
        "qantas", "emirates", "flight", "flights", "hotel", "hotels", "resort", "hostel",
        "booking.com", "agoda", "expedia", "airbnb", "travel",
    )
    surname_min_length: int = 3
    # words of an organisation's name (used only for payments whose channel is unknown)
    organisation_words: tuple[str, ...] = (
        "foundation", "trust", "fund", "charity", "charities", "ministries", "church",
        "mission", "sponsorship", "children", "kids", "intl", "international", "association",
        "society", "school", "university", "hospital", "airways", "airlines", "airline", "air",
        "travel", "hotel", "resort", "ltd", "llc", "inc", "corp", "corporation", "company",
        "plc", "gmbh", "bv", "pty", "pte", "sdn bhd", "s.a.", "limited", "services", "trading",
        "store", "shop", "mart", "restaurant",
    )
    # other institutions' channel words -> contract channel; a config's table extends it
    channel_aliases: dict[str, str] = field(default_factory=lambda: dict(CHANNEL_ALIASES))

    @classmethod
    def from_mapping(cls, values: dict[str, Any] | None, source: str = "config") -> FeatureSettings:
        """Build from a config table, refusing unknown keys with the file and key named."""
        values = dict(values or {})
        known = {f.name: f for f in fields(cls)}
        kwargs: dict[str, Any] = {}
        for key, value in values.items():
            if key not in known:
                raise ConfigError(f"{source}: [features] has no setting '{key}'")
            kwargs[key] = tuple(value) if isinstance(value, list) else value
        if "channel_aliases" in kwargs:
            kwargs["channel_aliases"] = _aliases(kwargs["channel_aliases"], source)
        settings = cls(**kwargs)
        lo, hi = settings.small_band_usd
        if not 0 <= lo < hi:
            raise ConfigError(f"{source}: [features] small_band_usd must be [low, high], low<high")
        return settings

    def small_band(self, currency: str) -> tuple[float, float]:
        """The small band expressed in ``currency``."""
        rate = usd_per_unit(currency)
        lo, hi = self.small_band_usd
        return lo / rate, hi / rate

    def session_max(self, currency: str) -> float:
        """The typical session price ceiling expressed in ``currency``."""
        return self.session_max_usd / usd_per_unit(currency)

    @staticmethod
    def pattern(words: tuple[str, ...], engines: bool = False) -> str:
        """A regular expression (for lower-cased text) matching any of ``words`` as whole words:
        for Python's ``re``, or with ``engines`` for the SQL engines (ENGINE_BOUNDARY)."""
        import re

        before, after = ENGINE_BOUNDARY if engines else (r"\b", r"\b")
        parts = []
        for word in words:
            body = re.escape(word.lower())
            start = before if word[:1].isalnum() else ""
            end = after if word[-1:].isalnum() else ""
            parts.append(f"{start}{body}{end}")
        return "|".join(parts)


def usd_per_unit(currency: str) -> float:
    """US$ per unit of ``currency``: the coarse table above, else the shipped rates table
    (a KRW or IDR workspace must not get a band in 'US$'), else 1."""
    code = currency.upper()
    if code in USD_PER_UNIT:
        return USD_PER_UNIT[code]
    from dentrace.ingest.rates import load_rates

    return load_rates().to_usd.get(code, 1.0)


def _aliases(value: Any, source: str) -> dict[str, str]:
    """The default channel aliases extended by a config table of word = contract channel."""
    if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ConfigError(f"{source}: [features] channel_aliases must be a table of "
                          "word = channel")
    return {**CHANNEL_ALIASES, **{k.strip().lower(): v.strip().lower() for k, v in value.items()}}


def reporting_currency(con: Any) -> str:
    """The workspace's reporting currency from the ``meta`` table (USD when absent)."""
    try:
        rows = con.execute("SELECT value FROM meta WHERE key = 'reporting_currency'").fetchall()
    except Exception:  # a hand-made warehouse may lack meta; USD is the documented default
        return "USD"
    return str(rows[0][0]).upper() if rows and rows[0][0] else "USD"

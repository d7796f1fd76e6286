"""Exchange rates to USD: the dated table shipped with dentrace or one the user supplies.

Amounts convert to the workspace's reporting currency as amount × rate[currency] / rate[ref].
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from dentrace.errors import ConfigError, InputError

DEFAULT_REPORTING_CURRENCY = "USD"


@dataclass(frozen=True)
class Rates:
    """A rates table: USD per one unit of each currency, with its as-of date and source."""

    to_usd: dict[str, float]
    as_of: str
    source: str

    def convert_factor(self, currency: str, reporting: str) -> float:
        """The factor turning an amount in ``currency`` into ``reporting``."""
        return self.to_usd[currency] / self.to_usd[reporting]

    def check_reporting(self, reporting: str) -> str:
        """``reporting`` upper-cased, or ConfigError when the table has no rate for it."""
        code = reporting.strip().upper()
        if code not in self.to_usd:
            raise ConfigError(
                f"reporting currency '{reporting}' is not in the rates table ({self.source})"
            )
        return code


def load_rates(path: Path | None = None) -> Rates:
    """Read a rates CSV (``currency,rate_to_usd[,as_of]``); without a path, the shipped table."""
    if path is None:
        text = resources.files("dentrace.ingest").joinpath("data/rates.csv").read_text("utf-8")
        return _parse(text.splitlines(), "dentrace default rates")
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the rates file ({exc})", file=path) from exc
    return _parse(text.splitlines(), str(path))


def _parse(lines: list[str], source: str) -> Rates:
    reader = csv.DictReader(lines)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    for needed in ("currency", "rate_to_usd"):
        if needed not in header:
            raise InputError(f"rates file lacks the column '{needed}'", file=source, field=needed)
    reader.fieldnames = header
    to_usd: dict[str, float] = {}
    dates: list[str] = []
    for line, row in enumerate(reader, start=2):
        code = (row.get("currency") or "").strip().upper()
        try:
            rate = float((row.get("rate_to_usd") or "").strip())
        except ValueError:
            rate = math.nan
        if not code or not math.isfinite(rate) or rate <= 0:
            raise InputError("needs a currency code and a positive rate_to_usd",
                             file=source, row=line, field="rate_to_usd")
        to_usd[code] = rate
        if (row.get("as_of") or "").strip():
            dates.append(str(row["as_of"]).strip())
    if not to_usd:
        raise InputError("rates file has no rates", file=source)
    return Rates(to_usd=to_usd, as_of=max(dates) if dates else "undated", source=source)

"""What an indicator is (code, roles, description, parameters, source; strength, explanation and
evidence), the registry every indicator — built-in or plug-in — is added to, and ramp helpers."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from dentrace.features.rows import FeatureRows
from dentrace.features.settings import FeatureSettings

Params = Mapping[str, Any]


@dataclass(frozen=True)
class Context:
    """What an explanation or evidence query may need beyond the feature row."""

    currency: str = "USD"
    small_band: tuple[float, float] = (10.0, 150.0)
    night_hours: tuple[int, int] = (FeatureSettings.night_start_hour,
                                    FeatureSettings.night_end_hour)
    countries: Mapping[str, str] = field(default_factory=dict)  # party -> main corridor country
    dens: Mapping[str, str] = field(default_factory=dict)  # facilitator -> den id
    known_offenders: tuple[str, ...] = ()
    known_facilitators: tuple[str, ...] = ()
    # party -> (other institutions flagging it, of them confirmed by a case): issue 21
    shared: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    # second-hand links (KNOWN_LINK's evidence): corridor beneficiaries the known offenders
    # pay, and payers of the known facilitators
    known_offender_beneficiaries: frozenset[str] = frozenset()
    known_facilitator_payers: frozenset[str] = frozenset()


class Indicator(ABC):
    """One published indicator: a 0–1 strength per party, explained with its values."""

    code: ClassVar[str]
    roles: ClassVar[tuple[str, ...]]
    description: ClassVar[str]
    source: ClassVar[str]
    parameters: ClassVar[dict[str, str]]  # name -> meaning; values live in indicators.toml

    @abstractmethod
    def strength(self, features: FeatureRows, role: str, params: Params) -> np.ndarray:
        """Strength in [0, 1] per row of ``features`` (the role's feature rows: the scan's
        table or screening's live rows, read the same way through ``column``)."""

    @abstractmethod
    def explain(self, row: pd.Series, role: str, params: Params, context: Context,
                party_id: str) -> str:
        """One plain-language sentence with the values behind the strength."""

    @abstractmethod
    def evidence(self, payments: ir.Table, role: str, context: Context) -> ir.BooleanValue:
        """Which of the party's flagged payments are behind the indicator."""

    def holds(self, features: FeatureRows, role: str, params: Params) -> np.ndarray | None:
        """Per row, whether what the sentence asserts is there: the indicator is given as a
        reason only then (its strength, and so the score, is unchanged). None: whenever the
        strength reaches the reason threshold."""
        return None


REGISTRY: dict[str, Indicator] = {}


def register(cls: type[Indicator]) -> type[Indicator]:
    """Class decorator: add an indicator to the catalogue (codes are unique)."""
    if cls.code in REGISTRY and type(REGISTRY[cls.code]) is not cls:
        raise ValueError(f"indicator code {cls.code} is registered twice")
    REGISTRY[cls.code] = cls()
    return cls


def column(features: FeatureRows, name: str) -> np.ndarray:
    """A feature column as floats, NaN (does not apply) when the rows lack it."""
    return features.column(name)


def ramp(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """0 at or below ``low``, 1 at or above ``high``, linear between; NaN counts as 0."""
    x = np.asarray(values, dtype="float64")
    # fmax/fmin take the number over NaN: clip and NaN -> 0 in two ufuncs, at a fraction of
    # np.clip's cost on the few-row frames of real-time screening
    return np.fmin(np.fmax((x - low) / max(high - low, 1e-9), 0.0), 1.0)


def money(context: Context, value: float) -> str:
    """An amount in the reporting currency, e.g. 'AUD 48'."""
    return f"{context.currency} {value:,.0f}" if np.isfinite(value) else f"{context.currency} ?"


def key_of(payments: ir.Table, role: str) -> ir.StringValue:
    """The column naming the party of ``role`` in a payment."""
    return payments.sender_id if role == "payer" else payments.beneficiary_id


PROFILE_PARAMETERS = {
    "escalation_low": "mean amount rank correlation of the payers where the part starts",
    "escalation_high": "mean rank correlation giving the escalation part full strength",
    "rate_low": "mean corridor payments per 30 days of the payers where the part starts",
    "rate_high": "mean rate giving the rate part full strength",
    "rotation_low": "mean new-beneficiary rate of the payers where the part starts",
    "rotation_high": "mean new-beneficiary rate giving the rotation part full strength",
}


def buyer_profile(escalation: np.ndarray, rate: np.ndarray, rotation: np.ndarray,
                  params: Params) -> np.ndarray:
    """Mean of three 0–1 parts: payers escalate, pay often, rotate recipients (AIC, FINTRAC)."""
    parts = [
        ramp(escalation, params["escalation_low"], params["escalation_high"]),
        ramp(rate, params["rate_low"], params["rate_high"]),
        ramp(rotation, params["rotation_low"], params["rotation_high"]),
    ]
    return np.mean(parts, axis=0)

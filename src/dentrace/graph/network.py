"""Network features per payer and facilitator from the (payer, beneficiary) pair table: fan-in
of unrelated small payers, payers shared with other suspects, known-label links and dens."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import pandas as pd

from dentrace.errors import ConfigError
from dentrace.graph.dens import find_dens
from dentrace.graph.propagation import propagate_known

PAYER_NETWORK_COLUMNS = [
    "pays_fan_in_max", "pays_fan_in_mean", "fan_in_beneficiaries", "pays_den_max",
    "known_facilitators_paid", "known_offender_co_payers", "known_risk",
]
FACILITATOR_NETWORK_COLUMNS = [
    "payers_other_suspects_mean", "payers_other_suspects_share", "known_offender_payers",
    "known_facilitator_neighbours", "den_size", "shared_payer_facilitators", "known_risk",
]


@dataclass(frozen=True)
class GraphSettings:
    """Thresholds of the graph evidence."""

    min_fan_in: int = 3  # unrelated small corridor payers that make a beneficiary a suspect
    min_shared_payers: int = 2  # shared payers that link two facilitators in the projection
    max_beneficiaries_per_payer: int = 60  # payers above this are left out of the projection
    damping: float = 0.85
    folds: int = 5

    @classmethod
    def from_mapping(cls, values: dict[str, Any] | None, source: str = "config") -> GraphSettings:
        known = {f.name for f in fields(cls)}
        for key in values or {}:
            if key not in known:
                raise ConfigError(f"{source}: [graph] has no setting '{key}'")
        return cls(**(values or {}))


def _fan_in(corridor: pd.DataFrame, settings: GraphSettings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Payer side: fan-in of the beneficiaries it pays; facilitator side: its payers' suspects."""
    unrelated = corridor["pair_unrelated_small"].astype("int64")
    fan = unrelated.groupby(corridor["beneficiary_id"]).transform("sum")
    others = fan - unrelated  # the payer itself never counts towards its own evidence
    pairs = corridor.assign(others=others, suspect=others >= settings.min_fan_in)
    payer = pairs.groupby("sender_id").agg(
        pays_fan_in_max=("others", "max"),
        pays_fan_in_mean=("others", "mean"),
        fan_in_beneficiaries=("suspect", "sum"),
    )
    is_suspect = (fan >= settings.min_fan_in).astype("int64")
    suspects_paid = is_suspect.groupby(corridor["sender_id"]).transform("sum")
    other_suspects = suspects_paid - is_suspect
    fac = (
        pairs.assign(other_suspects=other_suspects, any_other=other_suspects > 0)
        .groupby("beneficiary_id")
        .agg(payers_other_suspects_mean=("other_suspects", "mean"),
             payers_other_suspects_share=("any_other", "mean"))
    )
    return payer, fac


def _known_links(corridor: pd.DataFrame, known: pd.DataFrame | None) -> tuple[pd.DataFrame, ...]:
    """Counts of links to known offenders and facilitators, never counting a party's own label."""
    if known is None or known.empty:
        return pd.DataFrame(), pd.DataFrame()
    offenders = set(known.loc[known["label"] == "offender", "party_id"])
    facilitators = set(known.loc[known["label"] == "facilitator", "party_id"])
    pays_offender = corridor["sender_id"].isin(offenders).astype("int64")
    to_facilitator = corridor["beneficiary_id"].isin(facilitators).astype("int64")
    offender_payers = pays_offender.groupby(corridor["beneficiary_id"]).transform("sum")
    facilitators_paid = to_facilitator.groupby(corridor["sender_id"]).transform("sum")
    pairs = corridor.assign(
        co_offenders=offender_payers - pays_offender,
        co_facilitators=facilitators_paid - to_facilitator,
        to_facilitator=to_facilitator,
        pays_offender=pays_offender,
    )
    payer = pairs.groupby("sender_id").agg(
        known_facilitators_paid=("to_facilitator", "sum"),
        known_offender_co_payers=("co_offenders", "sum"),
    )
    fac = pairs.groupby("beneficiary_id").agg(
        known_offender_payers=("pays_offender", "sum"),
        known_facilitator_neighbours=("co_facilitators", "sum"),
    )
    return payer, fac


def network_features(
    pairs: pd.DataFrame, known: pd.DataFrame | None, settings: GraphSettings | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(payer features indexed by sender_id, facilitator features indexed by beneficiary_id).

    ``pairs`` has one row per (beneficiary_id, sender_id) with ``pair_payments``,
    ``pair_corridor`` and ``pair_unrelated_small``; ``known`` has ``party_id`` and ``label``.
    """
    settings = settings or GraphSettings()
    corridor = pairs.loc[pairs["pair_corridor"].astype(bool)].reset_index(drop=True)
    payer_fan, fac_fan = _fan_in(corridor, settings)
    payer_known, fac_known = _known_links(corridor, known)
    dens = find_dens(corridor, settings.min_fan_in, settings.min_shared_payers,
                     settings.max_beneficiaries_per_payer)
    risk = propagate_known(corridor, known, settings.damping, settings.folds).rename("known_risk")
    den_of = corridor["beneficiary_id"].map(dens["den_size"]) if not dens.empty else None
    pays_den = (den_of.fillna(0.0).groupby(corridor["sender_id"]).max().rename("pays_den_max")
                if den_of is not None else pd.Series(dtype="float64", name="pays_den_max"))
    payer = payer_fan.join([payer_known, risk.to_frame(), pays_den.to_frame()], how="left")
    fac = fac_fan.join([fac_known, dens.drop(columns=["den_id"]), risk.to_frame()], how="left")
    payer = payer.reindex(columns=PAYER_NETWORK_COLUMNS).fillna(0.0).astype("float64")
    fac = fac.reindex(columns=FACILITATOR_NETWORK_COLUMNS).fillna(0.0).astype("float64")
    return payer, fac


def den_ids(pairs: pd.DataFrame, settings: GraphSettings | None = None) -> pd.Series:
    """den_id per facilitator that belongs to a den of two or more (others absent)."""
    settings = settings or GraphSettings()
    corridor = pairs.loc[pairs["pair_corridor"].astype(bool)].reset_index(drop=True)
    dens = find_dens(corridor, settings.min_fan_in, settings.min_shared_payers,
                     settings.max_beneficiaries_per_payer)
    if dens.empty:
        return pd.Series(dtype="object", name="den_id")
    return dens["den_id"].dropna()



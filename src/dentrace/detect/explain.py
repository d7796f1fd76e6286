"""Reasons, plain-language explanations and the evidence behind them, per party: the strongest
indicators first, each an ``AlertRecord`` reason with its sentence, values, counterparties,
transaction ids and contribution to the score, evidence read from the warehouse."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, cast

import ibis
import numpy as np
import pandas as pd

from dentrace.contract.alert import (
    KNOWN_REASON,
    MAX_COUNTERPARTIES,
    AlertRecord,
    Counterparty,
    Reason,
    contributions,
    reason_order,
)
from dentrace.detect.config import DetectConfig
from dentrace.detect.indicators import Context, Indicator, catalogue, key_of
from dentrace.detect.rules import IndicatorScorer
from dentrace.features.build import FLAGS_TABLE
from dentrace.features.rows import FeatureRows

SHARED_REASON = "SHARED_SIGNAL"  # detect/shared_signal.py

__all__ = ["KNOWN_REASON", "SHARED_REASON", "corridor_countries", "explain_alerts", "holding",
           "reason_lists", "role_label"]


def reason_lists(strengths: pd.DataFrame, weights: Mapping[str, float],
                 min_strength: float, holds: pd.DataFrame | None = None) -> list[list[str]]:
    """Per party, the codes with strength >= ``min_strength`` whose evidence holds
    (``holding``), by weighted strength (``contract.alert.reason_order``)."""
    if strengths.empty or strengths.shape[1] == 0:
        return [[] for _ in range(len(strengths))]
    mask = None if holds is None else holds.reindex(columns=strengths.columns,
                                                    fill_value=True).to_numpy(dtype=bool)
    return reason_order(list(strengths.columns), strengths.to_numpy(), weights, min_strength,
                        mask)


def holding(features: pd.DataFrame, role: str, config: DetectConfig,
            codes: list[str]) -> pd.DataFrame:
    """Per party and code, whether the evidence the indicator's sentence names is there
    (``Indicator.holds``): a reason is listed only then, whatever its strength."""
    found = IndicatorScorer(role, config).holds_of(FeatureRows.of_frame(features))
    return pd.DataFrame({code: found.get(code, np.ones(len(features), dtype=bool))
                         for code in codes}, index=features.index, dtype=bool)


def corridor_countries(con: Any, role: str, parties: list[str]) -> dict[str, str]:
    """The main corridor country of each payer (or the beneficiary's own country): the one
    of most corridor payments, the first in alphabetical order among equals (so the same
    payments give the same explanation whatever order the engine reads them in)."""
    if not parties:
        return {}
    key = "sender_id" if role == "payer" else "beneficiary_id"
    frame = pd.DataFrame({"party_id": parties})
    con.register("_dentrace_parties", frame)
    try:
        rows = con.execute(
            f"""SELECT party, first(country ORDER BY n DESC, country) FROM (
                    SELECT f.{key} AS party, f.beneficiary_country AS country, count(*) AS n
                    FROM {FLAGS_TABLE} f JOIN _dentrace_parties p ON f.{key} = p.party_id
                    WHERE f.is_corridor AND f.beneficiary_country IS NOT NULL
                    GROUP BY ALL) GROUP BY party"""
        ).fetchall()
    finally:
        con.unregister("_dentrace_parties")
    return {str(k): str(v) for k, v in rows if v is not None}


ALERTED_TABLE = "_dentrace_alerted_payments"


def _alerted_payments(con: Any, role: str, wanted: dict[str, list[str]]) -> str:
    """Copy the alerted parties' flagged payments once, so each reason filters a small table."""
    key = "sender_id" if role == "payer" else "beneficiary_id"
    parties = sorted({party for group in wanted.values() for party in group})
    con.register("_dentrace_alerted", pd.DataFrame({"party_id": parties}, dtype="object"))
    try:
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE {ALERTED_TABLE} AS SELECT f.* FROM {FLAGS_TABLE} f
                WHERE f.{key} IN (SELECT party_id FROM _dentrace_alerted)""")
    finally:
        con.unregister("_dentrace_alerted")
    return ALERTED_TABLE


Evidence = dict[tuple[str, str], tuple[list[str], list[tuple[str, int]]]]


def reason_evidence(con: Any, role: str, wanted: dict[str, list[str]], context: Context,
                    indicators: Mapping[str, Indicator], limit: int) -> Evidence:
    """(party, code) -> the transaction ids behind the reason (the first ``limit`` in time)
    and its counterparties with their payment counts (most first, ``MAX_COUNTERPARTIES``);
    ``wanted`` maps code -> parties. One query per role: the alerted parties' payments with
    one evidence flag per reason."""
    codes = [code for code, parties in wanted.items() if code in indicators and parties]
    if not codes:
        return {}
    backend = ibis.duckdb.from_connection(con)
    payments = backend.table(_alerted_payments(con, role, wanted))
    flags = {f"ev_{i}": indicators[code].evidence(payments, role, context)
             for i, code in enumerate(codes)}
    other = payments.beneficiary_id if role == "payer" else payments.sender_id
    rows = backend.to_pandas(payments.select(
        party_id=key_of(payments, role), txn_id=payments.txn_id, ts_utc=payments.ts_utc,
        other=other, **flags).order_by(["party_id", "ts_utc", "txn_id"]))
    found: Evidence = {}
    for i, code in enumerate(codes):
        chosen = rows.loc[rows[f"ev_{i}"].astype(bool)
                          & rows["party_id"].isin(set(wanted[code])), ["party_id", "txn_id",
                                                                        "other"]]
        if chosen.empty:
            continue
        first = chosen.groupby("party_id", sort=False).head(limit)
        ids = first.groupby("party_id", sort=False)["txn_id"].agg(list)
        counts = (chosen.groupby(["party_id", "other"], sort=False).size().rename("n")
                  .reset_index().sort_values(["party_id", "n", "other"],
                                             ascending=[True, False, True]))
        counts = counts.groupby("party_id", sort=False).head(MAX_COUNTERPARTIES)
        counts["pair"] = list(zip(counts["other"].astype(str), counts["n"].astype(int),
                                  strict=True))
        others = counts.groupby("party_id", sort=False)["pair"].agg(list)
        for party, txns in ids.items():
            found[(str(party), code)] = ([str(t) for t in txns], others.get(party, []))
    return found


def with_known_neighbours(con: Any, context: Context) -> Context:
    """``context`` with KNOWN_LINK's second-hand parties: the beneficiaries paid by its known
    offenders, the payers of its known facilitators (from the warehouse's payments)."""
    con.register("_dentrace_known", pd.DataFrame(
        {"party_id": [*context.known_offenders, *context.known_facilitators],
         "label": ["offender"] * len(context.known_offenders)
         + ["facilitator"] * len(context.known_facilitators)}, dtype="object"))
    try:
        beneficiaries = con.execute(
            """SELECT DISTINCT beneficiary_id FROM transactions WHERE sender_id IN
               (SELECT party_id FROM _dentrace_known WHERE label = 'offender')""").fetchall()
        payers = con.execute(
            """SELECT DISTINCT sender_id FROM transactions WHERE beneficiary_id IN
               (SELECT party_id FROM _dentrace_known WHERE label = 'facilitator')""").fetchall()
    finally:
        con.unregister("_dentrace_known")
    return replace(context, known_offender_beneficiaries=frozenset(str(r[0]) for r in
                                                                   beneficiaries),
                   known_facilitator_payers=frozenset(str(r[0]) for r in payers))


def counterparty_names(con: Any, role: str, ids: set[str]) -> dict[str, str]:
    """Party id -> its name: the KYC name of a customer, else the name written most often on
    the payments where it is the counterparty (a payer's beneficiary, a facilitator's payer;
    alphabetical first among equals)."""
    if not ids:
        return {}
    key, name = (("beneficiary_id", "beneficiary_name") if role == "payer"
                 else ("sender_id", "sender_name"))
    con.register("_dentrace_counterparties", pd.DataFrame({"party_id": sorted(ids)},
                                                          dtype="object"))
    try:
        written = con.execute(
            f"""SELECT party, first(name ORDER BY n DESC, name) FROM (
                    SELECT {key} AS party, {name} AS name, count(*) AS n FROM transactions
                    WHERE {key} IN (SELECT party_id FROM _dentrace_counterparties)
                      AND {name} IS NOT NULL AND {name} <> ''
                    GROUP BY ALL) GROUP BY party""").fetchall()
        kyc = con.execute(
            """SELECT customer_id, first(name ORDER BY name) FROM customers
               WHERE customer_id IN (SELECT party_id FROM _dentrace_counterparties)
                 AND name IS NOT NULL AND name <> '' GROUP BY customer_id""").fetchall()
    finally:
        con.unregister("_dentrace_counterparties")
    names = {str(k): str(v) for k, v in written if v is not None}
    names.update({str(k): str(v) for k, v in kyc if v is not None})
    return names


class _QuotedRow:
    """A feature row that notes the values an explanation reads: the reason's ``values``."""

    def __init__(self, row: pd.Series) -> None:
        self._row = row
        self.read: dict[str, float | None] = {}

    def __getitem__(self, name: str) -> Any:
        value = self._row[name]
        try:
            number = float(value)
            self.read[name] = number if np.isfinite(number) else None
        except (TypeError, ValueError):
            pass
        return value

    def get(self, name: str, default: Any = None) -> Any:
        return self[name] if name in self._row.index else default

    def __getattr__(self, name: str) -> Any:  # to_frame() and the rest of a Series
        return getattr(self._row, name)


def _strengths(role: str, features: pd.DataFrame, config: DetectConfig) -> pd.DataFrame:
    """Strength of every weighted indicator of the alerted parties (rows)."""
    if features.empty:
        return pd.DataFrame(index=features.index)
    return IndicatorScorer(role, config).fit(features).strengths(features)


def _reason(code: str, indicator: Indicator | None, row: pd.Series, role: str,
            config: DetectConfig, context: Context, party: str,
            found: tuple[list[str], list[tuple[str, int]]] | None, names: Mapping[str, str],
            strength: float | None, contribution: float | None) -> Reason:
    text, values = "", {}
    if code == KNOWN_REASON:
        text = f"in the known file as {role_label(role)}"
    elif code == SHARED_REASON:
        flagged, confirmed = context.shared.get(party, (0, 0))
        text = (f"flagged by {flagged} other institution{'s' if flagged != 1 else ''} "
                f"(confirmed by {confirmed}); evidence to review, never an alert on its own")
    elif indicator is not None and not row.empty:
        quoted = _QuotedRow(row)
        text = indicator.explain(cast(pd.Series, quoted), role, config.indicators[code],
                                 context, party)
        values = quoted.read
    ids, others = found if found is not None else ([], [])
    return Reason(code=code, text=text, values=values,
                  counterparties=tuple(Counterparty(party_id=o, name=names.get(o), payments=n)
                                       for o, n in others),
                  txn_ids=tuple(ids), strength=strength, contribution=contribution)


def explain_alerts(con: Any, role: str, alerted: pd.DataFrame, features: pd.DataFrame,
                   config: DetectConfig, context: Context,
                   scorer: str = "IndicatorScorer") -> pd.DataFrame:
    """``alerted`` (party_id, role, score, reasons; ``given_score`` and
    ``corroborated_score``: the score before other institutions' signals and before a known
    label lifted it) plus the other columns of ``AlertRecord.columns``: ``explanation``,
    ``txn_ids`` and ``reason_details``. ``scorer`` names the role's scorer (how the
    contributions are attributed: ``contract.alert.ATTRIBUTION``)."""
    indicators = catalogue()
    limit = int(config.scoring.get("max_txn_ids_per_reason", 50))
    codes_of = {pid: [c for c in str(r).split(";") if c]
                for pid, r in zip(alerted["party_id"], alerted["reasons"], strict=True)}
    wanted: dict[str, list[str]] = {}
    for party, codes in codes_of.items():
        for code in codes:
            wanted.setdefault(code, []).append(party)
    if wanted.get("KNOWN_LINK"):
        context = with_known_neighbours(con, context)
    found = reason_evidence(con, role, wanted, context, indicators, limit)
    names = counterparty_names(con, role, {o for _, others in found.values() for o, _ in others})
    rows = features.reindex(features.index.intersection(list(codes_of)))
    strengths_of = _strengths(role, rows, config)
    weights = config.weights.get(role, {})
    attribution = "rules" if scorer.startswith("IndicatorScorer") else "rule weights"
    scores = alerted["score"].astype("float64").tolist()
    given = (alerted["given_score"] if "given_score" in alerted else alerted["score"])
    lifted = (alerted["corroborated_score"] if "corroborated_score" in alerted
              else alerted["score"])
    records = []
    for (party, codes), score, before, middle in zip(
            codes_of.items(), scores, given.astype("float64"), lifted.astype("float64"),
            strict=True):
        row = features.loc[party] if party in features.index else pd.Series(dtype="float64")
        strengths = (strengths_of.loc[party].to_dict() if party in strengths_of.index
                     else {})
        lifts = {code: lift for code, lift in ((SHARED_REASON, middle - before),
                                               (KNOWN_REASON, score - middle))
                 if code in codes}
        shares = contributions(score, {c: s * weights.get(c, 0.0) for c, s in strengths.items()},
                               lifts)
        strengths[KNOWN_REASON] = 1.0
        reasons = tuple(_reason(code, indicators.get(code), row, role, config, context, party,
                                found.get((party, code)), names, _rounded(strengths.get(code)),
                                _rounded(shares.get(code))) for code in codes)
        records.append(AlertRecord(party_id=str(party), role=role, score=score,
                                   reasons=reasons, attribution=attribution).columns())
    out = alerted.copy()
    for column in ("explanation", "txn_ids", "reason_details"):
        out[column] = [r[column] for r in records]
    return out


def _rounded(value: float | None) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), 4)


def role_label(role: str) -> str:
    """The known-file label that marks a positive of ``role``."""
    return "offender" if role == "payer" else "facilitator"

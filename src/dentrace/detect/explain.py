"""Reasons, plain-language explanations and the transaction ids behind them, per party: the
strongest indicators first, each sentence with its values, evidence read from the warehouse."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ibis
import numpy as np
import pandas as pd

from dentrace.detect.config import DetectConfig
from dentrace.detect.indicators import Context, Indicator, catalogue, key_of
from dentrace.features.build import FLAGS_TABLE

KNOWN_REASON = "KNOWN"
SHARED_REASON = "SHARED_SIGNAL"  # detect/shared_signal.py


def reason_lists(strengths: pd.DataFrame, weights: Mapping[str, float],
                 min_strength: float) -> list[list[str]]:
    """Per party, the codes with strength >= ``min_strength``, by weighted strength."""
    if strengths.empty or strengths.shape[1] == 0:
        return [[] for _ in range(len(strengths))]
    codes = np.array(strengths.columns)
    values = strengths.to_numpy()
    weighted = values * np.array([weights.get(c, 1.0) for c in codes])
    order = np.argsort(-weighted, axis=1, kind="stable")
    keep = np.take_along_axis(values, order, axis=1) >= min_strength
    return [list(codes[order[i][keep[i]]]) for i in range(len(values))]


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


def evidence_ids(con: Any, role: str, wanted: dict[str, list[str]], context: Context,
                 indicators: Mapping[str, Indicator], limit: int) -> dict[str, list[str]]:
    """Transaction ids behind each party's reasons: ``wanted`` maps code -> parties.

    One query per role: the alerted parties' payments with one evidence flag per reason,
    then, per party and reason, the first ``limit`` flagged payments in time order.
    """
    codes = [code for code, parties in wanted.items() if code in indicators and parties]
    if not codes:
        return {}
    backend = ibis.duckdb.from_connection(con)
    payments = backend.table(_alerted_payments(con, role, wanted))
    flags = {f"ev_{i}": indicators[code].evidence(payments, role, context)
             for i, code in enumerate(codes)}
    rows = backend.to_pandas(payments.select(
        party_id=key_of(payments, role), txn_id=payments.txn_id, ts_utc=payments.ts_utc,
        **flags).order_by(["party_id", "ts_utc", "txn_id"]))
    found: dict[str, list[str]] = {}
    for i, code in enumerate(codes):
        chosen = rows.loc[rows[f"ev_{i}"].astype(bool)
                          & rows["party_id"].isin(set(wanted[code])), ["party_id", "txn_id"]]
        for party, group in chosen.groupby("party_id", sort=False):
            found.setdefault(str(party), []).extend(group["txn_id"].astype(str).head(limit))
    return {party: list(dict.fromkeys(ids)) for party, ids in found.items()}


def explain_alerts(con: Any, role: str, alerted: pd.DataFrame, features: pd.DataFrame,
                   config: DetectConfig, context: Context) -> pd.DataFrame:
    """``alerted`` (party_id, reasons) plus ``explanation`` and ``txn_ids`` columns."""
    indicators = catalogue()
    limit = int(config.scoring.get("max_txn_ids_per_reason", 50))
    codes_of = {pid: [c for c in str(r).split(";") if c]
                for pid, r in zip(alerted["party_id"], alerted["reasons"], strict=True)}
    wanted: dict[str, list[str]] = {}
    for party, codes in codes_of.items():
        for code in codes:
            wanted.setdefault(code, []).append(party)
    txn_ids = evidence_ids(con, role, wanted, context, indicators, limit)
    sentences = []
    for party, codes in codes_of.items():
        row = features.loc[party] if party in features.index else pd.Series(dtype="float64")
        parts = []
        for code in codes:
            if code == KNOWN_REASON:
                parts.append(f"{KNOWN_REASON}: in the known file as {role_label(role)}")
            elif code == SHARED_REASON:
                flagged, confirmed = context.shared.get(party, (0, 0))
                parts.append(f"{SHARED_REASON}: flagged by {flagged} other institution"
                             f"{'s' if flagged != 1 else ''} (confirmed by {confirmed}); "
                             "evidence to review, never an alert on its own")
            elif code in indicators and not row.empty:
                text = indicators[code].explain(row, role, config.indicators[code], context,
                                                party)
                parts.append(f"{code}: {text}")
        sentences.append("; ".join(parts))
    out = alerted.copy()
    out["explanation"] = sentences
    out["txn_ids"] = [txn_ids.get(party, []) for party in alerted["party_id"]]
    return out


def role_label(role: str) -> str:
    """The known-file label that marks a positive of ``role``."""
    return "offender" if role == "payer" else "facilitator"

"""Batch and live forms agree feature by feature: random payment streams (random parties,
amounts, times, countries, channels, memos, names, known lists) built into the feature table by
the scan (Ibis on DuckDB) and folded payment by payment into the party state (what screening
and the incremental scan keep) give the same value for every feature column of both roles.

Counts must be equal, other columns within 1e-9 relative (kinds from features.registry).
Payments carry their sender's UTC offset; a +00:00 stamp from a country not on UTC is read at
that country's typical offset by both forms. Whole-graph columns (dens, shared-payer links,
known-label PageRank) are taken from the scan in the live form by design (docs/screening.md):
the live context is given the batch values, so they check the plumbing only.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pandas as pd
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from dentrace.detect.config import load_config
from dentrace.features import build_party_features, registry
from dentrace.state.features import GraphContext, facilitator_vector, payer_vector
from dentrace.state.flags import PaymentFlagger
from dentrace.state.fold import PartyState
from dentrace.state.replay import refresh_profiles
from tests.unit.features.toy_payments import COLUMNS, warehouse

START = datetime(2024, 3, 1, tzinfo=UTC)
SENDERS = [f"S{i}" for i in range(6)]
BENEFICIARIES = [f"B{i}" for i in range(5)]
# each party keeps one name, one country and one UTC offset (as a customer does)
SENDER_NAMES = ["Peter Miller", "Jose Santos", "Ann Smith", "Liza Reyes", "Tom Cruz", "Kim Lee"]
BENEFICIARY_NAMES = ["Maria Cruz", "Lorna Santos", "Joy Dela Pena", "Hope Kids Foundation",
                     "Grace Tan"]
SENDER_COUNTRIES = ["AU", "AU", "US", "PH", "GB", None]
# minutes; S1 (AU) stamps +00:00, which both forms read at AU's typical offset
OFFSETS = [600, 0, -300, 480, 60, 600]
BENEFICIARY_COUNTRIES = ["PH", "PH", "TH", "AU", None]
CHANNELS = ["remittance", "wallet", "card", "crypto", "cash", "transfer", None]
MEMOS = [None, "school fees", "for nanay", "add me on skype", "rent", "gift for mama"]
AMOUNTS = [25.0, 40.0, 50.0, 55.5, 60.0, 99.99, 120.0, 149.0, 300.0, 8.0]
COUNTS = registry.counts()
# The engines hand floats over rounded to 12 significant digits (engine.base.engine_floats),
# so the corridor's first and last day (~2e4 days since 1970) reach build._finish_payers up to
# 1e-7 days off before it subtracts them: the span is then exact to 2e-7 days, and the rates
# over a span of at least 30 (90) days to 1e-8 relative, as are the co-payer and payer profile
# means of those rates.
LOOSER = {"corridor_span_days": (0.0, 2e-7), "corridor_per_30d": (1e-8, 0.0),
          "corridor_beneficiaries_per_90d": (1e-8, 0.0), "co_payers_rate": (1e-8, 0.0),
          "payers_rate_mean": (1e-8, 0.0)}


def _sql_type(name: str) -> str:
    if name.startswith("ts_"):
        return "TIMESTAMP"
    if name == "utc_offset_min":
        return "INTEGER"
    return "DOUBLE" if name.startswith("amount") else "VARCHAR"


TRANSACTIONS = ", ".join(f"{name} {_sql_type(name)}" for name in COLUMNS)


@st.composite
def payment_streams(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Up to 40 payments among 6 senders and 5 beneficiaries over ~8 months."""
    count = draw(st.integers(1, 40))
    payments = []
    for i in range(count):
        sender = draw(st.integers(0, len(SENDERS) - 1))
        beneficiary = draw(st.integers(0, len(BENEFICIARIES) - 1))
        minutes = draw(st.integers(0, 240 * 24 * 60))
        payments.append({
            "txn_id": f"t{i:03d}", "sender": sender, "beneficiary": beneficiary,
            "when": START + timedelta(minutes=minutes),
            "amount": draw(st.sampled_from(AMOUNTS)),
            "channel": draw(st.sampled_from(CHANNELS)), "memo": draw(st.sampled_from(MEMOS)),
        })
    return payments


def _contract(p: dict[str, Any]) -> dict[str, Any]:
    """The payment's contract fields, its time in the sender's local offset."""
    s, b = p["sender"], p["beneficiary"]
    local = p["when"].astimezone(timezone(timedelta(minutes=OFFSETS[s])))
    return {"txn_id": p["txn_id"], "ts": local, "sender_id": SENDERS[s],
            "beneficiary_id": BENEFICIARIES[b], "amount": p["amount"], "currency": "USD",
            "sender_name": SENDER_NAMES[s], "sender_country": SENDER_COUNTRIES[s],
            "beneficiary_name": BENEFICIARY_NAMES[b],
            "beneficiary_country": BENEFICIARY_COUNTRIES[b], "channel": p["channel"],
            "memo": p["memo"]}


def _warehouse_row(c: dict[str, Any]) -> dict[str, Any]:
    """The contract payment as ingest stores it in ``transactions`` (USD: amount_ref=amount)."""
    ts: datetime = c["ts"]
    offset = ts.utcoffset()
    assert offset is not None
    return {**{k: v for k, v in c.items() if k != "ts"},
            "ts_utc": ts.astimezone(UTC).replace(tzinfo=None),
            "ts_local": ts.replace(tzinfo=None),
            "utc_offset_min": int(offset.total_seconds() // 60), "amount_ref": c["amount"]}


def _batch(payments: list[dict[str, Any]], known: list[tuple[str, str]]
           ) -> dict[str, pd.DataFrame]:
    con = warehouse([], known=known)
    # typed columns: a column of the stream may hold only NULLs
    con.execute(f"CREATE OR REPLACE TABLE transactions ({TRANSACTIONS})")
    con.register("stream", pd.DataFrame([_warehouse_row(p) for p in payments],
                                        columns=COLUMNS))
    con.execute("INSERT INTO transactions SELECT * FROM stream")
    try:
        return build_party_features(con, load_config())
    finally:
        con.close()


def _live(payments: list[dict[str, Any]], known: list[tuple[str, str]],
          batch: dict[str, pd.DataFrame]) -> dict[str, dict[str, dict[str, float]]]:
    """Every party's live feature row after folding ``payments`` one by one, in time order."""
    config = load_config()
    flagger = PaymentFlagger(config.features, "USD")
    state = PartyState(config.features.small_band("USD"), config.features.recent_days)
    graph = GraphContext(
        min_fan_in=config.graph.min_fan_in,
        offenders={p for p, label in known if label == "offender"},
        facilitators={p for p, label in known if label == "facilitator"})
    # whole-graph results are the last scan's in the live form, by design (registry family
    # "whole_graph"): the context is given the batch values of the facilitators and both roles
    assert set(registry.family_columns("facilitator", "whole_graph")) == {
        "den_size", "shared_payer_facilitators", "known_risk"}
    fac = batch["facilitator"]
    graph.den_size.update({str(k): float(v) for k, v in fac["den_size"].items()})
    graph.shared_payer_facilitators.update(
        {str(k): float(v) for k, v in fac["shared_payer_facilitators"].items()})
    for frame in batch.values():
        graph.known_risk.update({str(k): float(v) for k, v in frame["known_risk"].items()})
    for p in sorted(payments, key=lambda p: (p["ts"], p["txn_id"])):
        state.add(flagger.flag(p, p["ts"], float(p["amount"])))
    refresh_profiles(state, graph)
    return {"payer": {i: payer_vector(state, i, graph) for i in state.payers},
            "facilitator": {i: facilitator_vector(state, i, graph)
                            for i in state.beneficiaries}}


def _same(column: str, expected: float, got: float) -> bool:
    if math.isnan(expected) or math.isnan(got):
        return math.isnan(expected) and math.isnan(got)
    if column in COUNTS:
        return expected == got
    relative, absolute = LOOSER.get(column, (1e-9, 1e-12))
    return math.isclose(expected, got, rel_tol=relative, abs_tol=absolute)


# no shrinking: each example builds the feature table (~1 s of CPU); a failure prints the
# party's payments instead
@settings(max_examples=20, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow])
@given(stream=payment_streams(),
       offenders=st.sets(st.sampled_from(SENDERS), max_size=2),
       facilitators=st.sets(st.sampled_from(BENEFICIARIES), max_size=2))
def test_every_feature_column_agrees_between_batch_and_live(
        stream: list[dict[str, Any]], offenders: set[str], facilitators: set[str]) -> None:
    payments = [_contract(p) for p in stream]
    known = ([(p, "offender") for p in sorted(offenders)]
             + [(b, "facilitator") for b in sorted(facilitators)])
    batch = _batch(payments, known)
    live = _live(payments, known, batch)
    for role, frame in batch.items():
        assert set(frame.index) == set(live[role]), role
        assert list(frame.columns) and set(frame.columns) == set(registry.columns(role))
        for party_id, expected in frame.iterrows():
            row = live[role][str(party_id)]
            missing = set(frame.columns) - set(row)
            assert not missing, f"{role} {party_id}: live rows lack {sorted(missing)}"
            wrong = {c: (expected[c], row[c]) for c in frame.columns
                     if not _same(c, float(expected[c]), float(row[c]))}
            own = [(p["txn_id"], p["ts"].isoformat(), p["beneficiary_id"], p["amount"],
                    p["channel"]) for p in payments if party_id in (p["sender_id"],
                                                                    p["beneficiary_id"])]
            assert not wrong, f"{role} {party_id}: batch vs live {wrong}; payments {own}"

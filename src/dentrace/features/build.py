"""Builds the party feature table of a workspace: Ibis expressions over ``transactions`` run on
an engine (DuckDB or Spark), then the graph features: one numeric frame per role by party_id."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from dentrace.engine.base import Engine
from dentrace.engine.duckdb import DuckDBEngine, drop_relation, relation_kind
from dentrace.features.facilitator import incoming_features, payer_pairs
from dentrace.features.lookups import lookup_tables
from dentrace.features.payer import beneficiary_features, rhythm_features, totals
from dentrace.features.payments import family_pairs, flag_payments, pack_flags, unpack_flags
from dentrace.features.settings import FeatureSettings, reporting_currency
from dentrace.graph.network import GraphSettings, network_features
from dentrace.graph.profile import payer_profiles

FLAGS_TABLE = "_dentrace_flagged_payments"  # a view of FLAGS_STORED with every flag column
FLAGS_STORED = "_dentrace_flagged_packed"
PAIRS_TABLE = "_dentrace_payer_pairs"
FAMILY_TABLE = "_dentrace_family_pairs"
LOOKUP_PREFIX = "_dentrace_lookup_"
log = logging.getLogger(__name__)


def _settings(config: Any) -> tuple[FeatureSettings, GraphSettings]:
    features = getattr(config, "features", config)
    graph = getattr(config, "graph", None)
    return (
        features if isinstance(features, FeatureSettings) else FeatureSettings(),
        graph if isinstance(graph, GraphSettings) else GraphSettings(),
    )


def _has_table(con: Any, name: str) -> bool:
    rows = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
    ).fetchall()
    return bool(rows and rows[0][0])


def read_known(con: Any) -> pd.DataFrame:
    """The ``known`` table as (party_id, label, as_of); empty when the workspace has none."""
    if not _has_table(con, "known"):
        return pd.DataFrame(columns=["party_id", "label", "as_of"])
    return con.execute(
        "SELECT CAST(party_id AS VARCHAR) AS party_id, lower(label) AS label, as_of FROM known"
    ).df()


def _safe_div(a: pd.Series, b: pd.Series | float) -> pd.Series:
    return (a / b).replace([np.inf, -np.inf], np.nan)


def _finish_payers(frame: pd.DataFrame, settings: FeatureSettings) -> pd.DataFrame:
    """Rates and ratios derived from the aggregated payer columns."""
    span = frame["corridor_last_day"] - frame["corridor_first_day"]
    frame["corridor_span_days"] = span
    frame["corridor_per_30d"] = _safe_div(frame["n_corridor"] * 30.0, span.clip(lower=30.0))
    frame["corridor_recent_per_30d"] = frame["n_corridor_recent"] * 30.0 / settings.recent_days
    frame["corridor_share"] = _safe_div(frame["n_corridor"], frame["n_payments"])
    frame["new_beneficiary_rate"] = _safe_div(frame["corridor_beneficiaries"], frame["n_corridor"])
    frame["corridor_beneficiaries_per_90d"] = _safe_div(
        frame["corridor_beneficiaries"] * 90.0, span.clip(lower=90.0)
    )
    frame["family_beneficiary_share"] = _safe_div(
        frame["family_beneficiaries"], frame["corridor_beneficiaries"]
    )
    counts = ["n_corridor", "n_corridor_recent", "corridor_beneficiaries", "family_beneficiaries",
              "unrelated_beneficiaries", "corridor_months", "corridor_countries"]
    frame[counts] = frame[counts].fillna(0.0)
    return frame.drop(columns=["corridor_first_day", "corridor_last_day"])


def _kyc(con: Any, end: Any) -> pd.DataFrame:
    """Weak KYC prior per customer: age at the end of the data, 1/0 for male/female."""
    if not _has_table(con, "customers"):
        return pd.DataFrame(columns=["kyc_age", "kyc_male"])
    kyc = con.execute(
        """SELECT CAST(customer_id AS VARCHAR) AS party_id,
                  date_diff('day', TRY_CAST(birth_date AS DATE), CAST(? AS DATE)) / 365.25
                      AS kyc_age,
                  CASE WHEN lower(CAST(gender AS VARCHAR)) LIKE 'm%' THEN 1.0
                       WHEN lower(CAST(gender AS VARCHAR)) SIMILAR TO '(f|w).*' THEN 0.0 END
                       AS kyc_male
           FROM customers ORDER BY party_id""",
        [end],
    ).df()
    return kyc.drop_duplicates("party_id").set_index("party_id")


@contextmanager
def _stage(name: str) -> Iterator[None]:
    """Log the wall and CPU seconds (all threads of this process) of one feature stage;
    benchmarks/scale.py collects them (logger ``dentrace.features.build``, INFO)."""
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    log.info("feature stage %s: %.2f s wall, %.2f s CPU", name, wall, cpu,
             extra={"feature_stage": (name, round(wall, 3), round(cpu, 3))})


def _flagged(engine: Engine, settings: FeatureSettings, currency: str) -> ir.Table:
    """The flagged payments expression, its small inputs (lookups, family pairs) materialised
    first so the flags are one streaming pass over the transactions."""
    t = engine.transactions()
    with _stage("lookups and family pairs"):
        tables = {name: engine.materialise(f"{LOOKUP_PREFIX}{name}", expr)
                  for name, expr in lookup_tables(t, settings).items()}
        family = engine.materialise(FAMILY_TABLE, family_pairs(t, settings, tables))
    return flag_payments(t, settings, currency, tables, family)


def _expose_flags(con: Any) -> None:
    """FLAGS_TABLE := a DuckDB view reading FLAGS_STORED with the columns of
    ``flag_payments``, for the SQL readers (explanations, clearance test, screening replay)."""
    view = unpack_flags(ibis.duckdb.from_connection(con).table(FLAGS_STORED))
    drop_relation(con, FLAGS_TABLE)
    con.execute(f"CREATE TEMP VIEW {FLAGS_TABLE} AS {ibis.to_sql(view, dialect='duckdb')}")


def _keep_corridor_pairs(con: Any) -> None:
    """Cut PAIRS_TABLE down to its corridor pairs once the facilitator aggregates are built:
    every later reader (scoring, dens, screening set-up) reads only those (at 10M, 48k of 3.1M
    pairs), and at 100M the rest would hold ~2.7 GB of DuckDB's memory through the scoring
    and the explanations. A Spark build's table is a view over files: left as it is."""
    if relation_kind(con, PAIRS_TABLE) == "TABLE":
        con.execute(f"CREATE OR REPLACE TEMP TABLE {PAIRS_TABLE} AS "
                    f"SELECT * FROM {PAIRS_TABLE} WHERE pair_corridor")


def _by_party(engine: Engine, expr: ir.Table, key: str) -> pd.DataFrame:
    """``expr`` collected as a frame indexed by ``key``, in id order: the engine sorts (at 100M,
    1.2 s for 3.4M facilitators where pandas took 3.5 s), and pandas then joins the frames
    along their sorted indexes instead of hashing the ids (the graph stage: 17 s → 9 s)."""
    return engine.to_pandas(expr.order_by(key)).set_index(key)


def _payer_table(engine: Engine, p: ir.Table, settings: FeatureSettings,
                 end: Any) -> pd.DataFrame:
    """The payer aggregates (totals, rhythm, beneficiaries) as one frame by sender_id."""
    recent_from = ibis.literal(pd.Timestamp(end) - pd.Timedelta(days=settings.recent_days))
    parts = [totals(p, recent_from), rhythm_features(p), beneficiary_features(p)]
    tables = [_by_party(engine, part, "sender_id") for part in parts]
    return _finish_payers(tables[0].join(tables[1:], how="left"), settings)


def _with_graph(con: Any, payer: pd.DataFrame, facilitator: pd.DataFrame,
                pairs: pd.DataFrame, graph_settings: GraphSettings,
                end: Any) -> dict[str, pd.DataFrame]:
    """Both frames joined with the graph features, KYC and payer profiles, as returned."""
    payer_net, facilitator_net = network_features(pairs, read_known(con), graph_settings)
    payer = payer.join(payer_net, how="left").join(_kyc(con, end), how="left")
    facilitator = facilitator.join(facilitator_net, how="left")
    corridor_pairs = pairs.loc[pairs["pair_corridor"].astype(bool)]
    facilitator_profile, payer_profile = payer_profiles(corridor_pairs, payer)
    payer = payer.join(payer_profile, how="left")
    facilitator = facilitator.join(facilitator_profile, how="left")
    payer[payer_net.columns] = payer[payer_net.columns].fillna(0.0)
    facilitator[facilitator_net.columns] = facilitator[facilitator_net.columns].fillna(0.0)
    facilitator["foreign_payer_share"] = _safe_div(facilitator["foreign_payers"],
                                                   facilitator["n_payers"])
    facilitator["unrelated_small_share"] = _safe_div(facilitator["unrelated_small_payers"],
                                                     facilitator["n_payers"])
    frames = {"payer": payer, "facilitator": facilitator}
    for frame in frames.values():
        frame.index = frame.index.astype(str)
        frame.index.name = "party_id"
    return {role: frame.astype("float64").sort_index() for role, frame in frames.items()}


def build_party_features(con: Any, config: Any = None, *, transactions: str = "transactions",
                         end: Any = None, engine: Engine | None = None
                         ) -> dict[str, pd.DataFrame]:
    """Feature frames keyed by role ('payer', 'facilitator'), index ``party_id``.

    ``con`` is the DuckDB connection of a workspace (tables as in docs/architecture.md);
    ``config`` is a ``DetectConfig``, a ``FeatureSettings`` or None for the defaults. Every
    column is numeric; NaN means "does not apply" (e.g. no corridor payments). Columns are
    documented in docs/indicators.md ("Feature table"); ``engine`` runs the Ibis expressions
    (default DuckDB on ``con``; Spark: docs/spark.md) and leaves FLAGS_TABLE (a view of the
    packed FLAGS_STORED) and PAIRS_TABLE (its corridor pairs) queryable on ``con`` for the
    explanations.
    ``transactions`` names the table to read (an incremental scan passes the history of the
    parties it recomputes) and ``end`` the last instant of the data (default: the latest
    ``ts_utc`` of that table).
    """
    settings, graph_settings = _settings(config)
    engine = DuckDBEngine(con, transactions) if engine is None else engine
    currency = reporting_currency(con)
    flagged = _flagged(engine, settings, currency)
    with _stage("flagged payments"):
        # stored packed (pack_flags); every reader sees the unpacked columns
        p = unpack_flags(engine.materialise(FLAGS_STORED, pack_flags(flagged)))
        end = engine.scalar(p.ts_utc.max()) if end is None else end
    with _stage("payer aggregates"):
        payer = _payer_table(engine, p, settings, end)
    with _stage("payer pairs"):
        lo, hi = settings.small_band(currency)
        pairs_table = engine.materialise(PAIRS_TABLE, payer_pairs(p, lo, hi))
        for name in (FLAGS_STORED, PAIRS_TABLE):
            engine.share(con, name)
        _expose_flags(con)
    with _stage("facilitator aggregates"):
        facilitator = _by_party(engine, incoming_features(p, pairs_table), "beneficiary_id")
        # the graph features read corridor pairs only: the rest stays in the engine (pairs
        # are a quarter of the payments; at 100M, pandas would hold ~26M rows for nothing)
        # in id order: the graph's sums and PageRank then see the same rows in the same
        # order from every engine (an engine's own order moved known_risk by ~1e-12)
        pairs = engine.to_pandas(pairs_table.filter(pairs_table.pair_corridor).select(
            "beneficiary_id", "sender_id", "pair_payments", "pair_corridor",
            "pair_unrelated_small").order_by(["beneficiary_id", "sender_id"]))
        _keep_corridor_pairs(con)
    with _stage("graph, KYC and payer profiles"):
        return _with_graph(con, payer, facilitator, pairs, graph_settings, end)

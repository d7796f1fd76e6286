"""The party state filled from the warehouse: every flagged payment folded in time order,
the payers' profiles refreshed, and the customers' KYC read for the profile's age prior."""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from dentrace.features.build import FLAGS_TABLE
from dentrace.features.payments import FLAGGED_COLUMNS, PACKED_FLAGS
from dentrace.state.features import GraphContext, payer_vector
from dentrace.state.flags import FlaggedPayment
from dentrace.state.fold import PartyState

# the payment flags a replayed row carries (is_family is read apart, after them)
FLAG_COLUMNS = tuple(flag for flag in PACKED_FLAGS if flag != "is_family")
REPLAY_BATCH = 100_000


def read_kyc(con: Any, ids: set[str] | None = None) -> pd.DataFrame:
    """party_id, birth_date and gender of the warehouse's customers (of ``ids`` only, when
    given); empty for a warehouse without customers (no KYC prior, as in the scan)."""
    sql = """SELECT CAST(customer_id AS VARCHAR) AS party_id, CAST(birth_date AS VARCHAR)
                    AS birth_date, CAST(gender AS VARCHAR) AS gender FROM customers"""
    try:
        if ids is None:
            return con.execute(sql).df()
        con.register("_dentrace_kyc_ids", pd.DataFrame({"party_id": sorted(ids)}, dtype="object"))
        try:
            return con.execute(f"{sql} WHERE CAST(customer_id AS VARCHAR) IN "
                               "(SELECT party_id FROM _dentrace_kyc_ids)").df()
        finally:
            con.unregister("_dentrace_kyc_ids")
    except duckdb.CatalogException:  # no customers table
        return pd.DataFrame(columns=["party_id", "birth_date", "gender"])


def replay_flagged(state: PartyState, con: Any, source: str = FLAGS_TABLE) -> None:
    """Fold every payment of ``source`` (the scan's flagged table, or a relation with its
    columns) into ``state``, in time order."""
    flags = ", ".join(f"coalesce({flag}, false)" for flag in FLAG_COLUMNS)
    # the fields of FlaggedPayment in their order (shares_surname: not compared in batch)
    cursor = con.execute(
        f"""SELECT txn_id, epoch(ts_utc) / 86400.0, year(ts_utc) * 12 + month(ts_utc) - 1,
                   sender_id, beneficiary_id, coalesce(amount_ref, 0.0)::DOUBLE,
                   sender_country, beneficiary_country, {flags}, NULL,
                   coalesce(is_family, false)
            FROM {source} ORDER BY ts_utc, txn_id""")
    add = state.add
    while rows := cursor.fetchmany(REPLAY_BATCH):
        for r in rows:
            add(FlaggedPayment(*r))


# the columns of a flagged payment that ``replay_flagged`` reads: all but day and month,
# which it computes from ts_utc
REPLAY_COLUMNS = tuple(c for c in FLAGGED_COLUMNS if c not in ("day", "month"))


def refresh_profiles(state: PartyState, graph: GraphContext) -> None:
    """Compute the profile of every payer touched since the last refresh."""
    for payer_id in list(state.dirty):
        payer_vector(state, payer_id, graph)



__all__ = ["FLAG_COLUMNS", "REPLAY_BATCH", "REPLAY_COLUMNS", "read_kyc", "refresh_profiles",
           "replay_flagged"]

"""The flagged payments are stored packed (one integer of flags, no day or month columns) and
read back unpacked: the feature stages and the SQL readers of FLAGS_TABLE see exactly the
table ``flag_payments`` computes, and the build leaves a view that later builds replace, and
a pair table cut down to the corridor pairs."""

from __future__ import annotations

import pandas as pd

from dentrace.detect.config import load_config
from dentrace.detect.party_state import flag_payments_where
from dentrace.engine.duckdb import DuckDBEngine
from dentrace.features.build import (
    FLAGS_STORED,
    FLAGS_TABLE,
    PAIRS_TABLE,
    build_party_features,
)
from dentrace.features.payments import (
    FLAGGED_COLUMNS,
    PACKED_FLAGS,
    flag_payments,
    pack_flags,
    unpack_flags,
)
from dentrace.features.settings import FeatureSettings
from tests.unit.features.toy_payments import family, mixed_world, payment, warehouse


def _rows() -> list[dict]:
    night_card = payment("night-card", "s9", "b9", 3, 35.0, channel="card", hour=2)
    return [*mixed_world(), *family("f", months=3), night_card]


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("txn_id").reset_index(drop=True)


def test_unpacked_table_is_the_flagged_table() -> None:
    con = warehouse(_rows())
    engine = DuckDBEngine(con)
    flagged = flag_payments(engine.transactions(), FeatureSettings(), "USD")
    expected = _sorted(engine.to_pandas(flagged))
    assert tuple(expected.columns) == FLAGGED_COLUMNS
    stored = engine.materialise("_test_packed", pack_flags(flagged))
    assert stored.columns == (*FLAGGED_COLUMNS[:7], "flags")
    unpacked = _sorted(engine.to_pandas(unpack_flags(stored)))
    pd.testing.assert_frame_equal(unpacked, expected)
    # every flag is set somewhere and clear somewhere, so a wrong bit would show
    varied = [name for name in PACKED_FLAGS if expected[name].nunique() == 2]
    assert {"is_corridor", "is_family", "is_night", "is_card", "is_small"} <= set(varied)


def test_build_leaves_a_view_of_the_packed_table_and_party_state_replaces_it() -> None:
    con = warehouse(_rows())
    build_party_features(con)
    kinds = dict(con.execute(
        """SELECT view_name, 'view' FROM duckdb_views() WHERE NOT internal
           UNION ALL SELECT table_name, 'table' FROM duckdb_tables()""").fetchall())
    assert kinds[FLAGS_TABLE] == "view" and kinds[FLAGS_STORED] == "table"
    # the pair table keeps its corridor pairs only (all that is read after the build)
    corridor, pairs = con.execute(
        f"SELECT bool_and(pair_corridor), count(*) FROM {PAIRS_TABLE}").fetchone()
    expected_pairs = con.execute(
        f"SELECT count(DISTINCT (sender_id, beneficiary_id)) FROM {FLAGS_TABLE} WHERE is_corridor"
    ).fetchone()
    assert corridor and (pairs,) == expected_pairs and pairs > 0
    engine = DuckDBEngine(con)
    expected = _sorted(engine.to_pandas(
        flag_payments(engine.transactions(), FeatureSettings(), "USD")))
    pd.testing.assert_frame_equal(_sorted(con.execute(f"SELECT * FROM {FLAGS_TABLE}").df()),
                                  expected, check_dtype=False)
    # the incremental path flags a subset into a table of the same name, then a build again
    flag_payments_where(con, load_config(), "sender_id = 's9'")
    assert con.execute(f"SELECT count(*) FROM {FLAGS_TABLE}").fetchone() == (1,)
    build_party_features(con)
    assert con.execute(f"SELECT count(*) FROM {FLAGS_TABLE}").fetchone() == (len(expected),)

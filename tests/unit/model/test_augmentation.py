"""Training augmentation: KYC features blanked to NaN (never 0) on a copy of each table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dentrace.evaluate.training import (
    KYC_COLUMNS,
    RoleTable,
    augmented,
    training_rows,
    without_kyc,
)
from dentrace.model.scorer import feature_matrix


def _table() -> RoleTable:
    features = pd.DataFrame({"kyc_age": [25.0, 61.0, 40.0], "kyc_male": [1.0, 0.0, 1.0],
                             "co_payers_age": [50.0, 55.0, np.nan],
                             "corridor_amount_mean": [12.0, 0.0, 30.0]},
                            index=pd.Index(["a", "b", "c"], name="party_id"))
    return RoleTable(features, np.array([1, 0, 0]), np.array([False, False, True]))


def test_without_kyc_blanks_kyc_to_nan_and_keeps_the_rest() -> None:
    table = _table()
    blank = without_kyc(table, "payer")
    assert blank.features[list(KYC_COLUMNS["payer"])].isna().all().all()
    assert blank.features["corridor_amount_mean"].tolist() == [12.0, 0.0, 30.0]
    assert table.features["kyc_age"].tolist() == [25.0, 61.0, 40.0]
    assert (blank.labels == table.labels).all() and (blank.known == table.known).all()
    matrix = feature_matrix(blank.features, ["kyc_age", "kyc_male", "corridor_amount_mean"])
    assert np.isnan(matrix[:, :2]).all() and not np.isnan(matrix[:, 2]).any()


def test_without_kyc_ignores_columns_a_role_lacks() -> None:
    table = _table()
    blank = without_kyc(table, "facilitator")
    pd.testing.assert_frame_equal(blank.features, table.features)


def test_augmented_appends_one_blanked_copy_per_table() -> None:
    tables = augmented([_table(), _table()], "payer")
    assert len(tables) == 4
    assert not tables[0].features["kyc_age"].isna().any()
    assert tables[3].features["kyc_male"].isna().all()


def test_sampling_keeps_every_positive_and_every_hard_negative() -> None:
    n = 1000
    fan_in = np.zeros(n)
    fan_in[:30] = 5.0  # look-alikes: several unrelated small payers, not positives
    fan_in[30:40] = 6.0  # positives
    labels = np.zeros(n, dtype=int)
    labels[30:40] = 1
    features = pd.DataFrame({"unrelated_small_payers": fan_in},
                            index=pd.Index([f"p{i}" for i in range(n)], name="party_id"))
    table = RoleTable(features, labels, np.zeros(n, bool))
    rows = training_rows([table], "facilitator", max_negatives=100)
    kept = set(rows.features.index)
    assert {f"p{i}" for i in range(40)} <= kept  # every look-alike and every positive
    assert len(rows.labels) == 40 + 100 and rows.labels.sum() == 10
    assert len(training_rows([table], "facilitator", max_negatives=5000).labels) == n

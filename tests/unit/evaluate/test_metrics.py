"""Evaluation figures on hand-made score tables whose answers are known."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from dentrace.errors import InputError
from dentrace.evaluate.metrics import measure, measure_role, recall_within_budget
from dentrace.evaluate.report import check_targets, write_outputs
from dentrace.evaluate.world_files import read_truth


def _truth() -> pd.DataFrame:
    rows = [
        ("o1", "payer", "offender", True), ("o2", "payer", "offender", True),
        ("o3", "payer", "offender", True), ("o4", "payer", "offender", True),
        ("d1", "payer", "diaspora", False), ("d2", "payer", "diaspora", False),
        ("d3", "payer", "diaspora", False), ("d4", "payer", "diaspora", False),
        ("w1", "payer", "webcam", False), ("w2", "payer", "webcam", False),
        ("f1", "facilitator", "facilitator", True), ("f2", "facilitator", "facilitator", True),
        ("c1", "facilitator", "charity", False), ("c2", "facilitator", "charity", False),
    ]
    return pd.DataFrame(rows, columns=["party_id", "role", "population", "is_positive"])


def _parties() -> pd.DataFrame:
    rows = [
        # payers: o1..o3 top, then d1 (false alert), o4 below w1
        ("o1", "payer", 0.95, True, "SMALL_CORRIDOR;NIGHT"),
        ("o2", "payer", 0.90, True, "SMALL_CORRIDOR"),
        ("o3", "payer", 0.80, True, "NIGHT"),
        ("d1", "payer", 0.70, True, "SMALL_CORRIDOR"),
        ("w1", "payer", 0.60, False, "NIGHT"),
        ("o4", "payer", 0.50, False, ""),
        ("d2", "payer", 0.20, False, ""),
        ("d3", "payer", 0.10, False, ""),
        ("w2", "payer", 0.05, False, ""),
        # d4 never scored: counts as score 0, no alert
        ("f1", "facilitator", 0.9, True, "FAN_IN"),
        ("c1", "facilitator", 0.8, True, "FAN_IN"),
        ("f2", "facilitator", 0.7, False, ""),
        ("c2", "facilitator", 0.1, False, ""),
        # o1 also receives money: a positive of the other role, left out of facilitators
        ("o1", "facilitator", 0.3, False, ""),
    ]
    return pd.DataFrame(rows, columns=["party_id", "role", "score", "alert", "reasons"])


def test_payer_figures_match_hand_computation() -> None:
    m = measure_role(_parties(), _truth(), "payer", customers=10_000)
    assert m.parties == 10 and m.positives == 4
    # AP: hits at ranks 1,2,3 (precision 1) and 6 (precision 4/6)
    assert m.average_precision == pytest.approx((1 + 1 + 1 + 4 / 6) / 4)
    assert m.alerts == 4
    assert m.alert_precision == pytest.approx(3 / 4)
    assert m.alert_recall == pytest.approx(3 / 4)
    assert m.alerts_per_10k_customers == pytest.approx(4.0)
    assert m.best_precision_at_recall == pytest.approx(4 / 6)
    fpr = {r.population: r for r in m.false_positive_rates}
    assert fpr["diaspora"].parties == 4 and fpr["diaspora"].alerts == 1
    assert fpr["diaspora"].false_positive_rate == pytest.approx(0.25)
    assert fpr["webcam"].false_positive_rate == 0.0
    hits = m.indicator_hit_rates
    assert hits["SMALL_CORRIDOR"]["positives"] == pytest.approx(2 / 4)
    assert hits["SMALL_CORRIDOR"]["diaspora"] == pytest.approx(1 / 4)
    assert hits["NIGHT"]["webcam"] == pytest.approx(1 / 2)


def test_known_parties_are_left_out_and_counted() -> None:
    m = measure_role(_parties(), _truth(), "payer", customers=10_000, known_ids={"o1", "d1"})
    assert m.known_excluded == 2 and m.parties == 8 and m.positives == 3
    assert m.alerts == 2 and m.alert_precision == 1.0
    assert m.average_precision == pytest.approx((1 + 1 + 3 / 4) / 3)


def test_facilitators_leave_out_positives_of_the_other_role() -> None:
    m = measure(_parties(), _truth(), customers=10_000)["facilitator"]
    assert m.ambiguous_excluded == 1
    assert m.parties == 4 and m.positives == 2
    assert m.average_precision == pytest.approx((1 + 2 / 3) / 2)
    assert {r.population: r.alerts for r in m.false_positive_rates} == {"charity": 1}


def test_recall_within_budget_takes_the_top_scores() -> None:
    scores = pd.Series([0.9, 0.8, 0.7, 0.6]).to_numpy()
    labels = pd.Series([True, False, True, True]).to_numpy()
    # 2 alerts per 10k on 10k customers = the top 2
    assert recall_within_budget(scores, labels, 2, 10_000) == pytest.approx(1 / 3)
    assert recall_within_budget(scores, labels, 4, 10_000) == pytest.approx(1.0)


def test_targets_and_outputs_are_written(tmp_path: Path) -> None:
    metrics = measure(_parties(), _truth(), customers=10_000)
    checks = check_targets(metrics, with_known=True)
    assert not next(c for c in checks if c.name == "payer alert precision").met
    paths = write_outputs(tmp_path, metrics, checks, "test world")
    assert paths["chart"].read_bytes()[:4] == b"\x89PNG"
    assert "| diaspora | 4 | 1 | 0.2500 |" in paths["report"].read_text()
    payload = json.loads(paths["metrics"].read_text())
    assert payload["roles"]["payer"]["alerts"] == 4


def test_truth_file_with_bad_boolean_names_row_and_field(tmp_path: Path) -> None:
    path = tmp_path / "truth.csv"
    path.write_text("party_id,role,population,is_positive,group_id\n"
                    "a,payer,offender,true,g1\nb,payer,diaspora,maybe,\n")
    with pytest.raises(InputError) as error:
        read_truth(path)
    assert error.value.row == 3 and error.value.field == "is_positive"

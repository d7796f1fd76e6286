"""Issue 19 defect 7: a reason is given only when its evidence holds, names its counterparties
(a known facilitator that is not a customer by the name on the payments) and its contribution
to the score; the STR narrative says the same."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pandas as pd

from dentrace.contract.alert import AlertRecord
from dentrace.detect import scan
from dentrace.detect.config import load_config
from dentrace.detect.scan import indicator_reasons
from dentrace.report.material import party_material
from dentrace.report.narrative import narrative
from tests.unit.detect.conftest import make_workspace
from tests.unit.features.toy_payments import mixed_world


def _payer_rows(**columns: float) -> pd.DataFrame:
    base = {"n_corridor": 15.0, "late_early_amount_ratio": 1.0, "amount_rank_corr": 0.0,
            "gap_trend_corr": 0.0}
    return pd.DataFrame([{**base, **columns}], index=["p1"])


def test_escalation_is_no_reason_while_amounts_fall() -> None:
    config = load_config()
    # the payer: later payments 0.9x the earlier ones, rank correlation -0.09, paying
    # ever more often (the gaps part alone gives ESCALATION a strength of 0.6)
    falling = _payer_rows(late_early_amount_ratio=0.9, amount_rank_corr=-0.09,
                          gap_trend_corr=-0.6)
    rising = _payer_rows(late_early_amount_ratio=1.6, amount_rank_corr=0.5,
                         gap_trend_corr=-0.6)
    assert "ESCALATION" not in indicator_reasons("payer", falling, config).held[0]
    assert indicator_reasons("payer", falling, config).fired[0]  # its strength and score stay
    assert "ESCALATION" in indicator_reasons("payer", rising, config).held[0]


def _records(workspace: Path) -> dict[str, AlertRecord]:
    alerts = pd.read_parquet(workspace / "alerts.parquet")
    return {r["party_id"]: AlertRecord.of_columns(r) for r in alerts.to_dict("records")}


def test_known_link_names_the_known_facilitators_by_their_payment_name(tmp_path: Path) -> None:
    rows = mixed_world()
    workspace = make_workspace(tmp_path, rows, [("fac-1", "facilitator", "2024-01-01")])
    result = scan(workspace, scorer="rules")
    written = Counter(r["beneficiary_name"] for r in rows if r["beneficiary_id"] == "fac-1")
    top = max(written.values())
    name = min(n for n, count in written.items() if count == top)  # no customer file here
    records = _records(workspace)
    linked = [r for r in records.values() if r.role == "payer" and "KNOWN_LINK" in r.codes]
    assert linked, "the payers of the known facilitator are alerted with KNOWN_LINK"
    for record in linked:
        [reason] = [r for r in record.reasons if r.code == "KNOWN_LINK"]
        assert [(c.party_id, c.name) for c in reason.counterparties] == [("fac-1", name)]
        assert reason.counterparties[0].payments == sum(
            1 for r in rows if r["sender_id"] == record.party_id
            and r["beneficiary_id"] == "fac-1")
        assert reason.values["known_facilitators_paid"] == 1.0
        assert set(reason.txn_ids) <= {r["txn_id"] for r in rows
                                       if r["beneficiary_id"] == "fac-1"}
    # every reason of every alert names whom it concerns, with its contribution
    scores = result.parties.set_index("party_id")["score"]
    for record in records.values():
        for reason in record.reasons:
            if reason.code != "KNOWN":
                assert reason.counterparties, (record.party_id, reason.code)
            assert reason.contribution is not None and reason.contribution >= 0
        total = sum(r.contribution or 0.0 for r in record.reasons)
        assert total <= float(scores.loc[record.party_id]) + 1e-3
    report = narrative(party_material(workspace, linked[0].party_id), "USD")
    assert f"fac-1 ({name})" in report and "to the score" in report


def test_contributions_split_the_rule_score(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path, mixed_world())
    scan(workspace, scorer="rules")
    alerts = pd.read_parquet(workspace / "alerts.parquet").set_index("party_id")
    lone = json.loads(alerts.loc["lone", "reason_details"])
    assert lone["attribution"] == "rules"
    shares = [r["contribution"] for r in lone["reasons"]]
    assert shares == sorted(shares, reverse=True)  # the order of the reasons, strongest first
    assert 0 < sum(shares) <= alerts.loc["lone", "score"] + 1e-3

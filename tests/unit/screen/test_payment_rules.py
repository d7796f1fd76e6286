"""Screening and ingest judge a payment's time and amount by one set of bounds: the same values
go through ``contract_payment`` and through a CSV ingest, and both accept or both refuse,
naming the same field (ingest in the quarantine, screening with a 422)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from fastapi.testclient import TestClient

from dentrace.contract import validity
from dentrace.errors import InputError
from dentrace.ingest import ingest
from dentrace.screen import contract_payment
from dentrace.store import open_warehouse
from tests.unit.screen.test_screen_api import PAYMENT, _post, screening_client  # noqa: F401
from tests.unit.web.conftest import sample_template, workspace  # noqa: F401  (fixtures)

TS = "2025-03-04T21:15:00+10:00"
# (ts, amount, the field refused or None): each edge of the bounds, on both sides.
CASES = [
    (TS, "10.00", None),
    ("1900-01-01T00:00:00+00:00", "10", None),
    ("1899-12-31T23:59:59+00:00", "10", "ts"),
    ("2100-12-31T23:59:59+00:00", "10", None),
    ("2101-01-01T00:00:00+00:00", "10", "ts"),
    ("0000-03-04T21:15:00+10:00", "10", "ts"),
    ("10000-03-04T21:15:00+10:00", "10", "ts"),
    ("1900-01-01T01:00:00+02:00", "10", "ts"),  # 1900 as written, 1899 in UTC
    ("2100-12-31T23:00:00-05:00", "10", "ts"),  # 2100 as written, 2101 in UTC
    ("2025-03-04T21:15:00+14:00", "10", None),
    ("2025-03-04T21:15:00+14:15", "10", "ts"),
    ("2025-03-04T21:15:00-12:00", "10", None),
    ("2025-03-04T21:15:00-12:30", "10", "ts"),
    ("2025-03-04T21:15:00+19:00", "10", "ts"),
    ("2025-03-04T21:15:00+05:45", "10", None),
    ("2025-03-04T21:15:00Z", "10", None),
    (TS, "10000000000000", None),  # the largest amount
    (TS, "10000000000001", "amount"),
    (TS, "1e308", "amount"),
    (TS, "inf", "amount"),
    (TS, "nan", "amount"),
    (TS, "0", "amount"),
    (TS, "-1", "amount"),
    (TS, "0.01", None),
]


def _screened(ts: str, amount: str) -> str | None:
    """The field screening refuses the payment for, None when it takes it."""
    try:
        contract_payment({**PAYMENT, "ts": ts, "amount": amount})
    except InputError as error:
        return error.field
    return None


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str | None]]:
    """Every case as one row of one CSV, ingested once: txn_id -> field quarantined, or None."""
    folder = tmp_path_factory.mktemp("agreement")
    lines = ["txn_id,ts,sender_id,beneficiary_id,amount,currency"]
    lines += [f"case{n},{ts},s1,b1,{amount},USD" for n, (ts, amount, _) in enumerate(CASES)]
    path = folder / "cases.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = ingest(folder / "ws", transactions=path, quiet=True)
    assert report.rows_read == len(CASES)
    con = open_warehouse(folder / "ws", read_only=True)
    try:
        outcome: dict[str, str | None] = {
            str(t): None for (t,) in con.execute("SELECT txn_id FROM transactions").fetchall()}
        for line, field in con.execute("SELECT line, field FROM quarantine").fetchall():
            outcome[f"case{int(line) - 2}"] = str(field)
    finally:
        con.close()
    yield outcome


@pytest.mark.parametrize(("n", "ts", "amount", "field"),
                         [(n, *case) for n, case in enumerate(CASES)])
def test_screening_and_ingest_agree(ingested: dict[str, str | None], n: int, ts: str,
                                    amount: str, field: str | None) -> None:
    assert _screened(ts, amount) == field
    assert ingested[f"case{n}"] == field


def test_the_bounds_keep_reference_amounts_finite() -> None:
    assert validity.AMOUNT_MAX * 1e6 < 1e300  # no currency's rate makes amount_ref infinite
    assert (validity.YEAR_MIN, validity.YEAR_MAX) == (1900, 2100)
    assert (validity.OFFSET_MIN, validity.OFFSET_MAX) == (-12 * 60, 14 * 60)


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"ts": "10000-03-04T21:15:00+10:00"}, "ts", "years 1900 to 2100"),
    ({"ts": "2026-03-06T23:10:00+19:00"}, "ts", "UTC offset"),
    ({"amount": 1e308}, "amount", "above"),
])
def test_out_of_range_payment_422_names_the_field(
        screening_client: TestClient, change: dict[str, Any], field: str,  # noqa: F811
        words: str) -> None:
    answer = _post(screening_client, {**PAYMENT, **change}, "sam")
    assert answer.status_code == 422
    assert f"field '{field}'" in answer.json()["detail"]
    assert words in answer.json()["detail"]


def test_screening_and_ingest_give_the_same_reason(tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    path.write_text("txn_id,ts,sender_id,beneficiary_id,amount,currency\n"
                    "t1,2025-03-04T21:15:00+19:00,s1,b1,10,USD\n"
                    "t2,2025-03-04T21:15:00+10:00,s1,b1,1e308,USD\n", encoding="utf-8")
    ingest(tmp_path / "ws", transactions=path, quiet=True)
    con = open_warehouse(tmp_path / "ws", read_only=True)
    reasons = [str(r) for (r,) in con.execute("SELECT reason FROM quarantine ORDER BY line")
               .fetchall()]
    con.close()
    assert reasons[0].startswith(validity.OFFSET_RANGE)
    assert reasons[1].startswith(validity.AMOUNT_RANGE)
    for ts, amount, reason in (("2025-03-04T21:15:00+19:00", "10", validity.OFFSET_RANGE),
                               (TS, "1e308", validity.AMOUNT_RANGE)):
        with pytest.raises(InputError, match=re.escape(reason)):
            contract_payment({**PAYMENT, "ts": ts, "amount": amount})


@pytest.mark.parametrize(("change", "field"), [
    ({"txn_id": "t\x02"}, "txn_id"), ({"sender_id": "s\x00"}, "sender_id"),
    ({"beneficiary_id": "b\ufffe"}, "beneficiary_id"), ({"memo": "GIFT\x01"}, None),
    ({"sender_name": "Ann\x0bLee", "memo": "tab\tand\x85"}, None),
    ({"beneficiary_id": "b" * 129}, "beneficiary_id"), ({"txn_id": "t" * 4000}, "txn_id"),
])
def test_characters_xml_cannot_hold_are_judged_alike(tmp_path: Path, change: dict[str, str],
                                                    field: str | None) -> None:
    """Screening refuses the id ingest quarantines, with the same words, and cleans the text
    ingest cleans to the same value."""
    values = {**PAYMENT, "amount": "45", **change}
    columns = list(values)
    path = tmp_path / "one.parquet"  # Parquet holds any character, as a JSON request does
    con = duckdb.connect()
    con.execute(f"CREATE TABLE t ({', '.join(f'{c} VARCHAR' for c in columns)})")
    con.execute(f"INSERT INTO t VALUES ({', '.join('?' for _ in columns)})",
                [values[c] for c in columns])
    con.execute(f"COPY t TO '{path}' (FORMAT parquet)")
    con.close()
    ingest(tmp_path / "ws", transactions=path, quiet=True)
    stored = open_warehouse(tmp_path / "ws", read_only=True)
    try:
        quarantined = stored.execute("SELECT field, reason FROM quarantine").fetchall()
        kept = stored.execute("SELECT memo, sender_name FROM transactions").fetchall()
    finally:
        stored.close()
    if field is None:
        payment = contract_payment(values)
        assert quarantined == [] and kept == [(payment["memo"], payment["sender_name"])]
        assert "\ufffd" in f"{payment['memo']} {payment['sender_name']}"
        return
    with pytest.raises(InputError) as refused:
        contract_payment(values)
    assert refused.value.field == field == quarantined[0][0]
    assert str(quarantined[0][1]) in str(refused.value)

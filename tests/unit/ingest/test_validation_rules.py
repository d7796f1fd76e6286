"""One test per validation rule, on a fixture file of bad rows next to good ones."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from dentrace.ingest import ingest
from tests.unit.ingest.ingest_rows import HEADER, good_row

BAD_ROWS = [
    good_row("ok1"),
    ",2025-03-04T21:15:00Z,s1,b1,5,USD,card,",  # 3: missing txn_id
    "m2,2025-03-04T21:15:00Z,,b1,5,USD,card,",  # 4: missing sender_id
    "p1,yesterday evening,s1,b1,5,USD,card,",  # 5
    "n1,2025-03-04 21:15:00,s1,b1,5,USD,card,",  # 6: naive
    "a1,2025-03-04T21:15:00Z,s1,b1,ten,USD,card,",  # 7
    "a2,2025-03-04T21:15:00Z,s1,b1,0,USD,card,",  # 8
    "a3,2025-03-04T21:15:00Z,s1,b1,-3.5,USD,card,",  # 9
    "c1,2025-03-04T21:15:00Z,s1,b1,5,XYZ,card,",  # 10
    good_row("ok1", amount="99.00"),  # 11: same id, other content
    good_row("ok1"),  # 12: same id, same content -> duplicate
    "f1,2025-03-04T21:15:00Z,s1,b1,5,USD,card",  # 13: 7 fields
    "f2,2025-03-04T21:15:00Z,s1,b1,5,USD,card,x,y",  # 14: 9 fields
]
BROKEN = b"e1,2025-03-04T21:15:00Z,s\xff1,b1,5,USD,card,\n"  # line 15


@pytest.fixture
def bad_file(tmp_path: Path) -> Path:
    path = tmp_path / "bad.csv"
    text = "\n".join([HEADER, *BAD_ROWS]) + "\n"
    path.write_bytes(text.encode() + BROKEN)
    return path


@pytest.fixture
def quarantined(bad_file: Path, tmp_path: Path,
                query: Callable[[str], list[tuple[object, ...]]]) -> dict[int, tuple[str, str]]:
    report = ingest(tmp_path / "ws", transactions=bad_file, quiet=True)
    assert (report.rows_read, report.rows_accepted) == (14, 1)
    assert (report.rows_quarantined, report.rows_duplicate) == (12, 1)
    rows = query("SELECT line, field, reason FROM quarantine")
    return {int(str(line)): (str(field), str(reason)) for line, field, reason in rows}


@pytest.mark.parametrize(("line", "field", "reason"), [
    (3, "txn_id", "missing required field"),
    (4, "sender_id", "missing required field"),
    (5, "ts", "unparseable timestamp"),
    (6, "ts", "naive timestamp"),
    (7, "amount", "non-numeric amount"),
    (8, "amount", "non-positive amount"),
    (9, "amount", "non-positive amount"),
    (10, "currency", "unknown currency 'XYZ'"),
    (11, "txn_id", "same txn_id as line 2"),
    (13, "None", "wrong number of fields: expected 8, found 7"),
    (14, "None", "wrong number of fields: expected 8, found 9"),
    (15, "sender_id", "broken encoding"),
])
def test_each_rule_quarantines_with_line_field_and_reason(
    quarantined: dict[int, tuple[str, str]], line: int, field: str, reason: str
) -> None:
    assert quarantined[line][0] == field
    assert reason in quarantined[line][1]


def test_duplicate_row_is_counted_not_quarantined(
    quarantined: dict[int, tuple[str, str]]
) -> None:
    assert 12 not in quarantined
    assert 2 not in quarantined


def test_raw_text_of_unreadable_rows_is_kept(
    quarantined: dict[int, tuple[str, str]], query: Callable[[str], list[tuple[object, ...]]]
) -> None:
    raws = dict(query("SELECT line, raw FROM quarantine WHERE line IN (13, 15)"))
    assert raws[13] == BAD_ROWS[11]
    assert "\\xff" in str(raws[15])


def test_naive_timestamp_accepted_with_default_zone(
    write_csv: Callable[..., Path], tmp_path: Path,
    query: Callable[[str], list[tuple[object, ...]]],
) -> None:
    path = write_csv("naive.csv", ["n1,2025-07-01 12:00:00,s1,b1,5,USD,card,",
                                   "n2,2025-01-15T12:00,s1,b1,5,USD,card,"])
    report = ingest(tmp_path / "ws", transactions=path, default_tz="Europe/Berlin", quiet=True)
    assert report.rows_accepted == 2
    rows = query("SELECT txn_id, ts_utc::VARCHAR, utc_offset_min FROM transactions ORDER BY 1")
    assert rows == [("n1", "2025-07-01 10:00:00", 120), ("n2", "2025-01-15 11:00:00", 60)]


def test_offsets_give_utc_instant_and_local_wall_clock(
    write_csv: Callable[..., Path], tmp_path: Path,
    query: Callable[[str], list[tuple[object, ...]]],
) -> None:
    path = write_csv("tz.csv", ["o1,2025-03-04T21:15:00+10:00,s1,b1,5,USD,card,",
                                "o2,2025-03-04T21:15:30.5-0530,s1,b1,5,USD,card,",
                                "o3,2025-03-04 21:15Z,s1,b1,5,USD,card,"])
    ingest(tmp_path / "ws", transactions=path, quiet=True)
    rows = query("SELECT txn_id, ts_utc::VARCHAR, ts_local::VARCHAR, utc_offset_min "
                 "FROM transactions ORDER BY 1")
    assert rows == [
        ("o1", "2025-03-04 11:15:00", "2025-03-04 21:15:00", 600),
        ("o2", "2025-03-05 02:45:30.5", "2025-03-04 21:15:30.5", -330),
        ("o3", "2025-03-04 21:15:00", "2025-03-04 21:15:00", 0),
    ]

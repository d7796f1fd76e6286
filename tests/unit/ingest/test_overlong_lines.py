"""A line longer than any payment row (a file of NUL bytes, a runaway field) is quarantined
with its line and length, its text cut short, and the valid rows around it still load."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from dentrace.errors import HeaderError
from dentrace.ingest import ingest
from dentrace.ingest.mapping import Mapping
from dentrace.ingest.readers import common, csv_fast
from dentrace.ingest.readers.csv_reader import RAW_KEPT
from tests.unit.ingest.ingest_rows import HEADER, good_row

Query = Callable[[str], list[tuple[object, ...]]]


def _write(path: Path, *parts: bytes) -> Path:
    path.write_bytes(b"".join(parts))
    return path


def _rows(first: int, count: int) -> bytes:
    return "".join(good_row(f"t{i}") + "\n" for i in range(first, first + count)).encode()


@pytest.mark.parametrize("filler", [b"\0", b"x", b"a,"])
def test_an_overlong_line_is_quarantined_and_the_valid_rows_load(
        tmp_path: Path, query: Query, filler: bytes) -> None:
    size = common.MAX_LINE_CHARS + 4096
    path = _write(tmp_path / "hostile.csv", HEADER.encode() + b"\n", _rows(0, 5),
                  filler * (size // len(filler)) + b"\n", _rows(5, 5),
                  filler * (size // len(filler)))  # the last line has no line break
    report = ingest(tmp_path / "ws", transactions=path, quiet=True)
    assert (report.rows_read, report.rows_accepted, report.rows_quarantined) == (12, 10, 2)
    assert query("SELECT txn_id FROM transactions ORDER BY source_line") == \
        [(f"t{i}",) for i in range(10)]
    quarantined = query("SELECT file, line, reason, length(raw) FROM quarantine ORDER BY line")
    assert [row[:2] for row in quarantined] == [(str(path), 7), (str(path), 13)]
    for _, line, reason, kept in quarantined:
        assert f"line {line} holds more than {common.MAX_LINE_CHARS:,} characters" in str(reason)
        assert isinstance(kept, int) and kept <= RAW_KEPT + 100  # not the whole line


def test_a_line_at_the_limit_is_read(tmp_path: Path, query: Query,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "MAX_LINE_CHARS", 200)
    fits = good_row("fits").encode()
    fits += b"x" * (200 - len(fits))
    over = good_row("over").encode() + b"x" * (201 - len(good_row("over")))
    path = _write(tmp_path / "edge.csv", HEADER.encode() + b"\n", fits + b"\r\n",
                  over + b"\n", _rows(0, 1))
    report = ingest(tmp_path / "ws", transactions=path, quiet=True)
    assert (report.rows_read, report.rows_accepted, report.rows_quarantined) == (3, 2, 1)
    assert query("SELECT line FROM quarantine") == [(3,)]


def test_a_quoted_field_that_never_ends_stops_at_the_limit(
        tmp_path: Path, query: Query, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "MAX_LINE_CHARS", 500)
    runaway = b't9,2025-03-04T21:15:00+10:00,s1,b1,1,USD,wallet,"open\n' + b"more text\n" * 100
    path = _write(tmp_path / "quote.csv", HEADER.encode() + b"\n", _rows(0, 2), runaway)
    report = ingest(tmp_path / "ws", transactions=path, quiet=True)
    assert report.rows_accepted == 2
    assert report.rows_read == report.rows_accepted + report.rows_quarantined
    reasons = query("SELECT line, reason FROM quarantine ORDER BY line")
    assert reasons[0][0] == 4 and "holds more than 500 characters" in str(reasons[0][1])


@pytest.mark.parametrize("offset", [0, 7, 50, 63, 64, 65, 130])
def test_the_line_count_gives_up_on_a_long_line_wherever_it_falls(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, offset: int) -> None:
    monkeypatch.setattr(common, "MAX_LINE_CHARS", 100)
    monkeypatch.setattr(csv_fast, "_BLOCK", 64)  # lines cross blocks
    short = b"".join(b"%02d" % n + b"y" * 37 + b"\n" for n in range(8))
    path = _write(tmp_path / "short.csv", short)
    assert csv_fast.count_lines(path, Mapping()) == 8
    long = _write(tmp_path / "long.csv", short[:offset], b"\n", b"z" * 101, b"\n", short)
    assert csv_fast.count_lines(long, Mapping()) is None


def test_a_file_of_nul_bytes_alone_stops_at_its_header(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "MAX_LINE_CHARS", 1000)
    path = _write(tmp_path / "nul.csv", b"\0" * 5000)
    with pytest.raises(HeaderError, match="header row holds more than 1,000 characters") as err:
        ingest(tmp_path / "ws", transactions=path, quiet=True)
    assert err.value.file == str(path) and err.value.row == 1

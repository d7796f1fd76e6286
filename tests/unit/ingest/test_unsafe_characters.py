"""Characters XML cannot hold (C0 controls but tab and line breaks, U+FFFE/U+FFFF) never reach
the warehouse: in names, memos and codes each becomes U+FFFD and the row is counted as cleaned;
in an id the row is quarantined. DEL and C1 controls, which XML holds, are kept as given."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from lxml import etree

from dentrace.ingest import ingest
from dentrace.ingest.rules import UNSAFE_CHARACTERS
from dentrace.store import open_warehouse

Query = Callable[[str], list[tuple[object, ...]]]
HEADER = ("txn_id,ts,sender_id,beneficiary_id,amount,currency,sender_name,"
          "beneficiary_country,channel,memo")
TS = "2025-03-04T21:15:00+10:00"
# (txn_id, sender_id, sender_name, beneficiary_country, channel, memo)
ROWS = [
    ("t1", "s1", "Ann", "PH", "wallet", "GIFT\x01"),
    ("t2", "s1", "Ann\x0bLee", "P\x7fH", "wal\x00let", "a\x85b\ufffe\uffffc"),
    ("t3", "s1", "Ann", "PH", "wallet", "tab\tand\nbreak"),  # kept as they are
    ("t4", "s1", "Ann", "PH", "wallet", 'broken before: \ufffd C:\\users "q"'),  # not counted
    ("t\x02", "s1", "Ann", "PH", "wallet", "id"),
    ("t6", "s\x1f", "Ann", "PH", "wallet", "id"),
]
CLEANED = {"t1": ("Ann", "PH", "wallet", "GIFT\ufffd"),
           "t2": ("Ann\ufffdLee", "P\x7fH", "wal\ufffdlet", "a\x85b\ufffd\ufffdc"),
           "t3": ("Ann", "PH", "wallet", "tab\tand\nbreak"),
           "t4": ("Ann", "PH", "wallet", 'broken before: \ufffd C:\\users "q"')}


def _csv(path: Path, one_line_rows: bool = False) -> Path:
    """The rows as CSV; with ``one_line_rows`` no value holds a line break, so DuckDB's own
    reader takes the file (csv_fast), else Python's csv module does."""
    def cell(value: str) -> str:
        value = value.replace("\n", "\t") if one_line_rows else value
        return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\n') else value
    lines = [HEADER] + [",".join(cell(v) for v in (t, TS, s, "b1", "10", "USD", n, c, ch, m))
                        for t, s, n, c, ch, m in ROWS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _parquet(path: Path) -> Path:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (txn_id VARCHAR, ts VARCHAR, sender_id VARCHAR, "
                "beneficiary_id VARCHAR, amount VARCHAR, currency VARCHAR, sender_name VARCHAR, "
                "beneficiary_country VARCHAR, channel VARCHAR, memo VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [[t, TS, s, "b1", "10", "USD", n, c, ch, m] for t, s, n, c, ch, m in ROWS])
    con.execute(f"COPY t TO '{path}' (FORMAT parquet)")
    con.close()
    return path


def _assert_cleaned(tmp_path: Path, query: Query, path: Path, id_lines: tuple[int, int],
                    one_line_rows: bool = False) -> None:
    report = ingest(tmp_path / "ws", transactions=path, quiet=True)
    assert (report.rows_read, report.rows_accepted, report.rows_quarantined) == (6, 4, 2)
    assert report.files[0].rows_cleaned == 2
    summary = json.loads((tmp_path / "ws" / "summary.json").read_text(encoding="utf-8"))
    assert summary["ingest_files"][0]["rows_cleaned"] == 2
    kept = query("SELECT txn_id, sender_name, beneficiary_country, channel, memo "
                 "FROM transactions ORDER BY source_line")
    expected = dict(CLEANED)
    if one_line_rows:
        expected["t3"] = ("Ann", "PH", "wallet", "tab\tand\tbreak")
    assert {str(row[0]): row[1:] for row in kept} == expected
    bad = query("SELECT line, field, reason, raw FROM quarantine ORDER BY line")
    assert [(line, field) for line, field, _, _ in bad] == [(id_lines[0], "txn_id"),
                                                            (id_lines[1], "sender_id")]
    assert "U+0002" in str(bad[0][2]) and "U+001F" in str(bad[1][2])
    for _, _, reason, raw in bad:  # the quarantine itself shows them escaped
        etree.Element("r").text = f"{reason} {raw}"


@pytest.mark.parametrize("one_line_rows", [False, True])
def test_csv_rows_are_cleaned_or_quarantined(tmp_path: Path, query: Query,
                                             one_line_rows: bool) -> None:
    path = _csv(tmp_path / "hostile.csv", one_line_rows)
    # Lines of the rows with a bad id: t3's memo takes two lines unless ``one_line_rows``.
    _assert_cleaned(tmp_path, query, path, (6, 7) if one_line_rows else (7, 8), one_line_rows)


def test_parquet_rows_are_cleaned_or_quarantined(tmp_path: Path, query: Query) -> None:
    _assert_cleaned(tmp_path, query, _parquet(tmp_path / "hostile.parquet"), (5, 6))


def test_every_stored_text_can_be_written_as_xml(tmp_path: Path, query: Query) -> None:
    ingest(tmp_path / "ws", transactions=_csv(tmp_path / "hostile.csv"), quiet=True)
    for row in query("SELECT * FROM transactions"):
        for value in row:
            if isinstance(value, str):
                etree.Element("value").text = value  # raises on what XML cannot hold


PACS008 = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"><FIToFICstmrCdtTrf>
 <GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-03-06T23:40:00+10:00</CreDtTm><NbOfTxs>1</NbOfTxs>
 </GrpHdr>
 <CdtTrfTxInf><PmtId><EndToEndId>E1</EndToEndId><TxId>X1</TxId></PmtId>
  <IntrBkSttlmAmt Ccy="AUD">55</IntrBkSttlmAmt>
  <Dbtr><Nm>John&#x7F;Sample</Nm></Dbtr><DbtrAcct><Id><Othr><Id>A1</Id></Othr></Id></DbtrAcct>
  <CdtrAcct><Id><Othr><Id>B1</Id></Othr></Id></CdtrAcct>
  <RmtInf><Ustrd>school&#x85;fees</Ustrd></RmtInf></CdtTrfTxInf>
</FIToFICstmrCdtTrf></Document>"""


def test_iso20022_controls_xml_holds_are_kept(tmp_path: Path, query: Query) -> None:
    path = tmp_path / "m.xml"
    path.write_text(PACS008, encoding="utf-8")
    report = ingest(tmp_path / "ws", transactions=path, quiet=True)
    assert (report.rows_accepted, report.files[0].rows_cleaned) == (1, 0)
    assert query("SELECT sender_name, memo FROM transactions") == \
        [("John\x7fSample", "school\x85fees")]


def test_customer_names_are_cleaned_and_ids_quarantined(tmp_path: Path, query: Query) -> None:
    path = tmp_path / "customers.csv"
    path.write_text("customer_id,name,occupation\nc1,Ann\x01,dri\x0cver\nc\x00,Bob,cook\n",
                    encoding="utf-8")
    report = ingest(tmp_path / "ws", customers=path, quiet=True)
    assert (report.rows_accepted, report.rows_quarantined, report.files[0].rows_cleaned) == \
        (1, 1, 1)
    assert query("SELECT customer_id, name, occupation FROM customers") == \
        [("c1", "Ann\ufffd", "dri\ufffdver")]
    assert query("SELECT line, field FROM quarantine") == [(3, "customer_id")]


@pytest.mark.parametrize("char", ["\x00", "\x08", "\x0b", "\x0c", "\x0e", "\x1f", "\ufffe",
                                  "\uffff"])
def test_the_pattern_covers_each_unsafe_character(char: str) -> None:
    con = duckdb.connect()
    assert con.execute("SELECT regexp_matches(?, ?)", [f"a{char}b", UNSAFE_CHARACTERS]
                       ).fetchall() == [(True,)]
    assert con.execute("SELECT regexp_matches(?, ?)", ["a\tb\nc\rd\x7f\x85\u00a0e\ufffd",
                                                      UNSAFE_CHARACTERS]).fetchall() == [(False,)]


def test_an_id_of_128_characters_loads_and_a_longer_one_is_quarantined(tmp_path: Path) -> None:
    """The cases store keeps 128 characters of a party id: a longer id is quarantined."""
    path = tmp_path / "ids.csv"
    path.write_text("txn_id,ts,sender_id,beneficiary_id,amount,currency\n"
                    f"t1,2025-03-04T21:15:00+10:00,{'s' * 128},b1,10,USD\n"
                    f"t2,2025-03-04T21:15:00+10:00,s1,{'b' * 129},10,USD\n", encoding="utf-8")
    ingest(tmp_path / "ws", transactions=path, quiet=True)
    con = open_warehouse(tmp_path / "ws", read_only=True)
    try:
        loaded = con.execute("SELECT txn_id FROM transactions").fetchall()
        quarantined = con.execute("SELECT field, reason FROM quarantine").fetchall()
    finally:
        con.close()
    assert loaded == [("t1",)]
    assert quarantined == [("beneficiary_id", "id longer than 128 characters")]

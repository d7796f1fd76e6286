"""ISO 20022 XML files ingest through the same rules as CSV and Parquet."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from dentrace.ingest import ingest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "iso20022" / "valid"


def test_xml_messages_load_with_their_source_lines(tmp_path: Path,
                                                   query: Callable[[str], list]) -> None:
    report = ingest(tmp_path / "ws", transactions=FIXTURES / "pain001_several_payments.xml",
                    quiet=True)
    assert report.rows_read == report.rows_accepted + report.rows_quarantined
    assert report.rows_accepted >= 1
    rows = query("SELECT txn_id, utc_offset_min, memo, source_line FROM transactions "
                 "ORDER BY source_line LIMIT 1")
    assert rows == [("DT-PAIN-2025-0001:NOTPROVIDED", 600, "school fees for March", 40)]

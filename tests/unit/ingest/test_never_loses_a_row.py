"""Property: whatever the input, rows_read = accepted + quarantined + duplicate, the warehouse
holds exactly the accepted rows and quarantined ones, and none of their text holds a character
XML cannot hold."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dentrace.contract.validity import UNSAFE_CHARACTERS
from dentrace.ingest import ingest
from dentrace.store import open_warehouse
from tests.unit.ingest.ingest_rows import HEADER

ids = st.sampled_from(["t1", "t2", "t3", "", " t1"])
stamps = st.sampled_from(["2025-03-04T21:15:00+10:00", "2025-03-04 21:15:00", "nope", "",
                          "2025-03-04T21:15Z", "2025-13-04T21:15:00+01:00"])
amounts = st.sampled_from(["10", "0", "-1", "1e3", "abc", "", "3,5", "NaN"])
currencies = st.sampled_from(["USD", "EUR", "XXX", "", "php"])
junk = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\r\n"),
               max_size=6)
cells = st.one_of(junk, st.sampled_from(["", "s1", "b1"]))
rows = st.tuples(ids, stamps, cells, cells, amounts, currencies, junk, junk).map(list)
extra_fields = st.lists(junk, max_size=2)
lines = st.lists(st.one_of(rows, st.tuples(rows, extra_fields).map(lambda r: r[0] + r[1]),
                           rows.map(lambda r: r[:5])), max_size=12)
raw_bytes = st.binary(max_size=40)


def _csv_line(cells: list[str]) -> str:
    return ",".join('"' + c.replace('"', '""') + '"' if any(x in c for x in ',"') else c
                    for c in cells)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches=st.lists(st.tuples(lines, raw_bytes), min_size=1, max_size=2))
def test_counts_reconcile_whatever_the_input(
        batches: list[tuple[list[list[str]], bytes]]) -> None:
    tmp = Path(tempfile.mkdtemp())
    try:
        read = accepted = quarantined = 0
        for n, (body, tail) in enumerate(batches):
            path = tmp / f"in{n}.csv"
            text = "\n".join([HEADER, *(_csv_line(r) for r in body)]) + "\n"
            path.write_bytes(text.encode("utf-8") + tail)
            report = ingest(tmp / "ws", transactions=path, quiet=True)
            assert report.rows_read == (report.rows_accepted + report.rows_quarantined
                                        + report.rows_duplicate)
            if not report.files[0].already_ingested:
                read += report.rows_read
                accepted += report.rows_accepted
                quarantined += report.rows_quarantined
        con = open_warehouse(tmp / "ws", read_only=True)
        stored = con.execute("SELECT (SELECT count(*) FROM transactions), "
                             "(SELECT count(*) FROM quarantine)").fetchone()
        texts = con.execute("SELECT * EXCLUDE (extra) FROM transactions UNION ALL BY NAME "
                            "SELECT reason, raw FROM quarantine").fetchall()
        con.close()
        assert stored == (accepted, quarantined)
        # Whatever came in, nothing stored is a character XML cannot hold.
        assert not any(isinstance(v, str) and UNSAFE_CHARACTERS.search(v)
                       for row in texts for v in row)
        assert read >= accepted + quarantined
    finally:
        shutil.rmtree(tmp)

"""Turn a batch's parties and payments into contract tables and write them as CSV or Parquet.

Tables are appended batch by batch, so a world of any size is written in bounded memory.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dentrace.contract.schema import CHANNELS, CUSTOMERS, KNOWN, TRANSACTIONS, TRUTH
from dentrace.synth.batch import OCCUPATIONS, Batch
from dentrace.synth.institution import Institution, offset_text
from dentrace.synth.ledger import ROUND_UNITS, Parties
from dentrace.synth.plan import POPULATIONS
from dentrace.writing.csvsafe import CsvTableWriter

FORMATS = ("csv", "parquet")
# rows per Parquet row group: DuckDB's own row-group size. A reader such as DuckDB reads one
# row group per thread, so pyarrow's default (1,048,576 rows) would let one core load most of
# a file while the other waits (docs/performance.md, "What bounds the ingest per file")
PARQUET_ROW_GROUP = 122_880


class TableFile:
    """One output table written incrementally (CSV with one header, or Parquet row groups)."""

    def __init__(self, path: Path, fmt: str) -> None:
        self.path = path
        self.fmt = fmt
        self._writer: Any = None
        self.rows = 0

    def write(self, table: pa.Table) -> None:
        if self.fmt == "csv" and "amount" in table.column_names:  # '50.00', not '50'
            i = table.column_names.index("amount")
            table = table.set_column(i, "amount", pc.round(table["amount"], 2).cast(
                pa.decimal128(16, 2), safe=False))
        if self._writer is None:
            if self.fmt == "parquet":
                self._writer = pq.ParquetWriter(self.path, table.schema, compression="zstd")
            else:
                self._writer = CsvTableWriter(self.path, table.schema)  # spreadsheet-safe
        if self.fmt == "parquet":
            self._writer.write_table(table, row_group_size=PARQUET_ROW_GROUP)
        else:
            self._writer.write_table(table)
        self.rows += table.num_rows

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()


def payments_table(batch: Batch, offsets: np.ndarray, first_number: int) -> pa.Table:
    """The batch's payments in contract columns, in time order."""
    pay = batch.payments
    inst = batch.plan.institution
    day, second = pay.column("day").astype(np.int64), pay.column("second").astype(np.int64)
    order = np.lexsort((second, day))
    day, second = day[order], second[order]
    tz = pay.column("tz")[order].astype(np.int64)
    start = (inst.start - date(1970, 1, 1)).days * 86400
    local = pa.array(start + day * 86400 + second, type=pa.timestamp("s"))
    stamps = pc.strftime(local, format="%Y-%m-%dT%H:%M:%S")
    texts = pa.array([offset_text(int(m)) for m in offsets.ravel()], type=pa.string())
    ts = pc.binary_join_element_wise(stamps, texts.take(pa.array(tz * inst.days + day)), "")
    sender = pa.array(pay.column("sender")[order])
    receiver = pa.array(pay.column("beneficiary")[order])
    ids = pa.array(batch.parties.column("ids"), type=pa.string())
    names = pa.array(batch.parties.column("names"), type=pa.string())
    countries = pa.array(batch.parties.column("countries"), type=pa.string())
    numbers = batch.plan.ids.payment_numbers(first_number, len(order))
    txn_id = pc.binary_join_element_wise(
        pa.scalar("TX"), pc.utf8_lpad(pa.array(numbers).cast(pa.string()), 12, "0"), "")
    columns = {
        "txn_id": txn_id, "ts": ts, "sender_id": ids.take(sender),
        "beneficiary_id": ids.take(receiver),
        "amount": _amounts(pay.column("usd")[order], pay.column("round_code")[order], inst),
        "currency": pa.array(np.full(len(order), inst.currency), type=pa.string()),
        "sender_name": names.take(sender), "sender_country": countries.take(sender),
        "beneficiary_name": names.take(receiver), "beneficiary_country": countries.take(receiver),
        "channel": pa.array(CHANNELS, type=pa.string()).take(
            pa.array(pay.column("channel")[order].astype(np.int64))),
        "memo": pa.array(pay.column("memo")[order], type=pa.string()),
    }
    assert list(columns) == TRANSACTIONS.names
    return pa.table(columns)


def _amounts(usd: np.ndarray, codes: np.ndarray, inst: Institution) -> pa.Array:
    """Home-currency amounts: cents kept, or rounded to 1/5/10/50 units (x10 for SEK)."""
    amount = usd * inst.per_usd
    unit = ROUND_UNITS[codes.astype(np.int64)] * (10.0 if inst.currency == "SEK" else 1.0)
    rounded = np.maximum(unit, np.round(amount / np.where(unit > 0, unit, 1)) * unit)
    final = np.round(np.where(unit > 0, rounded, np.maximum(amount, 0.01)), 2)
    return pa.array(final, type=pa.float64())


def customers_table(batch: Batch) -> pa.Table:
    """KYC rows of the batch's customers."""
    rng = batch.rng
    inst = batch.plan.institution
    n = len(batch.numbers)
    business = batch.population == POPULATIONS.index("business")
    start = np.datetime64(inst.start)
    lived = np.round(batch.age * 365.25 + rng.integers(0, 365, n)).astype("timedelta64[D]")
    birth: np.ndarray = start - lived
    years = rng.uniform(0.1, np.clip(batch.age - 14, 0.2, 25))
    since = start - np.round(years * 365.25).astype("timedelta64[D]")
    occupation = np.array(OCCUPATIONS, dtype=object)[rng.integers(0, len(OCCUPATIONS), n)]
    occupation[batch.age > 66] = "Retired"
    occupation[batch.age < 19] = "Student"
    occupation[rng.random(n) < 0.1] = None
    gender = np.where(batch.female, "F", "M").astype(object)
    nationality = np.where((batch.origin != inst.home.country) & (rng.random(n) < 0.5),
                           batch.origin, inst.home.country).astype(object)
    for column in (gender, nationality, occupation):
        column[business] = None
    columns = {
        "customer_id": pa.array(batch.parties.column("ids")[batch.pos], type=pa.string()),
        "name": pa.array(batch.names, type=pa.string()),
        "birth_date": pa.array(_blank(birth.astype(object), business), type=pa.date32()),
        "gender": pa.array(gender, type=pa.string()),
        "country": pa.array(np.full(n, inst.home.country), type=pa.string()),
        "nationality": pa.array(nationality, type=pa.string()),
        "occupation": pa.array(occupation, type=pa.string()),
        "customer_since": pa.array(since.astype(object), type=pa.date32()),
    }
    assert list(columns) == CUSTOMERS.names
    return pa.table(columns)


def _blank(values: np.ndarray, where: np.ndarray) -> np.ndarray:
    out = values.copy()
    out[where] = None
    return out


def truth_table(parties: Parties, keep: np.ndarray) -> pa.Table:
    """Truth rows (party, role, population, positive, group) of the parties in ``keep``."""
    columns = {
        "party_id": pa.array(parties.column("ids")[keep], type=pa.string()),
        "role": pa.array(parties.column("roles")[keep], type=pa.string()),
        "population": pa.array(parties.column("populations")[keep], type=pa.string()),
        "is_positive": pa.array(parties.column("positive")[keep], type=pa.bool_()),
        "group_id": pa.array(parties.column("groups")[keep], type=pa.string()),
    }
    assert list(columns) == TRUTH.names
    return pa.table(columns)


def known_table(rows: list[tuple[str, str, str]]) -> pa.Table:
    """The known-outcomes table (party_id, label, as_of)."""
    columns = {
        "party_id": pa.array([r[0] for r in rows], type=pa.string()),
        "label": pa.array([r[1] for r in rows], type=pa.string()),
        "as_of": pa.array([np.datetime64(r[2]).astype(object) for r in rows], type=pa.date32()),
    }
    assert list(columns) == KNOWN.names
    return pa.table(columns)

"""CSV and CSV.gz reader: Python's csv module, so every row keeps its physical line number.

Rows with the wrong number of fields, bytes the encoding cannot decode or more characters than
a row may have are kept, marked for quarantine with their raw text (cut short); the rest go to
DuckDB in Arrow chunks. No line is ever held whole past ``MAX_LINE_CHARS``.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, cast

import duckdb
import pyarrow as pa

from dentrace.errors import HeaderError, InputError
from dentrace.ingest.mapping import Mapping
from dentrace.ingest.readers import common, csv_fast
from dentrace.ingest.readers.common import BOOKKEEPING, ROWS, STAGING, Progress, quote

CHUNK_ROWS = 100_000
_UNDECODABLE = re.compile("[\udc80-\udcff]")
csv.field_size_limit(16 * 1024 * 1024)


RAW_KEPT = 4096  # characters of a quarantined row's raw text kept (the rest is counted)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class _Overlong(Exception):
    """Raised by the tap instead of the line that takes a record past ``MAX_LINE_CHARS``:
    the record's characters read (``length``), physical lines used and first characters."""

    def __init__(self, length: int, lines: int, head: str) -> None:
        super().__init__(f"{length} characters")
        self.length, self.lines, self.head = length, lines, head


class _LineTap:
    """Iterates a text file's lines for csv.reader while keeping the current record's text.

    Lines are read with a size limit, so a line of 2 GiB costs a few MiB, not a copy of it:
    one that would take the record past ``MAX_LINE_CHARS`` is read to its end piece by piece,
    counted and dropped (``_Overlong``); csv.reader starts afresh on the next line.
    """

    def __init__(self, text: IO[str]) -> None:
        self.text = text
        self.lines: list[str] = []
        self.size = 0  # characters of the record so far, line breaks included

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        room = common.MAX_LINE_CHARS - self.size
        line = self.text.readline(max(room, 0) + 2)  # + 2: room for the line break
        if not line:
            raise StopIteration
        body = len(line.rstrip("\r\n"))
        if body > room:
            raise self._overlong(line, body)
        self.size += len(line)
        self.lines.append(line)
        return line

    def _overlong(self, line: str, body: int) -> _Overlong:
        """Read the rest of ``line``'s physical line in pieces and forget the record."""
        length, piece = self.size + body, line
        while piece and not piece.endswith(("\n", "\r")):
            piece = self.text.readline(common.MAX_LINE_CHARS)
            length += len(piece.rstrip("\r\n"))
        head = ("".join(self.lines) + line)[:RAW_KEPT]
        error = _Overlong(length, len(self.lines) + 1, head)
        self.lines.clear()
        self.size = 0
        return error

    def take(self) -> str:
        out = "".join(self.lines)
        self.lines.clear()
        self.size = 0
        return out


def _open(path: Path, mapping: Mapping) -> tuple[IO[bytes], IO[str]]:
    disk = open(path, "rb")  # noqa: SIM115 - closed by the caller through the text wrapper
    raw: IO[bytes] = disk
    if path.name.lower().endswith(".gz"):
        raw = cast(IO[bytes], gzip.GzipFile(fileobj=disk))
    encoding = mapping.encoding
    if codecs.lookup(encoding).name == "utf-8":
        encoding = "utf-8-sig"
    return disk, io.TextIOWrapper(raw, encoding=encoding, errors="surrogateescape", newline="")


def _reader(tap: _LineTap, mapping: Mapping) -> Iterator[list[str]]:
    return csv.reader(tap, delimiter=mapping.delimiter)


def _header(rows: Iterator[list[str]], tap: _LineTap, path: Path) -> list[str]:
    try:
        header = next(rows)
    except StopIteration:
        raise HeaderError("empty file: no header row", file=path) from None
    except _Overlong as exc:
        raise HeaderError(f"header row holds more than {common.MAX_LINE_CHARS:,} characters",
                          file=path, row=1) from exc
    except (csv.Error, EOFError, OSError) as exc:
        raise HeaderError(f"unreadable header row ({exc})", file=path) from exc
    tap.take()
    names = [h.strip() for h in header]
    if _UNDECODABLE.search("".join(names)):
        raise HeaderError("header row is not valid text in the file's encoding", file=path, row=1)
    if not names or any(not n for n in names):
        raise HeaderError("header row has an empty column name", file=path, row=1)
    lowered = [n.lower() for n in names]
    dupes = sorted({n for n in lowered if lowered.count(n) > 1})
    if dupes:
        raise HeaderError(f"header names a column twice: {', '.join(dupes)}",
                          file=path, row=1, field=dupes[0])
    return names


def read_header(path: Path, mapping: Mapping) -> list[str]:
    """The header of a CSV file, checked (not empty, no blank or repeated names)."""
    try:
        disk, text = _open(path, mapping)
    except OSError as exc:
        raise HeaderError(f"cannot open ({exc})", file=path) from exc
    with disk, text:
        tap = _LineTap(text)
        return _header(_reader(tap, mapping), tap, path)


def stage(
    con: duckdb.DuckDBPyConnection, path: Path, mapping: Mapping, progress: Progress | None
) -> list[str]:
    """Read ``path`` into the staging table; return its column names."""
    lines = csv_fast.count_lines(path, mapping)
    if lines is not None:
        names = read_header(path, mapping)
        if csv_fast.stage(con, path, mapping, names, lines):
            con.execute(f"CREATE OR REPLACE TEMP VIEW {STAGING} AS SELECT * FROM {ROWS}")
            if progress:
                progress(1, 1)
            return names
    disk, text = _open(path, mapping)
    total = path.stat().st_size
    with disk, text:
        tap = _LineTap(text)
        rows = _reader(tap, mapping)
        names = _header(rows, tap, path)
        cols = ", ".join(f"{quote(n)} VARCHAR" for n in names)
        con.execute(f"""CREATE OR REPLACE TEMP TABLE {ROWS} ({cols}, _dt_line BIGINT,
            _dt_fault_field VARCHAR, _dt_fault_reason VARCHAR, _dt_raw VARCHAR)""")
        con.execute(f"CREATE OR REPLACE TEMP VIEW {STAGING} AS SELECT * FROM {ROWS}")
        chunk = _Chunk(len(names))
        for batch in _records(rows, tap, names, path):
            chunk.add(*batch)
            if chunk.size >= CHUNK_ROWS:
                chunk.flush(con)
                if progress:
                    progress(disk.tell(), total)
        chunk.flush(con)
        if progress:
            progress(total, total)
    return names


def _records(
    rows: Iterator[list[str]], tap: _LineTap, names: list[str], path: Path
) -> Iterator[tuple[list[str] | None, int, str | None, str | None, str | None]]:
    """(values, line, fault field, fault reason, raw text) per record; blank lines skipped."""
    line = 2  # physical line where the next record starts; the header is line 1
    width = len(names)
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except _Overlong as exc:
            yield None, line, None, _overlong_reason(line, exc), _printable(exc.head, exc.length)
            line += exc.lines
            continue
        except (csv.Error, EOFError, OSError) as exc:
            raw = tap.take()
            yield None, line, None, f"unreadable row ({exc})", _printable(raw)
            line += max(raw.count("\n"), 1)
            if isinstance(exc, EOFError | OSError):
                return
            continue
        raw = tap.take()
        start, line = line, line + max(raw.count("\n"), 1)
        if not values:
            continue
        if len(values) != width:
            yield None, start, None, f"wrong number of fields: expected {width}, " \
                f"found {len(values)}", _printable(raw)
        elif _UNDECODABLE.search(raw):
            bad = next(n for n, v in zip(names, values, strict=True) if _UNDECODABLE.search(v))
            yield None, start, bad, "broken encoding: bytes not valid in the file's " \
                "encoding", _printable(raw)
        else:
            yield values, start, None, None, None


def _overlong_reason(start: int, exc: _Overlong) -> str:
    limit = f"more than {common.MAX_LINE_CHARS:,} characters"
    if exc.lines == 1:
        return f"line {start} holds {limit} ({exc.length:,}): not read"
    return (f"the row from line {start} to line {start + exc.lines - 1} holds {limit} "
            "(a quote never closed?): not read")


def _printable(raw: str, length: int | None = None) -> str:
    """Raw text that can be stored and shown: undecodable bytes and control characters as
    \\xNN, cut to ``RAW_KEPT`` characters with the full ``length`` noted."""
    length = len(raw) if length is None else length
    text = raw[:RAW_KEPT].rstrip("\r\n")
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    cut = length > RAW_KEPT or len(text) > RAW_KEPT
    return text[:RAW_KEPT] + (f"... ({length:,} characters in all)" if cut else "")


class _Chunk:
    """Rows gathered column-wise, sent to DuckDB as one Arrow table."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.rows: list[list[str] | list[None]] = []
        self.meta: list[tuple[int, str | None, str | None, str | None]] = []

    @property
    def size(self) -> int:
        return len(self.rows)

    def add(self, values: list[str] | None, line: int, field: str | None,
            reason: str | None, raw: str | None) -> None:
        self.rows.append(values if values is not None else [None] * self.width)
        self.meta.append((line, field, reason, raw))

    def flush(self, con: duckdb.DuckDBPyConnection) -> None:
        if not self.rows:
            return
        columns = list(zip(*self.rows, strict=True)) if self.width else []
        arrays = [pa.array(col, pa.string()) for col in columns]
        line, field, reason, raw = zip(*self.meta, strict=True)
        arrays += [pa.array(line, pa.int64()), pa.array(field, pa.string()),
                   pa.array(reason, pa.string()), pa.array(raw, pa.string())]
        names = [f"c{i}" for i in range(self.width)] + list(BOOKKEEPING)
        con.register("_dt_chunk", pa.Table.from_arrays(arrays, names=names))
        try:
            con.execute(f"INSERT INTO {ROWS} SELECT * FROM _dt_chunk")
        except duckdb.Error as exc:
            raise InputError(f"cannot stage rows ({exc})") from exc
        finally:
            con.unregister("_dt_chunk")
        self.rows.clear()
        self.meta.clear()

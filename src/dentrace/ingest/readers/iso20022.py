"""Read ISO 20022 credit transfers (pacs.008, pain.001; any version, bare or in an envelope)
into rows of the contract's transaction columns, streaming each file with lxml.iterparse.

Mapping choices (one row per CdtTrfTxInf; every value a string, kept as written):
- txn_id: PmtId/TxId, else PmtId/UETR, else ``MsgId:EndToEndId``. The end-to-end id is chosen
  by the payer and is often reused (``NOTPROVIDED``), so it is always prefixed with the message
  id; if the pair still repeats inside one message, ``#n`` (the transaction's 1-based position
  in the message) is appended. The same file therefore always yields the same ids.
- ts: the transaction's AccptncDtTm, else (pain.001) ReqdExctnDt/DtTm, else the group header
  CreDtTm. A date-only ReqdExctnDt is not used: it carries no time of day, and the time-of-day
  indicators would read every such payment as made at midnight. Offsets are kept as written;
  a value without one stays naive for the ingest step to resolve.
- channel: "wire" (pacs.008) or "transfer" (pain.001), unless a category purpose or purpose
  code names a card payment (CCRD, DCRD, ICCP, IDCP), a proprietary purpose, category or local
  instrument equals a contract channel name, or the pain.001 payment method is a cheque.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa
from lxml import etree

from dentrace.contract.schema import CHANNELS, TRANSACTIONS
from dentrace.errors import InputError

__all__ = ["SCHEMA", "message_files", "read_message_batches", "read_messages"]

SCHEMA = pa.schema(
    [pa.field(name, pa.string()) for name in TRANSACTIONS.names]
    + [pa.field("source_file", pa.string()), pa.field("source_line", pa.int64())]
)

PACS_008 = "FIToFICstmrCdtTrf"
PAIN_001 = "CstmrCdtTrfInitn"
MESSAGE_NAMES = {PACS_008: "pacs.008", PAIN_001: "pain.001"}
CARD_PURPOSE_CODES = frozenset({"CCRD", "DCRD", "ICCP", "IDCP"})
SNIFF_CHUNK = 64 * 1024

# Called with (bytes read, bytes in total) across all files, for a progress bar.
Progress = Callable[[int, int], None]


def read_messages(path: Path, progress: Progress | None = None) -> pa.Table:
    """Read one message file or a folder of them (``*.xml``, recursively) into one table."""
    batches = list(read_message_batches(path, progress=progress))
    return pa.Table.from_batches(batches, schema=SCHEMA)


def read_message_batches(
    path: Path, rows_per_batch: int = 50_000, progress: Progress | None = None
) -> Iterator[pa.RecordBatch]:
    """Yield the transactions of ``path`` in record batches of at most ``rows_per_batch`` rows."""
    files = message_files(path)
    total = sum(file.stat().st_size for file in files)
    done = 0
    columns: dict[str, list[object]] = {name: [] for name in SCHEMA.names}
    for file in files:
        with file.open("rb") as stream:
            for row in _file_transactions(file, stream):
                for name in SCHEMA.names:
                    columns[name].append(row[name])
                if len(columns["txn_id"]) == rows_per_batch:
                    yield pa.RecordBatch.from_pydict(columns, schema=SCHEMA)
                    columns = {name: [] for name in SCHEMA.names}
                    if progress is not None:
                        progress(done + stream.tell(), total)
        done += file.stat().st_size
        if progress is not None:
            progress(done, total)
    if columns["txn_id"]:
        yield pa.RecordBatch.from_pydict(columns, schema=SCHEMA)


def message_files(path: Path) -> list[Path]:
    """The XML files to read: ``path`` itself, or every ``*.xml`` below a folder, sorted."""
    path = Path(path)
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise InputError("no such file or folder", file=path)
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".xml")
    if not files:
        raise InputError("folder holds no *.xml ISO 20022 message", file=path)
    return files


# --- parsing -----------------------------------------------------------------------------------


def _local(elem: etree._Element) -> str:
    return etree.QName(elem).localname


def _syntax_error(file: Path, error: etree.XMLSyntaxError) -> InputError:
    line = error.lineno or 1
    reason = error.msg or str(error)
    return InputError(f"malformed XML at line {line}: {reason}", file=file, row=line)


class _MessageSniffer:
    """Parser target that finds the message element: the first child of a Document, or a
    pacs.008/pain.001 element anywhere (for envelopes that drop the Document level)."""

    def __init__(self) -> None:
        self.stack: list[str] = []
        self.root: str | None = None
        self.found: str | None = None

    def start(self, tag: str, attrib: object) -> None:
        name = etree.QName(tag).localname
        self.root = self.root or name
        if self.found is None and (name in MESSAGE_NAMES or self.stack[-1:] == ["Document"]):
            self.found = name
        self.stack.append(name)

    def end(self, tag: str) -> None:
        self.stack.pop()

    def close(self) -> None:
        return None


def _message_kind(file: Path) -> str:
    """Name the file's message element, or raise naming the root and what was found instead."""
    sniffer = _MessageSniffer()
    parser = etree.XMLParser(
        target=sniffer, resolve_entities=False, no_network=True, load_dtd=False
    )
    try:
        with file.open("rb") as stream:
            while sniffer.found is None and (chunk := stream.read(SNIFF_CHUNK)):
                parser.feed(chunk)
            if sniffer.found is None:
                parser.close()
    except etree.XMLSyntaxError as error:
        raise _syntax_error(file, error) from error
    if sniffer.found in MESSAGE_NAMES:
        return sniffer.found
    inner = f" holding <{sniffer.found}>" if sniffer.found else ""
    raise InputError(
        f"not a pacs.008 or pain.001 message: root element <{sniffer.root}>{inner}", file=file
    )


def _file_transactions(file: Path, stream: BinaryIO) -> Iterator[dict[str, object]]:
    """Stream one file's CdtTrfTxInf elements as rows, freeing each once read."""
    _message_kind(file)
    header = payment = _Scope(None)
    payment_elem: etree._Element | None = None
    position = 0
    seen_fallback_ids: set[str] = set()
    context = etree.iterparse(
        stream,
        events=("end",),
        tag=("{*}CdtTrfTxInf", "{*}PmtInf", "{*}GrpHdr"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
    )
    try:
        for _, elem in context:
            name = _local(elem)
            if name == "GrpHdr":  # a new message begins: ids are unique per message
                header, position = _Scope(elem), 0
                seen_fallback_ids.clear()
                continue
            if name == "CdtTrfTxInf":
                parent = _message_parent(file, elem)
                if _local(parent) == "PmtInf" and parent is not payment_elem:
                    payment_elem, payment = parent, _Scope(parent, skip="CdtTrfTxInf")
                position += 1
                is_pain = parent is payment_elem
                tx = _Scope(elem)
                row = _transaction_row(tx, payment if is_pain else None, header)
                row["txn_id"] = _transaction_id(tx, header, position, seen_fallback_ids)
                row["source_file"] = str(file)
                row["source_line"] = elem.sourceline
                yield row
            _drop_read(elem, name)
    except etree.XMLSyntaxError as error:
        raise _syntax_error(file, error) from error


def _message_parent(file: Path, tx: etree._Element) -> etree._Element:
    """The PmtInf (pain.001) or FIToFICstmrCdtTrf (pacs.008) holding a CdtTrfTxInf."""
    parent = tx.getparent()
    name = _local(parent) if parent is not None else "none"
    if parent is None or name not in ("PmtInf", PACS_008):
        raise InputError(
            f"CdtTrfTxInf inside <{name}>: not a pacs.008 or pain.001 message",
            file=file,
            row=tx.sourceline,
        )
    return parent


def _drop_read(elem: etree._Element, name: str) -> None:
    """Free a fully read element and its read predecessors, so large files stream in bounded
    memory; only earlier siblings are deleted, as lxml allows during iterparse."""
    elem.clear(keep_tail=True)
    previous = elem.getprevious()
    while previous is not None and _local(previous) == name:
        elem.getparent().remove(previous)
        previous = elem.getprevious()


# --- mapping -----------------------------------------------------------------------------------


class _Scope:
    """The elements below one element, indexed by their path of local names (``PmtId/TxId``),
    so that every lookup is namespace-agnostic and the subtree is walked only once."""

    def __init__(self, elem: etree._Element | None, skip: str | None = None) -> None:
        self.index: dict[str, list[etree._Element]] = {}
        if elem is not None:
            self._walk(elem, "", skip)

    def _walk(self, elem: etree._Element, prefix: str, skip: str | None) -> None:
        for child in elem:
            if not isinstance(child.tag, str):  # comments, processing instructions
                continue
            name = child.tag.rpartition("}")[2]
            if name == skip:
                continue
            path = prefix + name
            self.index.setdefault(path, []).append(child)
            if len(child):
                self._walk(child, path + "/", None)

    def all(self, path: str) -> list[etree._Element]:
        return self.index.get(path, [])

    def first(self, *paths: str) -> etree._Element | None:
        for path in paths:
            if path in self.index:
                return self.index[path][0]
        return None

    def text(self, *paths: str) -> str | None:
        """The first non-empty stripped text found at ``paths``."""
        for path in paths:
            for elem in self.index.get(path, ()):
                if elem.text and elem.text.strip():
                    return str(elem.text.strip())
        return None

    def texts(self, path: str) -> list[str]:
        return [e.text.strip() for e in self.all(path) if e.text and e.text.strip()]


def _transaction_row(tx: _Scope, payment: _Scope | None, header: _Scope) -> dict[str, object]:
    """Map one CdtTrfTxInf onto the contract columns; ``payment`` is its PmtInf (pain.001)."""
    if payment is None:
        amount = tx.first("IntrBkSttlmAmt", "InstdAmt")
        debtor_side = tx
    else:
        amount = tx.first("Amt/InstdAmt", "Amt/EqvtAmt/Amt")
        debtor_side = payment
    sender_id, sender_name, sender_country = _party(debtor_side, "Dbtr")
    beneficiary_id, beneficiary_name, beneficiary_country = _party(tx, "Cdtr")
    return {
        "ts": tx.text("AccptncDtTm")
        or (payment.text("ReqdExctnDt/DtTm") if payment else None)
        or header.text("CreDtTm"),
        "sender_id": sender_id,
        "beneficiary_id": beneficiary_id,
        "amount": amount.text.strip() if amount is not None and amount.text else None,
        "currency": (amount.get("Ccy") or None) if amount is not None else None,
        "sender_name": sender_name,
        "sender_country": sender_country,
        "beneficiary_name": beneficiary_name,
        "beneficiary_country": beneficiary_country,
        "channel": _channel(tx, payment, header),
        "memo": _memo(tx),
    }


def _transaction_id(
    tx: _Scope, header: _Scope, position: int, seen_fallback_ids: set[str]
) -> str | None:
    direct = tx.text("PmtId/TxId", "PmtId/UETR")
    if direct:
        return direct
    end_to_end = tx.text("PmtId/EndToEndId")
    if end_to_end is None:
        return None
    msg_id = header.text("MsgId")
    candidate = f"{msg_id}:{end_to_end}" if msg_id else end_to_end
    if candidate in seen_fallback_ids:
        candidate = f"{candidate}#{position}"
    seen_fallback_ids.add(candidate)
    return candidate


def _party(side: _Scope, role: str) -> tuple[str | None, str | None, str | None]:
    """Account id, name and country of the debtor (``Dbtr``) or creditor (``Cdtr``)."""
    name = side.text(f"{role}/Nm")
    party_id = side.text(
        *(
            f"{role}/Id/{path}"
            for path in (
                "OrgId/AnyBIC",
                "OrgId/BICOrBEI",
                "OrgId/LEI",
                "OrgId/Othr/Id",
                "PrvtId/Othr/Id",
            )
        )
    )
    account_id = side.text(f"{role}Acct/Id/IBAN", f"{role}Acct/Id/Othr/Id", f"{role}Acct/Prxy/Id")
    country = side.text(f"{role}/PstlAdr/Ctry", f"{role}/CtryOfRes")
    if country is None:
        bic = side.text(f"{role}Agt/FinInstnId/BICFI", f"{role}Agt/FinInstnId/BIC")
        if bic and len(bic) >= 6 and bic[4:6].isalpha():
            country = bic[4:6].upper()
    return account_id or party_id or name, name, country


def _memo(tx: _Scope) -> str | None:
    """Unstructured remittance lines joined by spaces, then the structured references."""
    unstructured = tx.texts("RmtInf/Ustrd")
    parts = [" ".join(unstructured)] if unstructured else []
    for path in ("CdtrRefInf/Ref", "RfrdDocInf/Nb", "AddtlRmtInf"):
        parts.extend(tx.texts(f"RmtInf/Strd/{path}"))
    return "; ".join(parts) or None


def _channel(tx: _Scope, payment: _Scope | None, header: _Scope) -> str:
    """The contract channel: the message's default unless its purpose or category says more."""
    scopes = [tx, payment, header] if payment else [tx, header]
    codes = [scope.text("PmtTpInf/CtgyPurp/Cd") for scope in scopes] + [tx.text("Purp/Cd")]
    if any(code and code.upper() in CARD_PURPOSE_CODES for code in codes):
        return "card"
    proprietary = [
        scope.text(path)
        for scope in scopes
        for path in ("PmtTpInf/CtgyPurp/Prtry", "PmtTpInf/LclInstrm/Prtry")
    ] + [tx.text("Purp/Prtry")]
    for value in proprietary:
        if value and value.lower() in CHANNELS:
            return value.lower()
    if payment is None:
        return "wire"
    return "cheque" if payment.text("PmtMtd") == "CHK" else "transfer"

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

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

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


def read_messages(path: Path) -> pa.Table:
    """Read one message file or a folder of them (``*.xml``, recursively) into one table."""
    return pa.Table.from_batches(list(read_message_batches(path)), schema=SCHEMA)


def read_message_batches(path: Path, rows_per_batch: int = 50_000) -> Iterator[pa.RecordBatch]:
    """Yield the transactions of ``path`` in record batches of at most ``rows_per_batch`` rows."""
    columns: dict[str, list[object]] = {name: [] for name in SCHEMA.names}
    count = 0
    for file in message_files(path):
        for row in _file_transactions(file):
            for name in SCHEMA.names:
                columns[name].append(row.get(name))
            count += 1
            if count == rows_per_batch:
                yield pa.RecordBatch.from_pydict(columns, schema=SCHEMA)
                columns = {name: [] for name in SCHEMA.names}
                count = 0
    if count:
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


def _file_transactions(file: Path) -> Iterator[dict[str, object]]:
    """Stream one file's CdtTrfTxInf elements as rows, freeing each once read."""
    _message_kind(file)
    position = 0
    seen_fallback_ids: set[str] = set()
    context = etree.iterparse(
        str(file),
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
                position = 0
                seen_fallback_ids.clear()
                continue
            if name == "CdtTrfTxInf":
                position += 1
                row = _transaction_row(file, elem, position, seen_fallback_ids)
                row["source_file"] = str(file)
                row["source_line"] = elem.sourceline
                yield row
            _drop_read(elem, name)
    except etree.XMLSyntaxError as error:
        raise _syntax_error(file, error) from error


def _drop_read(elem: etree._Element, name: str) -> None:
    """Free a fully read element and its read predecessors, so large files stream in bounded
    memory; only earlier siblings are deleted, as lxml allows during iterparse."""
    elem.clear(keep_tail=True)
    previous = elem.getprevious()
    while previous is not None and _local(previous) == name:
        elem.getparent().remove(previous)
        previous = elem.getprevious()


# --- mapping -----------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _xpath(path: str) -> str:
    return "/".join("{*}" + step for step in path.split("/"))


def _text(elem: etree._Element | None, *paths: str) -> str | None:
    """The first non-empty stripped text found at ``paths`` (local names, ``/``-separated)."""
    if elem is None:
        return None
    for path in paths:
        found = elem.find(_xpath(path))
        if found is not None and found.text and found.text.strip():
            return found.text.strip()
    return None


def _child(elem: etree._Element | None, name: str) -> etree._Element | None:
    return None if elem is None else elem.find(_xpath(name))


def _transaction_row(
    file: Path, tx: etree._Element, position: int, seen_fallback_ids: set[str]
) -> dict[str, object]:
    """Map one CdtTrfTxInf onto the contract columns."""
    parent = tx.getparent()
    parent_name = _local(parent) if parent is not None else "none"
    if parent is None or parent_name not in ("PmtInf", PACS_008):
        raise InputError(
            f"CdtTrfTxInf inside <{parent_name}>: not a pacs.008 or pain.001 message",
            file=file,
            row=tx.sourceline,
        )
    is_pain = parent_name == "PmtInf"
    payment = parent if is_pain else None
    message = parent.getparent() if is_pain else parent
    header = _child(message, "GrpHdr")
    debtor_side = payment if payment is not None else tx
    amount = tx.find(_xpath("IntrBkSttlmAmt")) if not is_pain else None
    if amount is None:
        amount = _first_element(tx, "Amt/InstdAmt", "Amt/EqvtAmt/Amt", "InstdAmt")
    sender_id, sender_name, sender_country = _party(debtor_side, "Dbtr")
    beneficiary_id, beneficiary_name, beneficiary_country = _party(tx, "Cdtr")
    return {
        "txn_id": _transaction_id(tx, header, position, seen_fallback_ids),
        "ts": _text(tx, "AccptncDtTm")
        or _text(payment, "ReqdExctnDt/DtTm")
        or _text(header, "CreDtTm"),
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


def _first_element(elem: etree._Element, *paths: str) -> etree._Element | None:
    for path in paths:
        found = elem.find(_xpath(path))
        if found is not None:
            return found
    return None


def _transaction_id(
    tx: etree._Element,
    header: etree._Element | None,
    position: int,
    seen_fallback_ids: set[str],
) -> str | None:
    direct = _text(tx, "PmtId/TxId", "PmtId/UETR")
    if direct:
        return direct
    end_to_end = _text(tx, "PmtId/EndToEndId")
    if end_to_end is None:
        return None
    msg_id = _text(header, "MsgId")
    candidate = f"{msg_id}:{end_to_end}" if msg_id else end_to_end
    if candidate in seen_fallback_ids:
        candidate = f"{candidate}#{position}"
    seen_fallback_ids.add(candidate)
    return candidate


def _party(side: etree._Element, role: str) -> tuple[str | None, str | None, str | None]:
    """Account id, name and country of the debtor (``Dbtr``) or creditor (``Cdtr``)."""
    party = _child(side, role)
    account = _child(side, f"{role}Acct")
    name = _text(party, "Nm")
    party_id = _text(
        party,
        "Id/OrgId/AnyBIC",
        "Id/OrgId/BICOrBEI",
        "Id/OrgId/LEI",
        "Id/OrgId/Othr/Id",
        "Id/PrvtId/Othr/Id",
    )
    account_id = _text(account, "Id/IBAN", "Id/Othr/Id", "Prxy/Id")
    country = _text(party, "PstlAdr/Ctry", "CtryOfRes")
    if country is None:
        bic = _text(side, f"{role}Agt/FinInstnId/BICFI", f"{role}Agt/FinInstnId/BIC")
        if bic and len(bic) >= 6 and bic[4:6].isalpha():
            country = bic[4:6].upper()
    return account_id or party_id or name, name, country


def _memo(tx: etree._Element) -> str | None:
    """Unstructured remittance lines joined by spaces, then the structured references."""
    remittance = _child(tx, "RmtInf")
    if remittance is None:
        return None
    unstructured = [
        e.text.strip() for e in remittance.findall(_xpath("Ustrd")) if e.text and e.text.strip()
    ]
    parts = [" ".join(unstructured)] if unstructured else []
    for structured in remittance.findall(_xpath("Strd")):
        for path in ("CdtrRefInf/Ref", "RfrdDocInf/Nb", "AddtlRmtInf"):
            for e in structured.findall(_xpath(path)):
                if e.text and e.text.strip():
                    parts.append(e.text.strip())
    return "; ".join(parts) or None


def _channel(
    tx: etree._Element, payment: etree._Element | None, header: etree._Element | None
) -> str:
    """The contract channel: the message's default unless its purpose or category says more."""
    scopes = [tx, payment, header]
    codes = [_text(scope, "PmtTpInf/CtgyPurp/Cd") for scope in scopes] + [_text(tx, "Purp/Cd")]
    if any(code and code.upper() in CARD_PURPOSE_CODES for code in codes):
        return "card"
    proprietary = [
        _text(scope, path)
        for scope in scopes
        for path in ("PmtTpInf/CtgyPurp/Prtry", "PmtTpInf/LclInstrm/Prtry")
    ] + [_text(tx, "Purp/Prtry")]
    for value in proprietary:
        if value and value.lower() in CHANNELS:
            return value.lower()
    if payment is None:
        return "wire"
    return "cheque" if _text(payment, "PmtMtd") == "CHK" else "transfer"

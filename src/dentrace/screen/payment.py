"""A screened payment from its two wire forms: contract JSON or an ISO 20022 pacs.008 message,
checked field by field (errors name the request, the transaction and the field)."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from dentrace.contract import validity
from dentrace.errors import DentraceError, InputError
from dentrace.ingest.readers.iso20022 import read_messages


class UnsupportedContent(DentraceError):
    """A request body in a form screening does not read (HTTP 415)."""


REQUIRED = ("txn_id", "ts", "sender_id", "beneficiary_id", "amount", "currency")
IDS = ("txn_id", "sender_id", "beneficiary_id")
OPTIONAL = ("sender_name", "sender_country", "beneficiary_name", "beneficiary_country",
            "channel", "memo")


def _text(value: Any, name: str, source: str, row: int | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise InputError(f"'{name}' must be text", file=source, row=row, field=name)
    text = str(value).strip(" ")  # spaces only, as ingest trims (DuckDB trim)
    return text or None


def contract_payment(values: dict[str, Any], source: str = "request",
                     row: int | None = None) -> dict[str, Any]:
    """The contract fields of one payment, with ``ts`` an aware datetime, ``amount`` a float."""
    if not isinstance(values, dict):
        raise InputError("a payment must be a JSON object", file=source, row=row)
    payment: dict[str, Any] = {}
    for name in (*REQUIRED, *OPTIONAL):
        payment[name] = _text(values.get(name), name, source, row)
        if name in REQUIRED and payment[name] is None:
            raise InputError(f"'{name}' is required", file=source, row=row, field=name)
    # Characters XML cannot hold: an id is refused, other text cleaned, as ingest does.
    for name in IDS:
        unsafe = validity.unsafe_id_problem(payment[name])
        if unsafe:
            raise InputError(f"'{name}' {unsafe}", file=source, row=row, field=name)
    for name in OPTIONAL:
        if payment[name] is not None:
            payment[name] = validity.safe_text(payment[name])
    payment.update(ts=_timestamp(payment["ts"], source, row),
                   amount=_amount(payment["amount"], source, row),
                   currency=str(payment["currency"]).upper())
    return payment


def _timestamp(text: str, source: str, row: int | None) -> datetime:
    """``ts`` as an aware datetime within the bounds ingest keeps (``contract.validity``)."""
    try:
        ts = datetime.fromisoformat(text)
    except ValueError as error:
        why = validity.year_problem(text) or "is not an ISO 8601 time"
        raise InputError(f"'ts' {why}: {text!r}", file=source, row=row, field="ts") from error
    if ts.utcoffset() is None:
        raise InputError("'ts' needs a UTC offset (the sender's local time, e.g. +08:00)",
                         file=source, row=row, field="ts")
    out_of_bounds = validity.timestamp_problem(ts)
    if out_of_bounds:
        raise InputError(f"'ts' {out_of_bounds}: {text!r}", file=source, row=row, field="ts")
    return ts


def _amount(text: str, source: str, row: int | None) -> float:
    """``amount`` as a float within the bounds ingest keeps (``contract.validity``)."""
    try:
        amount = float(text)
    except ValueError as error:
        raise InputError(f"'amount' is not a number: {text!r}", file=source, row=row,
                         field="amount") from error
    problem = validity.amount_problem(amount)
    if problem:
        raise InputError(f"'amount' {problem}: {text!r}", file=source, row=row,
                         field="amount")
    return amount


def pacs008_payments(message: bytes, source: str = "request") -> list[dict[str, Any]]:
    """Every credit transfer of a pacs.008 (or pain.001) message, as contract payments."""
    with tempfile.TemporaryDirectory(prefix="dentrace-screen-") as folder:
        path = Path(folder) / "message.xml"
        path.write_bytes(message)
        try:
            rows = read_messages(path).to_pylist()
        except InputError as error:
            raise InputError(str(error).replace(str(path), source), file=None) from error
    if not rows:
        raise InputError("the message holds no credit transfer (CdtTrfTxInf)", file=source)
    return [contract_payment(row, source, row=int(row.get("source_line") or 0) or None)
            for row in rows]


def request_payment(body: bytes, content_type: str) -> dict[str, Any]:
    """The contract payment of a request body: JSON (``application/json``, or no type), or a
    pacs.008 message with one transfer (``application/xml``, ``text/xml``)."""
    kind = content_type.split(";")[0].strip().lower()
    if kind in ("application/xml", "text/xml"):
        payments = pacs008_payments(body)
        if len(payments) != 1:
            raise InputError(f"the message holds {len(payments)} credit transfers; "
                             "screen one payment per request", file="request")
        return payments[0]
    if kind not in ("application/json", ""):
        raise UnsupportedContent(f"send application/json or application/xml, not {kind}")
    try:
        values = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise InputError(f"the body is not JSON: {error}", file="request") from error
    return contract_payment(values)

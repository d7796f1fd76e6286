"""A signals file is read only when its signature verifies under a trusted sender's key and it
was made under a consortium key we hold; hostile files fail with an error naming the file, the
signal (as its row) and the field."""

from __future__ import annotations

import base64
import json
from datetime import date
from pathlib import Path

import pytest

from dentrace.share import (
    SignalFileError,
    SignatureError,
    UnknownKeyError,
    UnknownSenderError,
    new_signing_key,
    read_signals,
    read_trusted_senders,
)
from dentrace.share.encoding import BYTES
from dentrace.share.keys import ConsortiumKeys, SigningIdentity
from dentrace.share.signals import ENCODING, FORMAT, Signal, write_signals

SIGNAL = Signal("ab" * 16, "facilitator", "confirmed", date(2025, 3, 1),
                (("phone", "cd" * 32),), "ef" * 8, bytes(BYTES))


def _file(tmp_path: Path, bank_a: SigningIdentity, key_id: str = "2026-12") -> Path:
    return write_signals(tmp_path / "a.signals", bank_a, key_id, "2026-12-07T00:00:00Z",
                         [SIGNAL], ["12" * 16])


def _signed(path: Path, identity: SigningIdentity, body: dict[str, object]) -> Path:
    raw = json.dumps(body).encode("ascii")
    signature = base64.b64encode(identity.private_key.sign(raw)).decode("ascii")
    envelope = json.dumps({"format": FORMAT, "sender": identity.institution,
                           "signature": signature})
    path.write_bytes(envelope.encode("ascii") + b"\n" + raw)
    return path


def _body(**changes: object) -> dict[str, object]:
    signal = {"id": "ab" * 16, "role": "facilitator", "strength": "known", "date": "2025-03-01",
              "tokens": [{"kind": "iban", "token": "cd" * 32}], "name": None}
    body: dict[str, object] = {"format": FORMAT, "sender": "BANK-A", "key_id": "2026-12",
                               "created": "", "encoding": ENCODING, "signals": [signal],
                               "revoked": []}
    for name, value in changes.items():
        if name.startswith("signal_"):
            signal[name.removeprefix("signal_")] = value
        else:
            body[name] = value
    return body


def test_a_signed_file_reads_back(tmp_path: Path, bank_a: SigningIdentity,
                                  senders_file: Path,
                                  consortium: tuple[Path, ConsortiumKeys]) -> None:
    read = read_signals(_file(tmp_path, bank_a), read_trusted_senders(senders_file),
                        consortium[1])
    assert read.sender == "BANK-A" and read.key_id == "2026-12"
    assert read.signals == [SIGNAL] and read.revoked == {"12" * 16}
    assert len(read.sha256) == 64


def test_one_altered_byte_fails_the_signature(tmp_path: Path, bank_a: SigningIdentity,
                                              senders_file: Path,
                                              consortium: tuple[Path, ConsortiumKeys]) -> None:
    path = _file(tmp_path, bank_a)
    data = bytearray(path.read_bytes())
    at = data.index(b'"confirmed"') + 1
    data[at:at + 9] = b"alerted  "  # a weaker strength, same length
    path.write_bytes(bytes(data))
    with pytest.raises(SignatureError, match=r"a\.signals.*field 'signature'.*altered"):
        read_signals(path, read_trusted_senders(senders_file), consortium[1])


def test_a_file_signed_by_another_key_under_a_trusted_name_fails(
        tmp_path: Path, senders_file: Path, consortium: tuple[Path, ConsortiumKeys]) -> None:
    impostor = new_signing_key("BANK-A", tmp_path / "impostor.pem")
    with pytest.raises(SignatureError):
        read_signals(_file(tmp_path, impostor), read_trusted_senders(senders_file),
                     consortium[1])


def test_an_unknown_sender_is_refused(tmp_path: Path, senders_file: Path,
                                      consortium: tuple[Path, ConsortiumKeys]) -> None:
    stranger = new_signing_key("BANK-Z", tmp_path / "z.pem")
    with pytest.raises(UnknownSenderError, match="'BANK-Z' is not in the trusted-senders"):
        read_signals(_file(tmp_path, stranger), read_trusted_senders(senders_file),
                     consortium[1])


def test_a_key_id_we_do_not_hold_is_refused(tmp_path: Path, bank_a: SigningIdentity,
                                            senders_file: Path,
                                            consortium: tuple[Path, ConsortiumKeys]) -> None:
    with pytest.raises(UnknownKeyError, match=r"'2019-01'.*held: \['2026-12'\]"):
        read_signals(_file(tmp_path, bank_a, "2019-01"), read_trusted_senders(senders_file),
                     consortium[1])


def test_a_huge_file_is_refused_before_it_is_read(tmp_path: Path, bank_a: SigningIdentity,
                                                  senders_file: Path,
                                                  consortium: tuple[Path, ConsortiumKeys]) -> None:
    path = _file(tmp_path, bank_a)
    with pytest.raises(SignalFileError, match="more than the 100 allowed"):
        read_signals(path, read_trusted_senders(senders_file), consortium[1], max_bytes=100)


@pytest.mark.parametrize("content", [b"", b"\x00\xff" * 50, b"{}\n{}", b"[" * 5000 + b"\n",
                                     b'{"format": "dentrace-signals/1"}\n' + b"[" * 100000])
def test_garbage_is_a_clear_error(tmp_path: Path, content: bytes, senders_file: Path,
                                  consortium: tuple[Path, ConsortiumKeys]) -> None:
    path = tmp_path / "garbage.signals"
    path.write_bytes(content)
    with pytest.raises(SignalFileError, match=r"garbage\.signals"):
        read_signals(path, read_trusted_senders(senders_file), consortium[1])


@pytest.mark.parametrize(("changes", "field"), [
    ({"signal_role": "<script>"}, "role"),
    ({"signal_strength": "certain"}, "strength"),
    ({"signal_date": "yesterday\x1b[2J"}, "date"),
    ({"signal_id": "../../etc/passwd"}, "id"),
    ({"signal_tokens": [{"kind": "name", "token": "cd" * 32}]}, "tokens"),
    ({"signal_tokens": [{"kind": "iban", "token": "XYZ"}]}, "tokens.token"),
    ({"signal_name": {"block": "ef" * 8, "bloom": "AAAA"}}, "name.bloom"),
    ({"signal_tokens": [], "signal_name": None}, None),
    ({"revoked": ["DROP TABLE"]}, "revoked"),
    ({"sender": "BANK-B"}, "sender"),
    ({"encoding": {"bits": 16}}, "encoding"),
])
def test_a_signed_but_malformed_body_names_the_row_and_field(
        tmp_path: Path, bank_a: SigningIdentity, senders_file: Path,
        consortium: tuple[Path, ConsortiumKeys], changes: dict[str, object],
        field: str | None) -> None:
    path = _signed(tmp_path / "odd.signals", bank_a, _body(**changes))
    with pytest.raises(SignalFileError) as caught:
        read_signals(path, read_trusted_senders(senders_file), consortium[1])
    assert caught.value.file == str(path)
    assert caught.value.field == field
    if str(field).startswith(("role", "strength", "date", "id", "tokens", "name")):
        assert caught.value.row == 1

"""Match: another member's signals against our parties — identifiers written differently,
names varied, the same account number at another bank, withdrawals, hostile files — with the
results stored for the scan and the app and every import and match audited."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dentrace import audit
from dentrace.ingest import ingest
from dentrace.share import (
    SignalFileError,
    export_signals,
    read_trusted_senders,
)
from dentrace.share.export import signal_id_of
from dentrace.share.keys import ConsortiumKeys, SigningIdentity
from dentrace.share.match import match_signals
from dentrace.share.signals import Signal, write_signals
from dentrace.store.shared_signals import flags_of, read_matches, read_revoked
from dentrace.store.sql import open_store
from dentrace.store.workspace import Workspace
from tests.unit.share.conftest import write_payments

ODD = "Jose =cmd|' /C calc'!A0 Reyes"
BANK_B = [
    # the facilitator's phone written another way, the same name
    ("b1", "SE4550000000058398257466", "0063-917-555-0101", "Lars Berg", "Maria Santos", "PH"),
    # another wallet, the name varied: a name hit
    ("b2", "SE4550000000058398257466", "+63 999 000 1111", "Lars Berg", "SANTOS, Mara", "PH"),
    # the same account number as A's payer, another person at another bank: no hit
    ("b3", "0012345678", "+63 999 000 2222", "Peter Brown", "Rhea Domingo", "PH"),
    # A's known facilitator, its odd name written alike
    ("b4", "SE4550000000058398257466", "ph acc 7788", "Lars Berg", ODD, "PH"),
    # A's alerted crypto beneficiary's name, in another country, another id: no hit
    ("b5", "SE4550000000058398257466", "+66 81 000 3333", "Lars Berg", "Somchai Srisuk", "PH"),
]


@pytest.fixture
def bank_b(tmp_path: Path) -> Path:
    folder = tmp_path / "bank-b"
    ingest(folder, transactions=write_payments(tmp_path / "b.csv", BANK_B), quiet=True)
    return folder


@pytest.fixture
def exported(workspace: Path, tmp_path: Path, bank_a: SigningIdentity,
             consortium: tuple[Path, ConsortiumKeys]) -> Path:
    out = tmp_path / "a.signals"
    with open_store(workspace) as store:
        export_signals(workspace, store, consortium[1], bank_a, out, payers=True)
    return out


def _match(bank_b: Path, senders_file: Path, consortium: tuple[Path, ConsortiumKeys],
           *files: Path) -> object:
    with open_store(bank_b) as store:
        return match_signals(bank_b, store, consortium[1], read_trusted_senders(senders_file),
                             list(files))


def test_signals_match_by_identifier_and_by_name(
        bank_b: Path, exported: Path, senders_file: Path,
        consortium: tuple[Path, ConsortiumKeys]) -> None:
    counts = _match(bank_b, senders_file, consortium, exported)
    matches = read_matches(bank_b).set_index("party_id")
    assert sorted(matches.index) == ["+63 999 000 1111", "0063-917-555-0101", "ph acc 7788"]
    assert matches.loc["0063-917-555-0101", "matched_on"] == "phone"
    assert matches.loc["ph acc 7788", "matched_on"] == "account"
    assert matches.loc["ph acc 7788", "strength"] == "known"
    assert matches.loc["+63 999 000 1111", "matched_on"] == "name"
    assert 0.93 <= matches.loc["+63 999 000 1111", "similarity"] < 1
    assert set(matches["sender"]) == {"BANK-A"}
    assert counts.files == 1 and counts.parties == 3  # type: ignore[attr-defined]
    flags = flags_of(bank_b, "0063-917-555-0101")
    assert (flags.institutions, flags.confirmed) == (1, 0)
    assert flags.signals[0]["strength"] == "alerted"
    assert flags_of(bank_b, "0012345678").institutions == 0


def test_every_import_and_match_is_audited(bank_b: Path, exported: Path, senders_file: Path,
                                           consortium: tuple[Path, ConsortiumKeys]) -> None:
    _match(bank_b, senders_file, consortium, exported)
    with open_store(bank_b) as store:
        imported = audit.entries(store, action="share_import")
        matched = audit.entries(store, action="share_match")
    assert len(imported) == 1 and imported[0].detail["sender"] == "BANK-A"
    assert imported[0].detail["signals"] == 3
    assert sorted(e.target_id for e in matched) == ["+63 999 000 1111", "0063-917-555-0101",
                                                    "ph acc 7788"]
    assert all(e.target_type == "party" for e in matched)


def test_a_withdrawal_drops_a_signal_and_a_later_signal_reinstates_it(
        bank_b: Path, exported: Path, tmp_path: Path, bank_a: SigningIdentity,
        senders_file: Path, consortium: tuple[Path, ConsortiumKeys]) -> None:
    _match(bank_b, senders_file, consortium, exported)
    phone = signal_id_of(bank_a.signal_id_key(), "+63 917 555 0101")
    withdrawal = write_signals(tmp_path / "w.signals", bank_a, "2026-12",
                               "2999-01-01T00:00:00Z", [], [phone])
    _match(bank_b, senders_file, consortium, withdrawal)
    matches = read_matches(bank_b)
    assert phone not in set(matches["signal_id"])
    assert sorted(matches["party_id"]) == ["ph acc 7788"]  # the name hit was the same signal
    cleared = signal_id_of(bank_a.signal_id_key(), "0099999999")  # withdrawn by the export
    assert set(read_revoked(bank_b)["signal_id"]) == {phone, cleared}
    # the older file matched again does not bring it back
    _match(bank_b, senders_file, consortium, exported)
    assert phone not in set(read_matches(bank_b)["signal_id"])
    again = Signal(phone, "facilitator", "confirmed", date(2999, 2, 1),
                   (("phone", "00" * 32),))
    newer = write_signals(tmp_path / "n.signals", bank_a, "2026-12", "2999-02-01T00:00:00Z",
                          [again], [])
    _match(bank_b, senders_file, consortium, newer, exported)
    assert phone in set(read_matches(bank_b)["signal_id"])
    assert list(read_revoked(bank_b)["signal_id"]) == [cleared]


def test_a_tampered_file_stops_the_run_and_is_audited(
        bank_b: Path, exported: Path, tmp_path: Path, senders_file: Path,
        consortium: tuple[Path, ConsortiumKeys]) -> None:
    tampered = tmp_path / "t.signals"
    tampered.write_bytes(exported.read_bytes().replace(b'"alerted"', b'"confirm"', 1))
    with pytest.raises(SignalFileError, match="signature does not verify"):
        _match(bank_b, senders_file, consortium, exported, tampered)
    assert not Workspace(bank_b).share_matches.exists()
    with open_store(bank_b) as store:
        refused = audit.entries(store, action="share_import_refused")
    assert len(refused) == 1 and refused[0].detail["kind"] == "SignatureError"

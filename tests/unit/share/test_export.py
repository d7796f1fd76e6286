"""Export writes the workspace's flagged parties as tokens and name encodings, never in clear,
keeps cleared parties out (and withdraws them), and audits who exported what."""

from __future__ import annotations

from pathlib import Path

from dentrace import audit
from dentrace.share import export_signals, read_signals, read_trusted_senders
from dentrace.share.export import signal_id_of
from dentrace.share.keys import ConsortiumKeys, SigningIdentity
from dentrace.store.sql import open_store
from tests.unit.share.conftest import PAYMENTS


def test_export_holds_no_identifier_or_name_in_clear(
        workspace: Path, tmp_path: Path, bank_a: SigningIdentity, senders_file: Path,
        consortium: tuple[Path, ConsortiumKeys]) -> None:
    out = tmp_path / "out" / "bank-a.signals"
    with open_store(workspace) as store:
        counts = export_signals(workspace, store, consortium[1], bank_a, out, payers=True)
        entry = audit.entries(store, action="share_export")[0]
    data = out.read_bytes()
    for _, sender, beneficiary, sender_name, beneficiary_name, _ in PAYMENTS:
        for clear in (sender, beneficiary, sender_name, beneficiary_name,
                      "DE89370400440532013000", "639175550101", "Santos", "santos"):
            assert clear.encode("utf-8") not in data, clear
    read = read_signals(out, read_trusted_senders(senders_file), consortium[1])
    # alerted facilitator (phone), alerted payer (account), known facilitator; the cleared
    # payer 0099999999 is out and withdrawn
    assert counts.signals == 3 == len(read.signals)
    assert counts.by_strength == {"alerted": 2, "known": 1}
    assert counts.by_role == {"facilitator": 2, "payer": 1}
    assert read.revoked == {signal_id_of(bank_a.signal_id_key(), "0099999999")}
    assert {s.tokens[0][0] for s in read.signals} == {"phone", "account"}
    assert entry.action == "share_export" and entry.detail["signals"] == 3
    assert entry.detail["institution"] == "BANK-A" and entry.target_id.endswith("bank-a.signals")


def test_without_payers_only_facilitators_are_shared(
        workspace: Path, tmp_path: Path, bank_a: SigningIdentity,
        consortium: tuple[Path, ConsortiumKeys]) -> None:
    with open_store(workspace) as store:
        counts = export_signals(workspace, store, consortium[1], bank_a,
                                tmp_path / "f.signals")
    assert counts.by_role == {"facilitator": 2}
    assert counts.names == 2  # both facilitators have a name on their payments


def test_a_name_is_encoded_once_per_file_on_its_strongest_signal() -> None:
    from datetime import date

    from dentrace.share.export import distinct_names
    from dentrace.share.signals import Signal

    same, other = b"\x01" * 256, b"\x02" * 256
    signals = [Signal("a" * 32, "payer", "alerted", date(2025, 1, 1), (("phone", "1" * 64),),
                      "b" * 16, same),
               Signal("c" * 32, "payer", "confirmed", date(2025, 1, 1), (("iban", "2" * 64),),
                      "b" * 16, same),
               Signal("d" * 32, "payer", "alerted", date(2025, 1, 1), (), "b" * 16, same),
               Signal("e" * 32, "payer", "alerted", date(2025, 1, 1), (), "b" * 16, other)]
    kept = distinct_names(signals)
    assert [s.signal_id[0] for s in kept] == ["a", "c", "e"]  # d had the name only: dropped
    assert [s.bloom for s in kept] == [None, same, other]  # the confirmed one keeps the name
    assert kept[0].tokens == (("phone", "1" * 64),)

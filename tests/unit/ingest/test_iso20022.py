"""ISO 20022 reader: shared samples, our own schema-valid fixtures, folders and bad inputs.

Expected values are read off the XML files by eye; the fixtures are validated against the XSDs.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from lxml import etree

from dentrace.contract.schema import TRANSACTIONS
from dentrace.errors import InputError
from dentrace.ingest.readers.iso20022 import (
    SCHEMA,
    message_files,
    read_message_batches,
    read_messages,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "iso20022"
VALID = FIXTURES / "valid"
BAD = FIXTURES / "bad"
SCHEMA_FILES = {
    "pacs.008.001.08": "pacs.008.001.08.xsd",
    "pain.001.001.09": "pain.001.001.09.xsd",
}


def rows_by_id(path: Path) -> dict[str, dict[str, object]]:
    return {row["txn_id"]: row for row in read_messages(path).to_pylist()}


def test_columns_are_the_contract_columns_then_the_source() -> None:
    table = read_messages(VALID / "pacs008_naive.xml")
    assert table.schema == SCHEMA
    assert table.column_names == [*TRANSACTIONS.names, "source_file", "source_line"]
    assert table.schema.field("source_line").type == pa.int64()


# --- shared samples ----------------------------------------------------------------------------


def test_shared_pacs008_in_envelope(shared_dir: Path) -> None:
    path = shared_dir / "formats/iso20022/sample_pacs.008.001.08_CBPRplus_c53.5_AtoB.xml"
    [row] = read_messages(path).to_pylist()
    assert row == {
        "txn_id": "174c245f-2682-4291-ad67-2a41e530cd27",  # no TxId: the UETR
        "ts": "2020-08-05T09:05:00+00:00",
        "sender_id": "458756241",
        "beneficiary_id": "985412687",
        "amount": "500000",
        "currency": "SGD",
        "sender_name": "Australian Submarine",
        "sender_country": "AU",
        "beneficiary_name": "Agoda Company",
        "beneficiary_country": "SG",
        "channel": "wire",
        "memo": None,
        "source_file": str(path),
        "source_line": 50,
    }


def test_shared_pacs008_version_12(shared_dir: Path) -> None:
    path = shared_dir / "formats/iso20022/sample_pacs.008_CBPRplus_p2.1.1_AtoB_ns001.12.xml"
    [row] = read_messages(path).to_pylist()
    assert row["txn_id"] == "8a562c67-ca16-48ba-b074-65581be6f001"
    assert (row["amount"], row["currency"]) == ("15669.38", "EUR")
    assert (row["sender_id"], row["sender_name"], row["sender_country"]) == (
        "12547896",
        "C Consumer",
        "GB",
    )
    assert (row["beneficiary_id"], row["beneficiary_name"], row["beneficiary_country"]) == (
        "98653214",
        "Evli",
        "FI",
    )
    assert row["ts"] == "2021-04-09T09:00:00+01:00"


def test_shared_pain001(shared_dir: Path) -> None:
    path = shared_dir / "formats/iso20022/sample_pain.001.001.08_pyiso20022.xml"
    [row] = read_messages(path).to_pylist()
    assert row["txn_id"] == "test-160620:test-160620"  # MsgId:EndToEndId
    assert row["ts"] == "2019-12-03T13:01:00+00:00"  # ReqdExctnDt is a bare date
    assert (row["amount"], row["currency"]) == ("10", "GBP")
    assert (row["sender_id"], row["sender_name"], row["sender_country"]) == (
        "50000970",
        "UFXQHBE",
        "QA",
    )
    assert (row["beneficiary_id"], row["beneficiary_name"]) == ("12345678", "Creditor account name")
    assert row["channel"] == "transfer"  # proprietary category "Tax Payment" is no channel
    assert row["memo"] == "USD Payment from USD account"
    assert row["source_line"] == 49


def test_shared_folder_reads_only_the_xml_files(shared_dir: Path) -> None:
    table = read_messages(shared_dir / "formats/iso20022")
    assert table.num_rows == 3
    assert all(name.endswith(".xml") for name in table.column("source_file").to_pylist())


# --- own fixtures ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(VALID.rglob("*.xml")), ids=lambda p: p.name)
def test_fixture_is_schema_valid(shared_dir: Path, path: Path) -> None:
    documents = [
        e
        for e in etree.parse(str(path)).getroot().iter()
        if isinstance(e.tag, str) and etree.QName(e).localname == "Document"
    ]
    assert documents
    for document in documents:
        version = etree.QName(document).namespace.rsplit(":", 1)[-1]
        xsd_path = shared_dir / "formats/iso20022" / SCHEMA_FILES[version]
        xsd = etree.XMLSchema(etree.parse(str(xsd_path)))
        assert xsd.validate(etree.ElementTree(document)), xsd.error_log.last_error


def test_pain001_several_payment_blocks() -> None:
    rows = rows_by_id(VALID / "pain001_several_payments.xml")
    assert len(rows) == 4
    first = rows["DT-PAIN-2025-0001:NOTPROVIDED"]
    assert first["ts"] == "2025-03-04T21:20:00+10:00"  # ReqdExctnDt/DtTm of the block
    assert (first["sender_id"], first["sender_country"]) == ("AU-062000-12345678", "AU")
    assert (first["amount"], first["currency"]) == ("45.00", "AUD")
    assert first["memo"] == "school fees for March"
    assert first["channel"] == "transfer"
    second = rows["DT-PAIN-2025-0001:NOTPROVIDED#2"]  # repeated end-to-end id
    assert (second["beneficiary_id"], second["beneficiary_country"]) == ("CS-SG-991", "SG")
    assert second["channel"] == "card"
    third = rows["0f8c6a3e-4f7b-4d8a-9c1e-2b5d7a9e1c30"]  # UETR
    assert third["ts"] == "2025-03-04T21:15:00+10:00"  # date-only ReqdExctnDt: CreDtTm
    assert (third["sender_id"], third["sender_country"]) == ("DE89370400440532013000", "DE")
    assert (third["amount"], third["currency"]) == ("120.50", "EUR")  # EqvtAmt
    assert third["beneficiary_country"] == "PH"  # from the creditor agent's BIC
    assert (third["channel"], third["memo"]) == ("remittance", "RF18539007547034; gift")
    fourth = rows["DT-PAIN-2025-0001:E2E-4"]
    assert (fourth["beneficiary_id"], fourth["beneficiary_name"]) == ("Ana Cruz", "Ana Cruz")
    assert fourth["memo"] is None
    assert {r["sender_name"] for r in rows.values()} == {"Peter Example"}


def test_message_without_offsets_stays_naive() -> None:
    rows = rows_by_id(VALID / "pacs008_naive.xml")
    assert rows["TX-2025-0002-1"]["ts"] == "2025-03-06T23:38:10"  # AccptncDtTm
    assert rows["TX-2025-0002-2"]["ts"] == "2025-03-06T23:40:00"  # group header CreDtTm
    second = rows["TX-2025-0002-2"]
    assert (second["sender_id"], second["sender_country"]) == ("CUST-778", "US")
    assert (second["channel"], second["amount"]) == ("wallet", "25.5")


def test_folder_is_read_recursively_in_path_order() -> None:
    assert [p.name for p in message_files(VALID)] == [
        "pacs008_wrapped.xml",
        "pacs008_naive.xml",
        "pain001_several_payments.xml",
    ]
    seen: list[tuple[int, int]] = []
    table = read_messages(VALID, progress=lambda done, total: seen.append((done, total)))
    assert table.num_rows == 7
    total = sum(p.stat().st_size for p in message_files(VALID))
    assert len(seen) == 3
    assert seen[-1] == (total, total)
    assert len(set(table.column("txn_id").to_pylist())) == 7
    wrapped = table.slice(0, 1).to_pylist()[0]
    assert wrapped["txn_id"] == "DT-PACS-2025-0003:E2E-W1"
    assert (wrapped["amount"], wrapped["memo"], wrapped["source_line"]) == ("30.00", "load", 21)


def test_older_version_with_bic_and_plain_date(tmp_path: Path) -> None:
    path = tmp_path / "old.xml"
    path.write_text(
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><CstmrCdtTrfInitn>'
        "<GrpHdr><MsgId>M3</MsgId><CreDtTm>2014-01-02T03:04:05</CreDtTm></GrpHdr>"
        "<PmtInf><PmtMtd>CHK</PmtMtd><ReqdExctnDt>2014-01-03</ReqdExctnDt>"
        "<Dbtr><Nm>Old Payer</Nm><Id><OrgId><BICOrBEI>OLDPGB2L</BICOrBEI></OrgId></Id></Dbtr>"
        "<DbtrAgt><FinInstnId><BIC>OLDBGB2L</BIC></FinInstnId></DbtrAgt>"
        '<CdtTrfTxInf><PmtId><EndToEndId>E1</EndToEndId></PmtId><Amt><InstdAmt Ccy="GBP">'
        "7.5</InstdAmt></Amt><Cdtr><Nm>Old Payee</Nm></Cdtr></CdtTrfTxInf></PmtInf>"
        "</CstmrCdtTrfInitn></Document>",
        encoding="utf-8",
    )
    [row] = read_messages(path).to_pylist()
    assert (row["txn_id"], row["ts"], row["channel"]) == ("M3:E1", "2014-01-02T03:04:05", "cheque")
    assert (row["sender_id"], row["sender_country"]) == ("OLDPGB2L", "GB")
    assert (row["beneficiary_id"], row["beneficiary_country"]) == ("Old Payee", None)


def test_large_message_streams_in_batches(tmp_path: Path) -> None:
    tx = (
        "<CdtTrfTxInf><PmtId><EndToEndId>E{n}</EndToEndId></PmtId>"
        '<IntrBkSttlmAmt Ccy="EUR">{n}.25</IntrBkSttlmAmt><Dbtr><Nm>P{n}</Nm></Dbtr>'
        "<Cdtr><Nm>B</Nm></Cdtr></CdtTrfTxInf>\n"
    )
    path = tmp_path / "big.xml"
    path.write_text(
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.02"><FIToFICstmrCdtTrf>\n'
        "<GrpHdr><MsgId>BIG</MsgId><CreDtTm>2025-01-01T00:00:00Z</CreDtTm></GrpHdr>\n"
        + "".join(tx.format(n=n) for n in range(5000))
        + "</FIToFICstmrCdtTrf></Document>\n",
        encoding="utf-8",
    )
    batches = list(read_message_batches(path, rows_per_batch=2000))
    assert [b.num_rows for b in batches] == [2000, 2000, 1000]
    last = batches[-1].to_pylist()[-1]
    assert (last["txn_id"], last["amount"], last["source_line"]) == ("BIG:E4999", "4999.25", 5002)


# --- bad inputs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("camt053_statement.xml", "root element <Document> holding <BkToCstmrStmt>"),
        ("not_iso.xml", "root element <invoice>"),
        ("truncated.xml", "row 11: malformed XML at line 11"),
        ("mixed_envelope.xml", "row 22: CdtTrfTxInf inside <FICdtTrf>"),
    ],
)
def test_bad_file_names_file_and_place(name: str, expected: str) -> None:
    with pytest.raises(InputError) as caught:
        read_messages(BAD / name)
    assert str(caught.value).startswith(str(BAD / name))
    assert expected in str(caught.value)
    assert caught.value.file == str(BAD / name)


def test_empty_file_missing_path_and_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty.xml").write_bytes(b"")
    with pytest.raises(InputError, match=r"empty\.xml.*malformed XML at line 1"):
        read_messages(tmp_path / "empty.xml")
    with pytest.raises(InputError, match="no such file or folder"):
        read_messages(tmp_path / "absent")
    (tmp_path / "folder").mkdir()
    with pytest.raises(InputError, match="folder holds no"):
        read_messages(tmp_path / "folder")


def test_external_entities_are_not_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET", encoding="utf-8")
    path = tmp_path / "xxe.xml"
    path.write_text(
        f'<!DOCTYPE Document [<!ENTITY leak SYSTEM "{secret.as_uri()}">]>'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"><FIToFICstmrCdtTrf>'
        "<GrpHdr><MsgId>X</MsgId><CreDtTm>2025-01-01T00:00:00Z</CreDtTm></GrpHdr>"
        '<CdtTrfTxInf><PmtId><TxId>T1</TxId></PmtId><IntrBkSttlmAmt Ccy="EUR">1</IntrBkSttlmAmt>'
        "<Dbtr><Nm>&leak;</Nm></Dbtr><Cdtr><Nm>B</Nm></Cdtr></CdtTrfTxInf>"
        "</FIToFICstmrCdtTrf></Document>",
        encoding="utf-8",
    )
    [row] = read_messages(path).to_pylist()
    assert "SECRET" not in str(row)

"""A mapping file loads a differently shaped bank export without editing it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from dentrace.errors import MappingError
from dentrace.ingest import ingest, load_mapping

Query = Callable[[str], list[tuple[object, ...]]]

EXPORT = (
    "Buchungsnr;Datum;Konto;Empfänger;Betrag;Kanal;Land;Verwendungszweck\n"
    "B-1;04.03.2025 21:15;DE01;PH99;1.234,50;RMT;Philippinen;für Maria\n"
    "B-2;30.07.2025 08:05;DE01;PH98;12,00;KRT;Deutschland;\n"
    "B-3;31.02.2025 08:05;DE01;PH98;12,00;KRT;Deutschland;\n"
    "B-4;01.08.2025 09:00;DE01;PH98;zwölf;KRT;Deutschland;\n"
)

TOML = """
delimiter = ";"
encoding = "cp1252"
decimal = ","
thousands = "."
timestamp_format = "%d.%m.%Y %H:%M"
default_tz = "Europe/Berlin"

[transactions.columns]
txn_id = "Buchungsnr"
ts = "Datum"
sender_id = "Konto"
beneficiary_id = "Empfänger"
amount = "Betrag"
channel = "Kanal"
beneficiary_country = "Land"
memo = "Verwendungszweck"

[transactions.constants]
currency = "EUR"

[transactions.codes.channel]
RMT = "remittance"
KRT = "card"

[transactions.codes.beneficiary_country]
Philippinen = "PH"
Deutschland = "DE"
"""

YAML = """
delimiter: ";"
encoding: cp1252
decimal: ","
thousands: "."
timestamp_format: "%d.%m.%Y %H:%M"
default_tz: Europe/Berlin
transactions:
  columns: {txn_id: Buchungsnr, ts: Datum, sender_id: Konto, beneficiary_id: Empfänger,
            amount: Betrag, channel: Kanal, beneficiary_country: Land, memo: Verwendungszweck}
  constants: {currency: EUR}
  codes:
    channel: {RMT: remittance, KRT: card}
    beneficiary_country: {Philippinen: PH, Deutschland: DE}
"""


@pytest.mark.parametrize(("name", "text", "encoding"), [
    ("bank.toml", TOML, "cp1252"), ("bank.yaml", YAML, "cp1252"),
    ("utf8.toml", TOML.replace('"cp1252"', '"utf-8"'), "utf-8"),  # DuckDB's CSV reader
])
def test_bank_export_maps_onto_the_contract(tmp_path: Path, query: Query, name: str,
                                            text: str, encoding: str) -> None:
    export = tmp_path / "export.csv"
    export.write_bytes(EXPORT.encode(encoding))
    mapping = tmp_path / name
    mapping.write_text(text, encoding="utf-8")
    report = ingest(tmp_path / "ws", transactions=export, mapping=mapping, quiet=True)
    assert (report.rows_read, report.rows_accepted, report.rows_quarantined) == (4, 2, 2)
    rows = query("SELECT txn_id, ts_utc::VARCHAR, ts_local::VARCHAR, utc_offset_min, amount, "
                 "currency, channel, beneficiary_country, memo FROM transactions ORDER BY 1")
    assert rows == [
        ("B-1", "2025-03-04 20:15:00", "2025-03-04 21:15:00", 60, 1234.5, "EUR",
         "remittance", "PH", "für Maria"),
        ("B-2", "2025-07-30 06:05:00", "2025-07-30 08:05:00", 120, 12.0, "EUR", "card", "DE",
         None),
    ]
    assert query("SELECT line, field FROM quarantine ORDER BY 1") == [(4, "ts"), (5, "amount")]


def test_offset_in_custom_format_is_kept(tmp_path: Path, query: Query) -> None:
    export = tmp_path / "e.csv"
    export.write_text("id,when,from,to,amt,ccy\nx1,04/03/2025 21:15 +0800,a,b,3,SGD\n")
    mapping = tmp_path / "m.toml"
    mapping.write_text('timestamp_format = "%d/%m/%Y %H:%M %z"\n[transactions.columns]\n'
                       'txn_id = "id"\nts = "when"\nsender_id = "from"\n'
                       'beneficiary_id = "to"\namount = "amt"\ncurrency = "ccy"\n')
    ingest(tmp_path / "ws", transactions=export, mapping=mapping, quiet=True)
    assert query("SELECT ts_utc::VARCHAR, ts_local::VARCHAR, utc_offset_min "
                 "FROM transactions") == [("2025-03-04 13:15:00", "2025-03-04 21:15:00", 480)]


@pytest.mark.parametrize(("text", "key"), [
    ('delimter = ";"\n', "delimter"),
    ('decimal = "_"\n', "decimal"),
    ('encoding = "klingon"\n', "encoding"),
    ('[transactions.columns]\ntxn = "id"\n', "transactions.columns.txn"),
    ('[transactions]\nrename = {}\n', "transactions.rename"),
    ("[transactions.columns\n", None),
])
def test_bad_mapping_names_file_and_key(tmp_path: Path, text: str, key: str | None) -> None:
    mapping = tmp_path / "m.toml"
    mapping.write_text(text)
    with pytest.raises(MappingError) as caught:
        load_mapping(mapping)
    assert "m.toml" in str(caught.value)
    if key:
        assert caught.value.field == key


def test_mapping_to_a_column_the_export_lacks_names_mapping_key(tmp_path: Path) -> None:
    export = tmp_path / "e.csv"
    export.write_text("txn_id,ts,sender_id,beneficiary_id,amount,currency\n")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("transactions:\n  columns: {memo: Verwendungszweck}\n")
    with pytest.raises(MappingError) as caught:
        ingest(tmp_path / "ws", transactions=export, mapping=mapping, quiet=True)
    assert caught.value.field == "transactions.columns.memo"
    assert "m.yaml" in str(caught.value) and "e.csv" in str(caught.value)

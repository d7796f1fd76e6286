"""Attachments are typed by content: documents pass, images, video and other binaries are refused
whatever their name says; file names of any text become safe display names."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dentrace.cases.documents import (
    CSV,
    JSON,
    MAX_FILENAME,
    PDF,
    TEXT,
    XML,
    RefusedFile,
    document_type,
    safe_filename,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 32
GIF = b"GIF89a" + b"\x00" * 32
ZIP = b"PK\x03\x04" + b"\x00" * 40


@pytest.mark.parametrize(("content", "name", "expected"), [
    (b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n", "statement.pdf", PDF),
    (b"Called the bank: the payer confirmed the transfers.\n", "call.txt", TEXT),
    ("Ñandú – 東京 – كلمة\n".encode(), "notes", TEXT),
    (b"txn_id,amount\nT1,20.00\nT2,35.50\n", "export", CSV),
    (b"a;b;c\n1;2;3\n4;5;6\n", "rows.txt", CSV),
    (b"one line, with a comma\n", "rows.csv", CSV),
    (b'{"party": "P1", "amounts": [20, 35]}', "p1.json", JSON),
    (b"\xef\xbb\xbf[1, 2, 3]", "bom.json", JSON),
    (b'<?xml version="1.0"?><report><txn id="T1"/></report>', "r.xml", XML),
    (b"{not json but text", "odd.txt", TEXT),
])
def test_documents_are_accepted_by_content(content: bytes, name: str, expected: str) -> None:
    assert document_type(content, name) == expected


@pytest.mark.parametrize(("content", "says"), [
    (PNG, "image/png"), (JPEG, "image/jpeg"), (GIF, "image/gif"), (MP4, "video/mp4"),
    (ZIP, "application/zip"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>', "SVG image"),
    (b'<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>', "web page"),
    (b"<html><body><p>unclosed</body>", "not well-formed XML"),
    (b"\x00\x01\x02\x03binary", "binary data"),
    (b"\xff\xfe\xfa latin-1 or random bytes \xe9", "not UTF-8"),
    (b"", "empty"),
])
def test_images_video_and_other_files_are_refused_whatever_the_name(content: bytes,
                                                                    says: str) -> None:
    with pytest.raises(RefusedFile, match=says):
        document_type(content, "innocent.pdf")


def test_refusing_an_image_names_the_hard_line() -> None:
    with pytest.raises(RefusedFile, match="never stores images or video"):
        document_type(PNG, "scan.txt")


def test_xml_entities_are_not_expanded() -> None:
    bomb = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><r>&b;</r>')
    assert document_type(bomb, "r.xml") == XML
    external = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                b"<r>&x;</r>")
    assert document_type(external, "r.xml") == XML  # parsed, never resolved


@pytest.mark.parametrize(("sent", "kept"), [
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\me\\report.pdf", "report.pdf"),
    ('a<b>c:"d"|e?*.txt', "a_b_c__d__e__.txt"),
    ("\u202eevil\u202dfdp.exe", "evilfdp.exe"),
    ("line\nbreak\ttab.txt", "linebreaktab.txt"),
    ("...", "attachment"),
    ("", "attachment"),
    (".hidden", "hidden"),
    ("Jime\u0301nez.pdf", "Jiménez.pdf"),
])
def test_file_names_are_sanitised(sent: str, kept: str) -> None:
    assert safe_filename(sent) == kept


def test_a_long_name_keeps_its_extension() -> None:
    kept = safe_filename("x" * 500 + ".pdf")
    assert len(kept) <= MAX_FILENAME and kept.endswith(".pdf")


@given(st.text(max_size=400))
def test_any_name_becomes_a_plain_visible_name(sent: str) -> None:
    kept = safe_filename(sent)
    assert 0 < len(kept) <= MAX_FILENAME
    assert not set(kept) & set('/\\:*?"<>|')
    assert all(unicodedata.category(c)[0] != "C" for c in kept)
    assert not kept.startswith(".") and kept == kept.strip()

"""The evidence pack's PDF prints names and memos in every script our users meet: Thai,
Vietnamese, Arabic (shaped), Chinese, Cyrillic and emoji, with no glyph missing."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from dentrace.report.material import Material, case_material
from dentrace.report.pack import PackExporter
from dentrace.store.sql import open_store
from tests.unit.report.report_sample import Sample

NAMES = {"thai": "สมชาย ใจดี", "vietnamese": "Nguyễn Văn Trường",
         "arabic": "محمد عبد الله", "chinese": "王小明", "cyrillic": "Иван Петров"}
MEMO = "ของขวัญ 🎁 礼物 подарок هدية quà"


def _worldly(sample: Sample) -> Material:
    """The approved case with every payer, beneficiary and customer renamed in turn."""
    with open_store(sample.workspace) as store:
        material = case_material(store, sample.workspace, sample.approved_case)
    names = list(NAMES.values())
    txns = material.transactions.copy()
    txns["sender_name"] = [names[i % 5] for i in range(len(txns))]
    txns["beneficiary_name"] = [names[(i + 2) % 5] for i in range(len(txns))]
    txns["memo"] = MEMO
    customers = material.customers.copy()
    customers["name"] = [names[(i + 1) % 5] for i in range(len(customers))]
    return replace(material, title=" / ".join(names) + " 🎁",
                   transactions=txns, customers=customers)


@pytest.fixture(scope="module")
def worldly_pack(sample: Sample, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("scripts") / "pack"
    fpdf_log = logging.getLogger("fpdf")
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(level=logging.WARNING)
    fpdf_log.addHandler(handler)
    try:
        PackExporter(sample.workspace).export(_worldly(sample), out)
    finally:
        fpdf_log.removeHandler(handler)
    missing = [r.getMessage() for r in records if "missing" in r.getMessage()]
    assert not missing, missing
    return out


def _pdf_text(path: Path) -> str:
    document = pdfium.PdfDocument(str(path))
    return "\n".join(page.get_textpage().get_text_range() for page in document)


def test_every_script_is_in_the_pdf_text(worldly_pack: Path) -> None:
    text = _pdf_text(worldly_pack / "report.pdf")
    for script, name in NAMES.items():
        if script == "arabic":  # extracted in visual order: each word, letters in some order
            assert all(ch in text for ch in name.replace(" ", "")), script
        else:
            assert name in text, script
    assert "🎁" in text and "礼物" in text and "подарок" in text and "quà" in text
    # Thai marks come out of the PDF in visual order (ของขวญั): every letter is there
    assert all(ch in text for ch in "ของขวัญ")


def test_the_fonts_that_print_them_are_embedded(worldly_pack: Path) -> None:
    raw = (worldly_pack / "report.pdf").read_bytes()
    for family in (b"NotoSansThai", b"NotoSansArabic", b"NotoSansCJK", b"NotoEmoji"):
        assert family in raw, family


def test_fonts_and_shaping_are_added_only_for_text_that_needs_them(tmp_path: Path) -> None:
    from fpdf import FPDF

    from dentrace.report.pack.fonts import install_fonts, needs_shaping

    assert install_fonts(FPDF(), ["Nguyễn Văn Trường, Иван Петров: AU→PH"], tmp_path) == [
        "NotoSansSymbols"]  # Noto Sans holds the names; only the arrow falls back
    assert install_fonts(FPDF(), ["王小明 🎁"], tmp_path) == [
        "NotoSansCJK", "NotoEmoji", "NotoSansSymbols"]  # the renderer's own → is always there
    assert not needs_shaping(map(ord, "Nguyễn 王小明 Иван 🎁"))
    assert not needs_shaping(map(ord, "สมชาย"))  # Thai letters with no mark above or below
    assert needs_shaping(map(ord, "ใจดี")) and needs_shaping(map(ord, "محمد"))
    assert needs_shaping(map(ord, "Nguye\u0302\u0303n"))  # decomposed marks

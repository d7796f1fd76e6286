"""Render an evidence pack's sections as one self-contained HTML page and as a PDF (fpdf2,
with Noto fonts for every script a name or memo comes in: ``fonts.py``; no system libraries)."""

from __future__ import annotations

import base64
import tempfile
from collections.abc import Iterator
from dataclasses import fields
from importlib import resources
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import cast

from fpdf import FPDF
from fpdf.fonts import FontFace
from jinja2 import Environment, select_autoescape

from dentrace.report.pack.fonts import FAMILY, install_fonts
from dentrace.report.pack.sections import PackSections
from dentrace.writing.files import whole_file

MAX_PDF_TRANSACTIONS = 400  # beyond this the PDF says how many more the HTML lists


def dentrace_version() -> str:
    """The installed dentrace version, for the record of who made the pack."""
    try:
        return version("dentrace")
    except PackageNotFoundError:
        return "unknown"


def html_report(sections: PackSections, timeline: Path, network: Path) -> str:
    """The pack as one HTML page with its pictures embedded."""
    template = resources.files("dentrace.report.pack").joinpath("template.html").read_text(
        encoding="utf-8")
    env = Environment(autoescape=select_autoescape(default=True))
    return env.from_string(template).render(
        s=sections, version=dentrace_version(),
        timeline=base64.b64encode(timeline.read_bytes()).decode("ascii"),
        network=base64.b64encode(network.read_bytes()).decode("ascii"))


def _texts(value: object) -> Iterator[str]:
    """Every string of the sections, to choose the fonts that can print them."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, PackSections):
        for field in fields(value):
            yield from _texts(getattr(value, field.name))


class _Pack(FPDF):
    def __init__(self, sections: PackSections, fonts: Path) -> None:
        super().__init__(orientation="landscape", format="A4")
        self.pack_title = sections.title
        install_fonts(self, _texts(sections), fonts)
        self.set_auto_page_break(auto=True, margin=12)

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(FAMILY, "", 7)
        self.cell(0, 5, f"{self.pack_title} — page {self.page_no()}", align="C")


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font(FAMILY, "B", 12)
    pdf.set_text_color(192, 57, 43)
    pdf.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(FAMILY, "", 8)


LINE_HEIGHT = 4.2
# Lines one table row may take. fpdf2 refuses a row taller than a page (a landscape page holds
# about 44 lines) and with it the whole PDF: one 100 kB memo failed every pack of its case.
ROW_LINES = 30
SHORT_CELL = 60  # characters that fit ROW_LINES lines of any column: not measured
NARROWEST_GLYPH_MM = 0.7  # an 'i' or a space at 8 pt: no line holds more characters than this


def _fitted(pdf: FPDF, text: str, width: float) -> str:
    """``text`` cut to the lines that fit one table row of a ``width`` mm column, with a note
    that report.html holds it whole (the PDF is its printable summary)."""
    if len(text) <= SHORT_CELL and text.count("\n") < ROW_LINES:
        return text
    # only what could fit is measured (a 100 kB memo costs as little as a short one); a few
    # mm less than the column for fpdf's cell margins, so the measure never falls short
    most = int(width / NARROWEST_GLYPH_MM + 1) * ROW_LINES
    lines = cast(list[str], pdf.multi_cell(max(width - 3, 1), LINE_HEIGHT, text[:most],
                                           dry_run=True, output="LINES"))
    if len(lines) <= ROW_LINES and len(text) <= most:
        return text
    kept = "\n".join(lines[:ROW_LINES - 3])
    return f"{kept}\n… ({len(text):,} characters in all: see report.html)"


def _table(pdf: FPDF, head: tuple[str, ...], rows: list[tuple[str, ...]],
           widths: tuple[int, ...]) -> None:
    columns = [pdf.epw * w / sum(widths) for w in widths]
    with pdf.table(col_widths=widths, headings_style=FontFace(emphasis="BOLD",
                                                             fill_color=(240, 240, 240)),
                   line_height=LINE_HEIGHT, text_align="LEFT") as table:
        heading = table.row()
        for cell in head:
            heading.cell(cell)
        for values in rows:
            row = table.row()
            for cell, width in zip(values, columns, strict=True):
                row.cell(_fitted(pdf, str(cell), width))


def pdf_report(sections: PackSections, timeline: Path, network: Path, out: Path) -> Path:
    """The pack as a PDF: the same sections in the same order as the HTML."""
    with tempfile.TemporaryDirectory(prefix="dentrace-fonts-") as fonts:
        return _write_pdf(_Pack(sections, Path(fonts)), sections, timeline, network, out)


def _write_pdf(pdf: _Pack, sections: PackSections, timeline: Path, network: Path,
               out: Path) -> Path:
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 15)
    pdf.multi_cell(0, 8, sections.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 8)
    pdf.cell(0, 5, f"Generated {sections.generated_at} by dentrace {dentrace_version()}; "
             "SHA-256 of every file in manifest.json and SHA256SUMS.",
             new_x="LMARGIN", new_y="NEXT")
    _heading(pdf, "Summary")
    _table(pdf, ("field", "value"), [(k, v) for k, v in sections.summary], (1, 5))
    pdf.ln(2)
    for line in sections.narrative:
        pdf.multi_cell(0, 4.2, line, new_x="LMARGIN", new_y="NEXT")
    pdf.add_page()
    _heading(pdf, "Timeline")
    pdf.image(str(timeline), w=200)
    _heading(pdf, "Indicators")
    _table(pdf, PackSections.INDICATOR_HEAD, list(sections.indicators), (3, 2, 1, 8, 8))
    pdf.add_page()
    _heading(pdf, "Network")
    pdf.image(str(network), h=160)
    pdf.add_page()
    _heading(pdf, f"Transactions ({len(sections.transactions)})")
    shown = sections.transactions[:MAX_PDF_TRANSACTIONS]
    _table(pdf, PackSections.TRANSACTION_HEAD, shown, (4, 3, 5, 5, 2, 3, 2, 3))
    if len(sections.transactions) > len(shown):
        pdf.cell(0, 5, f"… and {len(sections.transactions) - len(shown)} more in report.html",
                 new_x="LMARGIN", new_y="NEXT")
    _heading(pdf, "Analyst's notes")
    if sections.notes:
        _table(pdf, ("when", "author", "note"), list(sections.notes), (2, 2, 10))
    else:
        pdf.cell(0, 5, "No notes.", new_x="LMARGIN", new_y="NEXT")
    _heading(pdf, "Approval trail")
    if sections.trail:
        _table(pdf, ("when", "who", "action", "detail"), list(sections.trail), (3, 2, 3, 8))
    else:
        pdf.cell(0, 5, "No case trail: an ad-hoc export.", new_x="LMARGIN", new_y="NEXT")
    with whole_file(out) as temporary:
        pdf.output(str(temporary))
    return out

"""Fonts for the evidence pack's PDF: Noto Sans, then Noto for Thai, Arabic, Chinese, emoji and
the other scripts of the manimgx-fonts wheels (Noto as published, OFL), DejaVu last.

A fallback font is added only when the pack's text has a character the fonts before it lack,
so a Latin-only pack loads two. Noto ships variable fonts: the bold face and the CJK regular are
made by cutting the font down to the characters needed first and then fixing the weight,
because fixing the weight of the whole 44,000-glyph CJK font takes minutes (measured: 419 s)
while the cut font takes about 2 s. The bold face (Latin, Vietnamese, Cyrillic) is cut
once per process. Text shaping (HarfBuzz, the uharfbuzz wheel) joins Arabic letters and places
Thai and Vietnamese marks; it is on only for text that needs it.
"""

from __future__ import annotations

import atexit
import importlib.util
import shutil
import string
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import matplotlib
from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.varLib import instancer
from fpdf import FPDF

FAMILY = "NotoSans"
# the renderer's own words (headings, footer, "…") beside the pack's data
FIXED_TEXT = string.printable + "—…→"
# Han, kana, Hangul and their punctuation: the CJK face prints these and not, say, its arrows
# (loading it costs about 2 s)
CJK_RANGES = ((0x1100, 0x11FF), (0x2E80, 0x2FDF), (0x3000, 0x9FFF), (0xA960, 0xA97F),
              (0xAC00, 0xD7FF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF),
              (0x20000, 0x3FFFF))
# what the bold face holds: Latin with Vietnamese, Cyrillic, punctuation, currencies;
# a bold character outside falls back to a regular face
BOLD_RANGES = ((0x20, 0x17F), (0x400, 0x45F), (0x1EA0, 0x1EF9), (0x2010, 0x2027),
               (0x20A0, 0x20BF))


def _package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent


NOTO = _package_dir("manimgx_fonts")
NOTO_CJK = _package_dir("manimgx_fonts_cjk")
DEJAVU = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@dataclass(frozen=True)
class Face:
    """One font file (a member ``index`` of a collection), and the weight to fix if variable."""

    name: str
    path: Path
    index: int = 0
    weight: float | None = None  # None: the file's default instance as it is
    only: tuple[tuple[int, int], ...] = ()  # used for these code points only (empty: any)

    def covers(self, chars: set[int]) -> set[int]:
        """The characters of ``chars`` this face prints (and is meant for)."""
        found = chars & _cmap(self)
        if self.only:
            found = {c for c in found if any(low <= c <= high for low, high in self.only)}
        return found


def _fallbacks() -> list[Face]:
    """In order of preference: the scripts our users meet first, symbols and DejaVu last."""
    faces: list[Face] = []
    if NOTO is not None:
        first = ["Thai", "Arabic", "Hebrew", "Devanagari", "Khmer", "Lao", "Myanmar"]
        faces += [Face(f"NotoSans{s}", NOTO / f"NotoSans{s}[wght].ttf") for s in first]
    if NOTO_CJK is not None:  # member 2 is Simplified Chinese; the file's default weight is 100
        faces.append(Face("NotoSansCJK", NOTO_CJK / "NotoSansCJK-VF.otf.ttc", 2, 400.0,
                          CJK_RANGES))
    if NOTO is not None:
        faces.append(Face("NotoEmoji", NOTO / "NotoEmoji[wght].ttf"))
        named = {f.path.name for f in faces} | {"NotoSans[wght].ttf", "NotoSans-Italic[wght].ttf"}
        faces += [Face(p.name.split("[")[0], p) for p in sorted(NOTO.glob("Noto*.ttf"))
                  if p.name not in named]
    faces.append(Face("DejaVuSans", DEJAVU / "DejaVuSans.ttf"))
    return [f for f in faces if f.path.is_file()]


@lru_cache(maxsize=64)
def _cmap(face: Face) -> frozenset[int]:
    return frozenset(TTFont(str(face.path), fontNumber=face.index, lazy=True).getBestCmap())


def _fixed_weight(face: Face, chars: Iterable[int], folder: Path) -> Path:
    """A static font of ``face`` at its weight holding ``chars`` (and what shaping needs)."""
    font = TTFont(str(face.path), fontNumber=face.index, lazy=True)
    cutter = subset.Subsetter(subset.Options(layout_features=["*"], name_IDs=["*"],
                                             notdef_outline=True))
    cutter.populate(unicodes=sorted(chars))
    cutter.subset(font)
    # PDF embeds CFF, not CFF2: a CFF2 font (CJK) is turned into CFF once its weight is fixed
    font = instancer.instantiateVariableFont(font, {"wght": face.weight}, static=True,
                                             downgradeCFF2="CFF2" in font)
    out = folder / f"{face.name}-{int(face.weight or 0)}.{'otf' if 'CFF ' in font else 'ttf'}"
    font.save(str(out))
    return out


def _add(pdf: FPDF, family: str, style: str, face: Face, chars: set[int],
         folder: Path) -> None:
    if face.weight is None:
        pdf.add_font(family, style, str(face.path), collection_font_number=face.index)
    else:
        pdf.add_font(family, style, str(_fixed_weight(face, chars, folder)))


@lru_cache(maxsize=1)
def _bold(base: Face) -> Path:
    """Noto Sans Bold for ``BOLD_RANGES``, made once per process in a folder removed at exit."""
    folder = Path(tempfile.mkdtemp(prefix="dentrace-fonts-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    wanted = {c for low, high in BOLD_RANGES for c in range(low, high + 1)}
    return _fixed_weight(replace(base, name=f"{FAMILY}-Bold", weight=700.0),
                         wanted & _cmap(base), folder)


def install_fonts(pdf: FPDF, texts: Iterable[str], folder: Path) -> list[str]:
    """Give ``pdf`` the family ``FAMILY`` (regular, bold) and the fallbacks ``texts`` need.

    ``folder`` receives the cut fonts and must outlive ``pdf.output``. Returns the fallback
    fonts added, in order.
    """
    chars = {ord(c) for text in (FIXED_TEXT, *texts) for c in text if not c.isspace()}
    if NOTO is None:  # a broken install: print what DejaVu can rather than nothing
        base = Face(FAMILY, DEJAVU / "DejaVuSans.ttf")
        pdf.add_font(FAMILY, "", str(base.path))
        pdf.add_font(FAMILY, "B", str(DEJAVU / "DejaVuSans-Bold.ttf"))
    else:
        base = Face(FAMILY, NOTO / "NotoSans[wght].ttf")
        pdf.add_font(FAMILY, "", str(base.path))
        pdf.add_font(FAMILY, "B", str(_bold(base)))
    missing = chars - _cmap(base)
    added: list[str] = [FAMILY]  # for bold text beyond the bold face's ranges
    for face in _fallbacks():
        if not missing:
            break
        covered = face.covers(missing)
        if covered:
            _add(pdf, face.name, "", face, covered, folder)
            added.append(face.name)
            missing -= covered
    pdf.set_fallback_fonts(added, exact_match=False)
    if needs_shaping(chars) and importlib.util.find_spec("uharfbuzz") is not None:
        pdf.set_text_shaping(True)
    return added[1:]


def needs_shaping(chars: Iterable[int]) -> bool:
    """True for text with right-to-left letters or combining marks (Arabic, Hebrew, Thai,
    Devanagari, decomposed Vietnamese...): shaping a 400-payment table takes 11 s, not 3 s."""
    return any(unicodedata.category(chr(c)) in ("Mn", "Mc", "Me")
               or unicodedata.bidirectional(chr(c)) in ("R", "AL") for c in chars)

"""Hypothesis strategies for hostile text: any code point (controls, lone surrogates, U+FFFE/FFFF),
direction marks, zero-width characters, markup of every kind and 100 kB strings.

Plain ``st.text()`` leaves out surrogates and rarely draws the few characters that break writers,
so each of them is also drawn by name; 100 kB strings are built by repetition (cheap to draw).
"""

from __future__ import annotations

from hypothesis import strategies as st

BIDI = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
# Characters that have broken a writer or a terminal somewhere: NUL and other C0 controls,
# DEL, C1 (NEL), the line and paragraph separators, the non-characters, a lone surrogate.
SPECIAL = "\x00\x01\x07\x08\x0b\x0c\x1b\x1f\x7f\x85\x9b\u2028\u2029\ufffd\ufffe\uffff\ud800\udcff"
MARKUP = (
    "[/]", "[bold]", "[red]x[/red]", ":gift:", "<script>alert(1)</script>", "</script>",
    "<!--", "-->", "]]>", "<![CDATA[", "&", "&amp;", "&#0;", "<?xml", "{{ 7*7 }}", "{% if %}",
    "${7*7}", "#{x}", "=cmd|' /C calc'!A0", "+1+1", "@SUM(A1)", "-2+3", "%s%n%x", "{0}",
    "\x1b[31m", "\x1b]8;;http://x\x1b\\", "\x1b[2J", "\\u0000", "\\", "'", '"', ",", ";", "\t",
    "\r\n", "\n", "\r", "../../etc/passwd", "a/b?c#d", "%2F%25", "$\\frac{1}{$", "NaN", "null",
    "\u202eevil\u202c", "\u2066[bold]\u2069", "e\u0301\u0301\u0301", "名前", "🎁\U0001f9e8",
)
BIG = 100_000  # characters of a big string

_ALL = st.characters(categories=("L", "M", "N", "P", "S", "Z", "C"))
_NO_SURROGATE = st.characters(exclude_categories=["Cs"])


def _no_surrogates(text: str) -> bool:
    return not any("\ud800" <= c <= "\udfff" for c in text)


def _big(fragment: str) -> str:
    """``fragment`` repeated to about ``BIG`` characters (at least one character)."""
    fragment = fragment or "x"
    return (fragment * (BIG // len(fragment) + 1))[:BIG]


def hostile_text(*, surrogates: bool = True, big: bool = True) -> st.SearchStrategy[str]:
    """Text as hostile as a bank's export or an attacker's memo can be.

    ``surrogates=False`` leaves out lone surrogates (what UTF-8 files, Parquet and DuckDB can
    hold); ``big=False`` leaves out the 100 kB strings (for fields with their own bounds).
    """
    chars = _ALL if surrogates else _NO_SURROGATE
    named = [c for c in BIDI + ZERO_WIDTH + SPECIAL if surrogates or _no_surrogates(c)]
    pieces = [m for m in MARKUP if surrogates or _no_surrogates(m)]
    fragment = st.one_of(st.sampled_from(pieces), st.sampled_from(named),
                         st.text(chars, max_size=4))
    mixed = st.lists(fragment, min_size=1, max_size=8).map("".join)
    options = [st.text(chars, max_size=12), mixed]
    if big:
        options.append(mixed.map(_big))
    return st.one_of(*options)


def utf8_text(*, big: bool = True) -> st.SearchStrategy[str]:
    """``hostile_text`` without lone surrogates: what a valid UTF-8 file can carry."""
    return hostile_text(surrogates=False, big=big)


def encoded(text: str) -> bytes:
    """``text`` as UTF-8 bytes; a lone surrogate becomes the invalid bytes that stand for it
    (ED A0 80 for U+D800), as a broken export would hold them."""
    return text.encode("utf-8", "surrogatepass")


def has_surrogate(text: str) -> bool:
    """True when ``text`` holds a lone surrogate."""
    return not _no_surrogates(text)

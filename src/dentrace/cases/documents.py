"""What a case attachment is, found from its bytes, never from its name: documents only (PDF,
plain text, CSV, XML, JSON); images, video, audio and everything else are refused.

dentrace never stores images or video (a hard line of the project), so the check looks at the
content: the ``filetype`` library's magic-byte signatures name binary formats (an image renamed
``.pdf`` is still an image), and text is accepted only as UTF-8 without NUL bytes. XML must be
well-formed and not SVG or XHTML (images and pages written as XML); it is parsed without
entities or network access.
"""

from __future__ import annotations

import csv
import json
import unicodedata

import filetype
from lxml import etree

from dentrace.cases.errors import InvalidCaseInput

PDF, TEXT, CSV, XML, JSON = ("application/pdf", "text/plain", "text/csv", "application/xml",
                             "application/json")
DOCUMENT_TYPES = (PDF, TEXT, CSV, XML, JSON)
# Root elements of XML that is really an image or a web page.
_NOT_DOCUMENTS = {"svg": "an SVG image", "html": "a web page (HTML)"}
MAX_FILENAME = 120
_FORBIDDEN_IN_NAMES = set('/\\:*?"<>|')


class RefusedFile(InvalidCaseInput):
    """An attachment whose content is not one of ``DOCUMENT_TYPES`` (message says what it is)."""


def _refuse(what: str) -> RefusedFile:
    if what.startswith(("image", "video")):
        why = "dentrace never stores images or video"
    else:
        why = "only documents are accepted"
    return RefusedFile(f"field 'file': the content is {what}; {why} "
                       "(PDF, plain text, CSV, XML or JSON)")


def _xml_type(text: str) -> str:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)
    try:
        root = etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        raise RefusedFile(f"field 'file': text starting with '<' is not well-formed XML "
                          f"({str(exc)[:120]})") from exc
    local = etree.QName(root).localname.lower()
    if local in _NOT_DOCUMENTS:
        raise _refuse(_NOT_DOCUMENTS[local])
    return XML


def _looks_like_csv(text: str, filename: str) -> bool:
    if filename.lower().endswith(".csv"):
        return True
    lines = text.splitlines()[:20]
    if len(lines) < 2:
        return False
    try:
        dialect = csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t|")
    except csv.Error:
        return False
    widths = {len(row) for row in csv.reader(lines, dialect)}
    return len(widths) == 1 and widths.pop() > 1


def document_type(content: bytes, filename: str = "") -> str:
    """The media type of ``content`` if it is an accepted document, else ``RefusedFile``."""
    if not content:
        raise RefusedFile("field 'file': the file is empty")
    kind = filetype.guess(content)
    if kind is not None:
        if kind.mime == PDF:
            return PDF
        raise _refuse(f"{kind.mime} (.{kind.extension})")
    if b"\x00" in content:
        raise _refuse("binary data of an unknown kind")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse("binary data or text that is not UTF-8") from None
    stripped = text.lstrip()
    if stripped.startswith("<"):
        return _xml_type(stripped)
    if stripped[:1] in ("{", "["):
        try:
            json.loads(text)
            return JSON
        except ValueError:
            pass  # text that starts like JSON: plain text or CSV
    return CSV if _looks_like_csv(text, filename) else TEXT


def safe_filename(name: str) -> str:
    """A display and download name from whatever was sent: the last path part, NFC, without
    control or format characters, path or shell-special signs, at most ``MAX_FILENAME``
    characters (keeping the extension), never empty, never hidden."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    kept = "".join("_" if c in _FORBIDDEN_IN_NAMES else c for c in name
                   if unicodedata.category(c)[0] not in ("C", "Z") or c == " ")
    kept = " ".join(kept.split()).strip(" .")
    if len(kept) > MAX_FILENAME:
        _, dot, ext = kept.rpartition(".")
        ext = ext if dot and len(ext) <= 10 else ""
        kept = kept[: MAX_FILENAME - len(ext) - 1].rstrip(" .") + ("." + ext if ext else "")
    return kept or "attachment"

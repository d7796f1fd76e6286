"""Text that every XML writer can hold (goAML, GraphML, the evidence pack's HTML): the one
definition of what XML 1.0 forbids, replaced by U+FFFD so a report still says something was there.

XML 1.0 allows tab, line feed, carriage return and U+0020-U+D7FF, U+E000-U+FFFD,
U+10000-U+10FFFF. Anything else (a ``GIFT\\x01`` memo, a lone surrogate, U+FFFF) makes lxml
refuse the whole document and igraph stop half-way through a GraphML file.
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str) -> str:
    """``value`` with each character XML cannot hold replaced by U+FFFD."""
    return _NOT_XML.sub(REPLACEMENT, value)


def holds_unsafe(value: str) -> bool:
    """True when ``value`` has a character XML cannot hold."""
    return _NOT_XML.search(value) is not None

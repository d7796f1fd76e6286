"""Console output of the CLI with data kept literal: text from files, cases and error messages
goes to Rich as ``Text``, never as markup, so ``foo[/]`` or ``[spark]`` prints as it is.

Rich reads every ``str`` it prints as markup (``[red]``) and emoji codes (``:gift:``); a
closing tag in data raised ``MarkupError`` and a bracketed word vanished. Our own styling is
given as a style, beside the data, not inside it. Control characters and lone surrogates in
data print as escapes (``\\x1b``): a memo's ``ESC [2J`` cleared the analyst's terminal, and a
surrogate (a file name's undecodable byte) stopped the print with ``UnicodeEncodeError``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import cast

from rich.console import Console
from rich.markup import escape
from rich.text import Text

Part = object | tuple[object, str]
# C0 controls but tab and line feed, DEL, C1 controls, lone surrogates
_NOT_INERT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def inert(value: object) -> str:
    """``str(value)`` with what a terminal would act on, or an encoder refuse, escaped."""
    return _NOT_INERT.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"),
                          str(value))


def literal(value: object, style: str = "") -> Text:
    """``value`` as text Rich prints exactly: no markup, no emoji codes, no highlighting, no
    terminal controls."""
    return Text(inert(value), style=style)


def line(*parts: Part) -> Text:
    """One console line of literal parts; a ``(value, style)`` pair is styled."""
    text = Text()
    for part in parts:
        if isinstance(part, tuple):
            text.append(inert(part[0]), style=part[1])
        else:
            text.append(inert(part))
    return text


def say(console: Console, *parts: Part) -> None:
    """Print one line of literal parts on ``console``."""
    console.print(line(*parts), highlight=False)


def print_error(message: object, console: Console | None = None) -> None:
    """``error: MESSAGE`` on stderr (or ``console``), the message printed literally."""
    say(console or Console(stderr=True), ("error:", "red"), " ", message)


@contextmanager
def file_progress() -> Iterator[Callable[[str, int, int], None]]:
    """Ingest's progress bar (one line a file), the file's path escaped: the bar reads a task's
    description as markup, and a folder ``a[`` holding ``b].csv`` makes ``[/b]``."""
    from dentrace.ingest.progress_bar import file_progress as ingest_progress

    with ingest_progress() as bar:
        update = cast(Callable[[str, int, int], None], bar)
        yield lambda file, done, total: update(escape(inert(file)), done, total)

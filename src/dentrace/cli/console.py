"""Console output of the CLI with data kept literal: text from files, cases and error messages
goes to Rich as ``Text``, never as markup, so ``foo[/]`` or ``[spark]`` prints as it is.

Rich reads every ``str`` it prints as markup (``[red]``) and emoji codes (``:gift:``); a
closing tag in data raised ``MarkupError`` and a bracketed word vanished. Our own styling is
given as a style, beside the data, not inside it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import cast

from rich.console import Console
from rich.markup import escape
from rich.text import Text

Part = object | tuple[object, str]


def literal(value: object, style: str = "") -> Text:
    """``value`` as text Rich prints exactly: no markup, no emoji codes, no highlighting."""
    return Text(str(value), style=style)


def line(*parts: Part) -> Text:
    """One console line of literal parts; a ``(value, style)`` pair is styled."""
    text = Text()
    for part in parts:
        if isinstance(part, tuple):
            text.append(str(part[0]), style=part[1])
        else:
            text.append(str(part))
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
        yield lambda file, done, total: update(escape(file), done, total)

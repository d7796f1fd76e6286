"""``dentrace exercise new|score|board``: build a training exercise, score a trainee's work
against its sealed key, and rank a class (issue 25, docs/training.md).

Thin: parses options, calls ``dentrace.exercise`` and prints what it wrote.
"""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.console import Console

from dentrace.cli.console import print_error, say
from dentrace.errors import DentraceError

app = typer.Typer(help="Training exercises on synthetic worlds, scored against a sealed key.",
                  no_args_is_help=True)
CONSOLE = Console()


def _fail(error: DentraceError) -> typer.Exit:
    print_error(error)
    return typer.Exit(code=2)


@app.command("new")
def new(
    level: int = typer.Option(..., "--level", help="1 a remitter, 2 a bank with disguised "
                                                   "dens, 3 institutions sharing signals."),
    seed: int = typer.Option(0, "--seed", help="Same seed, same exercise."),
    out: Path = typer.Option(..., "--out", help="The bundle folder trainees get."),
    key_out: Path = typer.Option(..., "--key-out",
                                 help="Where to write the answer key (outside the bundle)."),
    scale: float | None = typer.Option(None, "--scale", help="World scale (level default)."),
    minutes: int | None = typer.Option(None, "--minutes", min=1,
                                       help="Time allowed (level default)."),
) -> None:
    """Build an exercise bundle (world without truth, briefing) and its sealed answer key."""
    from dentrace.exercise import new_exercise

    started = time.perf_counter()
    try:
        made = new_exercise(level, seed, out, key_out, scale=scale, minutes=minutes)
    except DentraceError as error:
        raise _fail(error) from error
    manifest = made.manifest
    say(CONSOLE, f"{made.bundle}: exercise {manifest['exercise']} ({manifest['title']}), "
        f"{len(manifest['files'])} files, {manifest['minutes']} minutes allowed; "
        f"built in {time.perf_counter() - started:.1f} s")
    say(CONSOLE, f"answer key: {made.key} (SHA-256 {manifest['key_sha256']}); "
        "keep it from trainees")

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


@app.command("start")
def start(
    bundle: Path = typer.Option(..., "--bundle", help="The exercise bundle."),
    workspace: Path = typer.Option(..., "--workspace", help="A new workspace for the trainee."),
    institution: str | None = typer.Option(None, "--institution",
                                           help="Level 3: the institution this workspace is."),
    database_url: str | None = typer.Option(None, "--database-url",
                                            envvar="DENTRACE_DATABASE_URL",
                                            help="SQLAlchemy URL of a team database."),
) -> None:
    """Start an exercise in the app: ingest, scan and queue the bundle's world; the clock runs."""
    from dentrace.exercise.workspace import start_exercise

    try:
        held = start_exercise(bundle, workspace, institution, database_url)
    except DentraceError as error:
        raise _fail(error) from error
    say(CONSOLE, f"{workspace}: exercise {held['exercise']} ({held['title']}, "
        f"{held['institution']}) started {held['started']}, ends {held['ends']}")
    say(CONSOLE, "add the trainees (dentrace users add) and serve it (dentrace serve)")


@app.command("score")
def score(
    bundle: Path = typer.Option(..., "--bundle", help="The exercise bundle."),
    key: Path = typer.Option(..., "--key", help="The sealed answer key."),
    submission: Path | None = typer.Option(None, "--submission",
                                           help="A ranked list: CSV with party_id, best first."),
    workspace: Path | None = typer.Option(None, "--workspace",
                                          help="Or an exercise workspace: its escalations."),
    trainee: str | None = typer.Option(None, "--trainee", help="The name on the scorecard."),
    institution: str | None = typer.Option(None, "--institution",
                                           help="Level 3: score a list against one "
                                                "institution's parties only."),
    goaml: Path | None = typer.Option(None, "--goaml", help="A draft goAML report handed in."),
    goaml_config: str | None = typer.Option(None, "--goaml-config",
                                            envvar="DENTRACE_GOAML_CONFIG",
                                            help="goAML settings (file or shipped profile)."),
    schema: Path | None = typer.Option(None, "--schema", envvar="DENTRACE_GOAML_SCHEMA",
                                       help="The FIU's goAML XSD."),
    database_url: str | None = typer.Option(None, "--database-url",
                                            envvar="DENTRACE_DATABASE_URL",
                                            help="The workspace's team database, if any."),
    out: Path = typer.Option(Path("scorecards"), "--out", help="Folder for the scorecards."),
) -> None:
    """Score a ranked list or an exercise workspace against the key: a scorecard (JSON, HTML)."""
    from dentrace.exercise.scorecard import score_exercise, write_scorecard
    from dentrace.exercise.submission import workspace_submission

    if (submission is None) == (workspace is None):
        print_error("give either --submission FILE.csv or --workspace DIR")
        raise typer.Exit(code=2)
    try:
        handed = (submission if submission is not None else
                  workspace_submission(workspace or Path(), database_url, trainee))
        card = score_exercise(bundle, key, handed, trainee, goaml, goaml_config, schema,
                              institution)
        data, page = write_scorecard(card, out)
    except DentraceError as error:
        raise _fail(error) from error
    first = card["time_to_first_den"].get("seconds")
    say(CONSOLE, f"{card['trainee']}: precision@20 {card['precision_at_20']}, precision@50 "
        f"{card['precision_at_50']}, recall {card['recall']}, dens {card['dens_found']}/"
        f"{card['dens_total']}, honest accused {card['honest_accused']} "
        f"({card['honest_accused_text']}), first den "
        f"{'-' if first is None else f'{first:.0f} s'}, goAML {card['goaml']['status']}")
    say(CONSOLE, f"wrote {data} and {page}")


@app.command("board")
def board(
    scorecards: list[Path] = typer.Argument(..., help="Scorecard JSON files of one exercise."),
    out: Path = typer.Option(..., "--out", help="Leaderboard file stem (.json and .html)."),
) -> None:
    """Rank a class's scorecards of one exercise on a leaderboard (JSON and HTML)."""
    import json

    from dentrace.exercise.scorecard import leaderboard, leaderboard_html
    from dentrace.writing.files import write_whole

    try:
        ranked = leaderboard(scorecards)
    except DentraceError as error:
        raise _fail(error) from error
    write_whole(out.with_suffix(".json"), json.dumps(ranked, indent=2, ensure_ascii=False))
    write_whole(out.with_suffix(".html"), leaderboard_html(ranked))
    for row in ranked["ranking"]:
        say(CONSOLE, f"{row['rank']}. {row['trainee']}: precision@50 {row['precision_at_50']}, "
            f"recall {row['recall']}, honest accused {row['honest_accused']}")

"""`dentrace train`: (re)train the learned score on generated worlds and save the model.

Training seeds must lie in 100–199; evaluation worlds use 1000+ (see docs/model-card.md).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import typer
from rich.console import Console

from dentrace.cli.console import literal, say
from dentrace.errors import DentraceError


def _parse_seeds(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError as error:
        raise typer.BadParameter(f"--seeds must be integers separated by commas: {text}") \
            from error


def train(
    seeds: str = typer.Option("101,102,103,104,105,106,107,108", "--seeds",
                              help="Training world seeds (100-199); each is scored by a "
                                   "model trained on the others for calibration."),
    scale: float = typer.Option(0.4, "--scale", help="Scale of each training world."),
    out: Path = typer.Option(None, "--out",
                             help="Model folder (default: the shipped package data)."),
    rounds: int = typer.Option(300, "--rounds", help="Boosting rounds per role."),
    keep_worlds: Path = typer.Option(None, "--keep-worlds",
                                     help="Keep the generated worlds and workspaces here "
                                          "(worlds already there are reused)."),
) -> None:
    """Generate training worlds, build features, train and calibrate LightGBM per role."""
    from dentrace.evaluate.training import train as train_models
    from dentrace.model.seeds import check_training_seeds
    from dentrace.model.shipped import SHIPPED_DIR

    console = Console()
    try:
        chosen = check_training_seeds(_parse_seeds(seeds))
    except DentraceError as error:
        console.print(literal(error, "red"))
        raise typer.Exit(code=2) from error
    target = out or SHIPPED_DIR
    with tempfile.TemporaryDirectory(prefix="dentrace-train-") as scratch:
        workdir = keep_worlds or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        report = train_models(chosen, scale, workdir, target, rounds,
                              progress=lambda text: say(console, text))
    say(console, f"trained on seeds {report.training_seeds} (calibrated leave-one-world-out), "
                 f"scale {scale}, in {report.seconds:.0f} s")
    for path in report.saved:
        say(console, f"saved {path} and its .lgb model")

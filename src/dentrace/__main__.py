"""Run the CLI with ``python -m dentrace``."""

from dentrace.cli.main import app

app()

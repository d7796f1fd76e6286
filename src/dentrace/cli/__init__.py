"""Command-line entry points: thin Typer commands that call the engine."""

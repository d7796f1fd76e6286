"""``dentrace share keys|consortium-key|export``: make keys, and export this institution's
signals as a signed file other members match on their own premises (issue 21).

Thin: parses options, calls ``dentrace.share`` and prints counts; never an identifier.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from dentrace.cli.console import print_error, say
from dentrace.errors import DentraceError

app = typer.Typer(help="Share signals with other institutions without personal data.",
                  no_args_is_help=True)

WORKSPACE = typer.Option(..., "--workspace", help="A scanned workspace.")
KEY_FILE = typer.Option(..., "--key-file", help="The consortium key file (TOML, secret).")
DATABASE_URL = typer.Option(None, "--database-url", envvar="DENTRACE_DATABASE_URL",
                            help="SQLAlchemy URL of a team database (PostgreSQL).")


def _fail(error: DentraceError) -> typer.Exit:
    print_error(error)
    return typer.Exit(code=2)


@app.command("keys")
def keys(
    institution: str = typer.Option(..., "--institution", help="This institution's name."),
    out: Path = typer.Option(..., "--out", help="Where to write the private signing key."),
) -> None:
    """Make this institution's Ed25519 signing key; print the line for the senders file."""
    from dentrace.share import new_signing_key

    try:
        identity = new_signing_key(institution, out)
    except DentraceError as error:
        raise _fail(error) from error
    say(Console(), f"wrote the signing key {out} (keep it secret); members add this line to "
                   f"their trusted-senders file under [senders]:")
    typer.echo(f'"{identity.institution}" = "{identity.public_text()}"')


@app.command("consortium-key")
def consortium_key(
    key_file: Path = typer.Option(..., "--key-file", help="The consortium key file (made if "
                                                          "absent)."),
    key_id: str = typer.Option(..., "--key-id", help="The new key's id, e.g. 2026-12."),
) -> None:
    """Add a new random consortium key and make it current (rotation keeps the older ones)."""
    from dentrace.share import add_consortium_key

    try:
        keys_held = add_consortium_key(key_file, key_id)
    except DentraceError as error:
        raise _fail(error) from error
    say(Console(), f"{key_file}: current key {keys_held.current}; "
                   f"{len(keys_held.keys)} key(s) held")


@app.command("export")
def export(
    workspace: Path = WORKSPACE,
    key_file: Path = KEY_FILE,
    signing_key: Path = typer.Option(..., "--signing-key", help="This institution's private "
                                                                "Ed25519 key (PEM)."),
    institution: str = typer.Option(..., "--institution", help="This institution's name, as "
                                                               "members' senders files hold it."),
    out: Path = typer.Option(..., "--out", help="The signals file to write."),
    payers: bool = typer.Option(False, "--payers", help="Also share alerted and confirmed "
                                                        "payers (default: facilitators only)."),
    database_url: str | None = DATABASE_URL,
) -> None:
    """Write the signed signals file of the workspace's alerted, confirmed and known parties."""
    from dentrace.share import export_signals, read_consortium_keys, read_signing_key
    from dentrace.store.sql import open_store

    try:
        keys_held = read_consortium_keys(key_file)
        identity = read_signing_key(institution, signing_key)
        with open_store(workspace, database_url) as store:
            counts = export_signals(workspace, store, keys_held, identity, out, payers=payers)
    except DentraceError as error:
        raise _fail(error) from error
    strengths = ", ".join(f"{n} {s}" for s, n in sorted(counts.by_strength.items()))
    say(Console(), f"wrote {out}: {counts.signals} signals ({strengths or 'none'}), "
                   f"{counts.tokens} identifier tokens, {counts.names} name encodings, "
                   f"{counts.revoked} withdrawn; consortium key {counts.key_id}")


@app.command("match")
def match(
    workspace: Path = WORKSPACE,
    key_file: Path = KEY_FILE,
    senders: Path = typer.Option(..., "--senders", help="The trusted-senders file (TOML)."),
    signals: list[Path] = typer.Option(..., "--signals", help="A signals file; repeat for "
                                                              "several."),
    max_bytes: int = typer.Option(1 << 30, "--max-bytes", min=1,
                                  help="Refuse a signals file larger than this."),
    database_url: str | None = DATABASE_URL,
) -> None:
    """Verify signals files and match them against the workspace's parties (evidence for a
    person to review: a shared signal never raises an alert on its own)."""
    from dentrace.share import read_consortium_keys, read_trusted_senders
    from dentrace.share.match import match_signals
    from dentrace.store.sql import open_store
    from dentrace.store.workspace import Workspace

    try:
        keys_held = read_consortium_keys(key_file)
        trusted = read_trusted_senders(senders)
        with open_store(workspace, database_url) as store:
            counts = match_signals(workspace, store, keys_held, trusted, signals,
                                   max_bytes=max_bytes)
    except DentraceError as error:
        raise _fail(error) from error
    say(Console(), f"{counts.files} file(s), {counts.signals} signals, {counts.withdrawn} "
                   f"withdrawn; {counts.exact} identifier and {counts.fuzzy} name hits; "
                   f"{counts.parties} local parties flagged by other institutions "
                   f"({Workspace(workspace).share_matches})")

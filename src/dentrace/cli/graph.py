"""``dentrace graph``: export one party's ego network (GraphML and JSON) from a workspace.

Thin: opens the workspace, calls ``dentrace.graph.ego`` and prints what it wrote.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer
from rich.console import Console

from dentrace.cli.console import print_error, say
from dentrace.errors import DentraceError


def graph(
    workspace: Path = typer.Option(..., "--workspace", help="A scanned or ingested workspace."),
    party: str = typer.Option(..., "--party", help="Party id (sender or beneficiary)."),
    hops: int = typer.Option(2, "--hops", min=1, max=4, help="Hops around the party."),
    out: Path = typer.Option(None, "--out",
                             help="Output path; .graphml and .json are written beside it "
                                  "(default: WORKSPACE/graphs/PARTY, the party id made a "
                                  "plain file name)."),
) -> None:
    """Export the payer–beneficiary network around PARTY as GraphML and JSON."""
    from dentrace.features import read_known
    from dentrace.graph.ego import ego_network, export_ego
    from dentrace.store.workspace import Workspace
    from dentrace.writing.files import confined, safe_file_name

    console = Console()
    space = Workspace(workspace)
    scanned = space.parties
    parties = pd.read_parquet(scanned) if scanned.is_file() else None
    try:
        # a party id is data, not a path: '../../x' or '/etc/x' must stay in graphs/
        target = out or confined(space.graphs, safe_file_name(party))
        con = space.open_warehouse(read_only=True)
        try:
            ego = ego_network(con, party, hops, parties, read_known(con))
        finally:
            con.close()
        written = export_ego(ego, party, hops, target)
    except DentraceError as exc:
        print_error(exc)
        raise typer.Exit(code=2) from exc
    say(console, f"{ego.vcount()} parties, {ego.ecount()} payer–beneficiary links within "
                 f"{hops} hops of {party}")
    for path in written:
        say(console, f"wrote {path}")

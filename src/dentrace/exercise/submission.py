"""What a trainee hands in, read as one ranked list of accusations: a CSV file of party ids, or
the escalations recorded in an exercise workspace's audit log (with their times).

Bad input names the file, the row and the field.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from dentrace.errors import InputError

MAX_ROWS = 100_000  # a class list is tens of rows; a dump of every party is not a ranking


@dataclass(frozen=True)
class Accusation:
    """One party a trainee points at, with the time of the audit entry when there is one."""

    party_id: str
    institution: str | None = None
    at: str | None = None  # ISO 8601 UTC


@dataclass(frozen=True)
class Submission:
    """A trainee's accusations, most suspicious first."""

    trainee: str
    source: str
    accusations: list[Accusation] = field(default_factory=list)
    dismissed: int = 0
    started: str | None = None  # when the exercise started (workspaces only)
    institution: str | None = None  # level 3: the one institution whose data was worked


def read_ranked_list(path: Path, trainee: str | None = None,
                     institutions: list[str] | None = None) -> Submission:
    """A CSV with a header and ``party_id`` (and, optionally, ``institution``), best first."""
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise InputError(f"cannot read the ranked list ({error.strerror})", file=path) from error
    with handle:
        try:
            rows = list(csv.reader(handle))
        except (csv.Error, UnicodeDecodeError) as error:
            raise InputError(f"not a UTF-8 CSV file ({error})", file=path) from error
    if not rows:
        raise InputError("empty file: a header with party_id is needed", file=path)
    header = [name.strip().lower() for name in rows[0]]
    if "party_id" not in header:
        raise InputError("required column 'party_id' is missing", file=path, row=1,
                         field="party_id")
    if len(rows) - 1 > MAX_ROWS:
        raise InputError(f"{len(rows) - 1:,} rows: at most {MAX_ROWS:,} are scored", file=path)
    column = header.index("party_id")
    where = header.index("institution") if "institution" in header else None
    accusations = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        party = row[column].strip() if column < len(row) else ""
        if not party:
            raise InputError("empty party_id", file=path, row=number, field="party_id")
        institution = row[where].strip() if where is not None and where < len(row) else None
        if institution and institutions and institution not in institutions:
            raise InputError(f"no institution {institution!r} in this exercise "
                             f"({', '.join(institutions)})", file=path, row=number,
                             field="institution")
        accusations.append(Accusation(party, institution or None))
    return Submission(trainee or path.stem, f"ranked list {path.name}", accusations)


START_ACTION = "start_exercise"  # audited by ``dentrace exercise start`` (workspace.py)
_READ_AT_MOST = 1_000_000  # audit entries read; an exercise records a few hundred


def workspace_submission(workspace: Path, database_url: str | None = None,
                         trainee: str | None = None) -> Submission:
    """The accusations recorded in ``workspace``'s audit log (alerts escalated, parties put in
    a case), in the order they were made.

    The exercise starts at its ``start_exercise`` entry (the first entry when there is none);
    dismissals are counted (those held for a second review too), not accused.
    """
    from dentrace import audit
    from dentrace.store.sql import open_store

    store = open_store(workspace, database_url, must_exist=True)
    try:
        log = audit.entries(store, limit=_READ_AT_MOST, newest_first=False)
    finally:
        store.engine.dispose()
    if not log:
        raise InputError("the workspace's audit log is empty: nothing was done", file=workspace)
    start = next((e.ts for e in log if e.action == START_ACTION), log[0].ts)
    accusations: list[Accusation] = []
    actors: set[str] = set()
    for entry in (e for e in log if e.ts >= start):
        accused = _accused(entry.action, entry.detail)
        if accused:
            actors.add(entry.actor)
            accusations.extend(Accusation(party, None, entry.ts) for party in accused)
    # a dismissal held for a supervisor's second review is the trainee's decision all the same
    dismissed = sum(1 for e in log if e.action in ("dismiss_alert", "request_dismissal")
                    and e.ts >= start)
    return Submission(trainee or ", ".join(sorted(actors)) or Path(workspace).name,
                      f"workspace {Path(workspace).name}", accusations, dismissed, start,
                      _worked_institution(workspace))


def _worked_institution(workspace: Path) -> str | None:
    """The institution ``exercise start`` put in the workspace (its exercise.json)."""
    from dentrace.exercise.banner import read_exercise

    held = read_exercise(workspace)
    return str(held["institution"]) if held and held.get("institution") else None


def _accused(action: str, detail: dict[str, object]) -> list[str]:
    """The parties an audit entry accuses: an escalated alert's, or those a case was opened
    with or given (cases/casework.py)."""
    if action == "escalate_alert" and detail.get("party_id"):
        return [str(detail["party_id"])]
    parties = detail.get("parties")
    if action in ("open_case", "add_parties") and isinstance(parties, list):
        return [str(p) for p in parties if p]
    return []

"""The shared-signal matches of a workspace (issue 21): one row per local party and signal in
force, and the withdrawals received. ``dentrace share match`` writes them; the scan and the
app read them, so they live here, below both.

Files (written whole, replaced on each match): ``share/matches.parquet`` and
``share/revoked.parquet``. Counts per party are of institutions, not signals: two signals from
one sender about one party are one source.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pandas as pd

from dentrace.store.atomic import write_atomically
from dentrace.store.workspace import Workspace

COLUMNS: Final = ("party_id", "sender", "signal_id", "role", "label", "strength",
                  "signal_date", "matched_on", "similarity", "key_id", "file_sha256",
                  "matched_at")
_REVOKED_COLUMNS: Final = ("sender", "signal_id", "revoked_at")


def _read(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    if not path.is_file():
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return pd.read_parquet(path, columns=list(columns))


def read_matches(workspace: Path) -> pd.DataFrame:
    """Every match in force (empty, with the columns, when nothing was matched yet)."""
    return _read(Workspace(workspace).share_matches, COLUMNS)


def read_revoked(workspace: Path) -> pd.DataFrame:
    """Every withdrawal received: ``sender``, ``signal_id``, ``revoked_at``."""
    return _read(Workspace(workspace).share_revoked, _REVOKED_COLUMNS)


def _parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def _write_whole(path: Path, data: bytes) -> None:
    """Write beside ``path`` then rename: a reader sees the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, lambda temporary: temporary.write_bytes(data))


def write_results(workspace: Path, matches: pd.DataFrame, revoked: pd.DataFrame) -> None:
    """Replace both files whole (a reader sees the old set or the new one, per file)."""
    _write_whole(Workspace(workspace).share_revoked, _parquet(revoked[list(_REVOKED_COLUMNS)]))
    _write_whole(Workspace(workspace).share_matches, _parquet(matches[list(COLUMNS)]))


@dataclass(frozen=True)
class SharedFlags:
    """What other institutions say about one party: "flagged by N (confirmed by M)"."""

    institutions: int
    confirmed: int
    signals: list[dict[str, object]]


def party_counts(matches: pd.DataFrame) -> pd.DataFrame:
    """Per party: ``institutions`` flagging it, ``confirmed`` (by a case there), ``known``."""
    if not len(matches):
        return pd.DataFrame({"party_id": pd.Series(dtype=str),
                             "institutions": pd.Series(dtype="int64"),
                             "confirmed": pd.Series(dtype="int64"),
                             "known": pd.Series(dtype="int64")})
    per_sender = matches.groupby(["party_id", "sender"])["strength"].agg(set).reset_index()
    per_sender["confirmed"] = per_sender["strength"].map(lambda s: "confirmed" in s)
    per_sender["known"] = per_sender["strength"].map(lambda s: "known" in s)
    counts = per_sender.groupby("party_id").agg(
        institutions=("sender", "nunique"), confirmed=("confirmed", "sum"),
        known=("known", "sum")).reset_index()
    return counts.astype({"institutions": "int64", "confirmed": "int64", "known": "int64"})


def flags_of(workspace: Path, party_id: str) -> SharedFlags:
    """The shared signals in force about ``party_id`` (none: zero institutions)."""
    mine = read_matches(workspace)
    mine = mine[mine["party_id"] == party_id]
    counts = party_counts(mine)
    if not len(counts):
        return SharedFlags(0, 0, [])
    row = counts.iloc[0]
    signals = mine.drop(columns=["party_id", "file_sha256", "key_id"]).to_dict("records")
    return SharedFlags(int(row["institutions"]), int(row["confirmed"]),
                       [{str(k): v for k, v in s.items()} for s in signals])

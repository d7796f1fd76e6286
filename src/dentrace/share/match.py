"""Match: other members' signals against this workspace's parties, on our own premises; the
hits are stored for the scan and the app, for a person to review (never an alert alone).

A token hit is exact. An account number is unique only within its bank, so an account-number
hit is dropped when both sides carry a name and the names disagree (Dice below the threshold).
A name hit needs the same country and Dice at or above ``DICE_THRESHOLD``. Files are applied in
the order they were made: a later file's withdrawal drops a signal, a later file's signal
reinstates it. Every file read (or refused) and every matched party is audited.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from dentrace import audit
from dentrace.share.encoding import DICE_THRESHOLD, NameEncoder, as_bit_matrix, dice_matrix
from dentrace.share.errors import SignalFileError
from dentrace.share.export import signal_encoder
from dentrace.share.identifiers import identifier_token
from dentrace.share.keys import ConsortiumKey, ConsortiumKeys
from dentrace.share.parties import local_parties
from dentrace.share.signals import MAX_BYTES, Signal, SignalsFile, read_signals
from dentrace.store.shared_signals import COLUMNS, read_matches, read_revoked, write_results
from dentrace.store.sql import Store

_CHUNK = 4096  # local encodings per Dice product: 4096 x 2048 float32 is 32 MB


@dataclass(frozen=True)
class MatchCounts:
    """One match run: files and signals read, withdrawals, hits and parties in force."""

    files: int
    signals: int
    withdrawn: int
    exact: int
    fuzzy: int
    parties: int


class LocalParties:
    """The workspace's parties seen through one consortium key: tokens and name encodings,
    each built once and only for what the signals ask."""

    def __init__(self, parties: pd.DataFrame, key: ConsortiumKey) -> None:
        self.parties = parties
        self.encoder: NameEncoder = signal_encoder(key)
        self.by_token: dict[str, list[int]] = {}
        token_key = key.derived("token")
        for row, party in enumerate(parties["party_id"].astype(str).tolist()):
            found = identifier_token(token_key, party)
            if found is not None:
                self.by_token.setdefault(found[1], []).append(row)
        countries = parties["country"].fillna("").astype(str)
        block_of = {c: self.encoder.block(c) for c in countries.unique()}
        blocks = countries.map(block_of)
        self._rows_of_block = {str(b): np.asarray(rows, dtype=int)
                               for b, rows in blocks.groupby(blocks).indices.items()}
        self._encoded: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def encodings(self, block: str) -> tuple[np.ndarray, np.ndarray]:
        """(rows, 0/1 matrix) of the named parties in one country block."""
        if block not in self._encoded:
            rows, packed = [], []
            for row in self._rows_of_block.get(block, np.array([], int)):
                name = self.parties.at[row, "name"]
                bloom = (self.encoder.encode(name, self.parties.at[row, "country"])
                         if isinstance(name, str) else None)
                if bloom is not None:
                    rows.append(int(row))
                    packed.append(bloom)
            self._encoded[block] = (np.array(rows, dtype=int), as_bit_matrix(packed))
        return self._encoded[block]

    def name_dice(self, row: int, signal: Signal) -> float | None:
        """Dice of one party's name with a signal's, None when either has no name."""
        name = self.parties.at[row, "name"]
        if signal.bloom is None or not isinstance(name, str):
            return None
        mine = self.encoder.encode(name, self.parties.at[row, "country"])
        if mine is None:
            return None
        if self.encoder.block(self.parties.at[row, "country"]) != signal.block:
            return 0.0
        return float(dice_matrix(as_bit_matrix([mine]), as_bit_matrix([signal.bloom]))[0, 0])


def _hit(signal: Signal, sender: SignalsFile, party: str, matched_on: str,
         similarity: float) -> dict[str, object]:
    return {"party_id": party, "sender": sender.sender, "signal_id": signal.signal_id,
            "role": signal.role, "label": signal.label, "strength": signal.strength,
            "signal_date": signal.as_of, "matched_on": matched_on,
            "similarity": round(similarity, 4), "key_id": sender.key_id,
            "file_sha256": sender.sha256}


def exact_hits(file: SignalsFile, local: LocalParties) -> Iterator[dict[str, object]]:
    parties = local.parties["party_id"]
    for signal in file.signals:
        for kind, tok in signal.tokens:
            for row in local.by_token.get(tok, ()):
                dice = local.name_dice(row, signal) if kind == "account" else None
                if dice is not None and dice < DICE_THRESHOLD:
                    continue  # the same account number at another bank: names disagree
                yield _hit(signal, file, str(parties.iat[row]), kind, 1.0)


def _fuzzy(file: SignalsFile, local: LocalParties, threshold: float) -> Iterator[dict[str, object]]:
    by_block: dict[str, list[Signal]] = {}
    for signal in file.signals:
        if signal.bloom is not None and signal.block is not None:
            by_block.setdefault(signal.block, []).append(signal)
    parties = local.parties["party_id"]
    for block, signals in by_block.items():
        rows, mine = local.encodings(block)
        if not len(rows):
            continue
        theirs = as_bit_matrix([s.bloom for s in signals if s.bloom is not None])
        for start in range(0, len(rows), _CHUNK):
            dice = dice_matrix(theirs, mine[start:start + _CHUNK])
            for i, j in zip(*np.nonzero(dice >= threshold), strict=True):
                yield _hit(signals[i], file, str(parties.iat[rows[start + j]]), "name",
                           float(dice[i, j]))


def _read_all(paths: Iterable[Path], senders: dict[str, Ed25519PublicKey],
              keys: ConsortiumKeys, store: Store, actor: str, origin: str,
              max_bytes: int) -> list[SignalsFile]:
    """Every file verified and read, each import audited; a refused file is audited too and
    stops the run before anything is stored."""
    files = []
    for path in paths:
        try:
            file = read_signals(path, senders, keys, max_bytes=max_bytes)
        except SignalFileError as error:
            with store.session() as session:
                audit.record(session, actor=actor, action="share_import_refused",
                             target_type="file", target_id=str(path)[-128:], origin=origin,
                             detail={"error": str(error)[:500], "kind": type(error).__name__})
            raise
        with store.session() as session:
            audit.record(session, actor=actor, action="share_import", target_type="file",
                         target_id=str(path)[-128:], origin=origin,
                         detail={"sender": file.sender, "key_id": file.key_id,
                                 "created": file.created, "signals": len(file.signals),
                                 "withdrawn": len(file.revoked), "sha256": file.sha256})
        files.append(file)
    return sorted(files, key=lambda f: f.created)


def _apply(files: list[SignalsFile], hits: pd.DataFrame, workspace: Path
           ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The matches and withdrawals in force once ``files`` (oldest first) are applied."""
    matches, revoked = read_matches(workspace), read_revoked(workspace)
    withdrawn = {(r.sender, r.signal_id): r.revoked_at for r in revoked.itertuples()}
    for file in files:
        for signal_id in file.revoked:
            withdrawn[(file.sender, signal_id)] = file.created
        for signal in file.signals:  # sent again after its withdrawal: in force again
            if withdrawn.get((file.sender, signal.signal_id), "") < file.created:
                withdrawn.pop((file.sender, signal.signal_id), None)
    refreshed = {(f.sender, s.signal_id) for f in files for s in f.signals}
    keys_of = list(zip(matches["sender"], matches["signal_id"], strict=True))
    kept = matches[[k not in refreshed for k in keys_of]]
    merged = pd.concat([kept, hits], ignore_index=True) if len(kept) else hits
    keys_of = list(zip(merged["sender"], merged["signal_id"], strict=True))
    merged = merged[[k not in withdrawn for k in keys_of]]
    # one row per party and signal: an identifier hit before a name hit, then the best Dice
    merged = merged.assign(_exact=merged["matched_on"] != "name").sort_values(
        ["party_id", "sender", "signal_id", "_exact", "similarity"],
        ascending=[True, True, True, False, False])
    merged = merged.drop_duplicates(["party_id", "sender", "signal_id"]).drop(columns="_exact")
    revoked_frame = pd.DataFrame([(s, i, at) for (s, i), at in sorted(withdrawn.items())],
                                 columns=["sender", "signal_id", "revoked_at"])
    return merged.reset_index(drop=True), revoked_frame


def match_signals(workspace: Path, store: Store, keys: ConsortiumKeys,
                  senders: dict[str, Ed25519PublicKey], paths: Iterable[Path], *,
                  threshold: float = DICE_THRESHOLD, max_bytes: int = MAX_BYTES,
                  actor: str | None = None, origin: str = "cli") -> MatchCounts:
    """Verify and match signals files against the workspace's parties; store the matches in
    force (``share/matches.parquet``) and the withdrawals (``share/revoked.parquet``)."""
    actor = actor or audit.local_operator()
    files = _read_all(paths, senders, keys, store, actor, origin, max_bytes)
    parties = local_parties(workspace)
    locals_by_key: dict[str, LocalParties] = {}
    rows: list[dict[str, object]] = []
    exact = fuzzy = 0
    for file in files:
        key = keys.get(file.key_id)
        assert key is not None  # read_signals refuses a key id we do not hold
        if file.key_id not in locals_by_key:  # keyed once per consortium key, not per file
            locals_by_key[file.key_id] = LocalParties(parties, key)
        local = locals_by_key[file.key_id]
        found = list(exact_hits(file, local))
        named = list(_fuzzy(file, local, threshold))
        exact, fuzzy = exact + len(found), fuzzy + len(named)
        rows += found + named
    hits = pd.DataFrame(rows, columns=[c for c in COLUMNS if c != "matched_at"])
    hits["matched_at"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    matches, revoked = _apply(files, hits, workspace)
    write_results(workspace, matches, revoked)
    with store.session() as session:
        for party, group in matches[matches["file_sha256"].isin(
                {f.sha256 for f in files})].groupby("party_id"):
            audit.record(session, actor=actor, action="share_match", target_type="party",
                         target_id=str(party), origin=origin,
                         detail={"senders": sorted(set(group["sender"])),
                                 "strengths": sorted(set(group["strength"])),
                                 "matched_on": sorted(set(group["matched_on"]))})
    return MatchCounts(files=len(files), signals=sum(len(f.signals) for f in files),
                       withdrawn=sum(len(f.revoked) for f in files), exact=exact, fuzzy=fuzzy,
                       parties=int(matches["party_id"].nunique()))

"""Export: the parties this institution flags, as signals other members can match without
learning any identifier or name.

Subjects and their strength (strongest kept per party): ``confirmed`` by casework (an escalated
alert or a reported case, cases/labels.py), ``known`` (the workspace's known file), ``alerted``
(the scan in force). Facilitators always; payers with ``payers=True``. A party a person cleared
(a dismissed alert, or ``cleared`` in the known file) is never exported and its signal id is
listed as withdrawn, so members who matched it earlier drop it.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from dentrace import audit
from dentrace.cases.labels import export_known_labels
from dentrace.features import read_known
from dentrace.share.encoding import NameEncoder
from dentrace.share.identifiers import identifier_token
from dentrace.share.keys import ConsortiumKey, ConsortiumKeys, SigningIdentity
from dentrace.share.parties import local_parties
from dentrace.share.signals import STRENGTHS, Signal, write_signals
from dentrace.store.sql import Store
from dentrace.store.workspace import Workspace

_ROLE_OF_LABEL = {"offender": "payer", "facilitator": "facilitator"}
_RANK = {strength: rank for rank, strength in enumerate(STRENGTHS)}


@dataclass(frozen=True)
class ExportCounts:
    """What one export wrote: signals by strength and role, tokens, names, withdrawals."""

    signals: int
    tokens: int
    names: int
    revoked: int
    by_strength: dict[str, int]
    by_role: dict[str, int]
    key_id: str


def signal_encoder(key: ConsortiumKey) -> NameEncoder:
    """The name encoder of one consortium key."""
    return NameEncoder(key.derived("bloom"), key.derived("permute"), key.derived("block"))


def signal_id_of(id_key: bytes, party: str) -> str:
    """The id of the signal about ``party``: keyed by the sender's own secret, so only the
    sender can link it to the party, and stable so a later withdrawal names it."""
    return hmac.new(id_key, party.encode("utf-8", "surrogatepass"),
                    hashlib.sha256).hexdigest()[:32]


def _alerted(workspace: Path) -> list[tuple[str, str, str, date]]:
    path = Workspace(workspace).alerts
    if not path.is_file():
        return []
    alerts = pd.read_parquet(path, columns=["party_id", "role"])
    when = datetime.fromtimestamp(path.stat().st_mtime, UTC).date()
    return [(str(p), str(r), "alerted", when) for p, r in alerts.itertuples(index=False)]


def _known(workspace: Path) -> tuple[list[tuple[str, str, str, date]], set[str]]:
    con = Workspace(workspace).open_warehouse(read_only=True)
    try:
        known = read_known(con)
    finally:
        con.close()
    found, cleared = [], set()
    for party, label, as_of in known.itertuples(index=False):
        if label == "cleared":
            cleared.add(str(party))
        elif label in _ROLE_OF_LABEL:
            when = as_of.date() if hasattr(as_of, "date") and not pd.isna(as_of) else date.today()
            found.append((str(party), _ROLE_OF_LABEL[label], "known", when))
    return found, cleared


def subjects(workspace: Path, store: Store, *, payers: bool) -> tuple[pd.DataFrame, set[str]]:
    """(``party_id``, ``role``, ``strength``, ``as_of`` per flagged party, cleared party ids)."""
    known, cleared = _known(workspace)
    confirmed = []
    for label in export_known_labels(store):
        if label.label == "cleared":
            cleared.add(label.party_id)
        else:
            confirmed.append((label.party_id, _ROLE_OF_LABEL[label.label], "confirmed",
                              label.as_of))
    rows = [r for r in _alerted(workspace) + known + confirmed
            if r[0] not in cleared and (payers or r[1] == "facilitator")]
    frame = pd.DataFrame(rows, columns=["party_id", "role", "strength", "as_of"])
    frame["rank"] = frame["strength"].map(_RANK)
    frame = frame.sort_values(["party_id", "rank", "as_of"]).groupby("party_id").tail(1)
    return frame.drop(columns="rank").reset_index(drop=True), cleared


def _signals(frame: pd.DataFrame, names: pd.DataFrame, key: ConsortiumKey,
             identity: SigningIdentity) -> list[Signal]:
    token_key, encoder = key.derived("token"), signal_encoder(key)
    id_key = identity.signal_id_key()
    by_party = names.set_index("party_id")
    out = []
    for party, role, strength, as_of in frame.itertuples(index=False):
        found = identifier_token(token_key, party)
        name, country = (by_party.loc[party, "name"], by_party.loc[party, "country"]) \
            if party in by_party.index else (None, None)
        bloom = encoder.encode(name, country) if isinstance(name, str) else None
        if found is None and bloom is None:
            continue
        tokens = () if found is None else (found,)
        block = encoder.block(country) if bloom is not None else None
        out.append(Signal(signal_id_of(id_key, party), role, strength, as_of, tokens, block,
                          bloom))
    return distinct_names(out)


def distinct_names(signals: list[Signal]) -> list[Signal]:
    """Each name encoding once per file, on its strongest signal: the others keep their tokens
    and lose the encoding (a signal left with neither is dropped). Encodings are deterministic,
    so a name written on many signals would tell an outsider how common it is (the frequency
    attack of benchmarks/share.py); a local party matching that name matches the one kept."""
    rank = {strength: r for r, strength in enumerate(STRENGTHS)}
    order = sorted(range(len(signals)), key=lambda i: -rank[signals[i].strength])
    seen: set[bytes] = set()
    kept: dict[int, Signal] = {}
    for i in order:
        signal = signals[i]
        if signal.bloom is not None and signal.bloom in seen:
            signal = Signal(signal.signal_id, signal.role, signal.strength, signal.as_of,
                            signal.tokens)
        if signal.bloom is not None:
            seen.add(signal.bloom)
        if signal.tokens or signal.bloom is not None:
            kept[i] = signal
    return [kept[i] for i in sorted(kept)]


def export_signals(workspace: Path, store: Store, keys: ConsortiumKeys,
                   identity: SigningIdentity, out: Path, *, payers: bool = False,
                   actor: str | None = None, origin: str = "cli") -> ExportCounts:
    """Write the workspace's signals to ``out``, signed by ``identity`` under the current
    consortium key, and audit the export (who, which file, how many of what)."""
    key = keys.newest
    frame, cleared = subjects(workspace, store, payers=payers)
    signals = _signals(frame, local_parties(workspace), key, identity)
    id_key = identity.signal_id_key()
    revoked = sorted(signal_id_of(id_key, party) for party in cleared)
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    write_signals(out, identity, key.key_id, created, signals, revoked)
    counts = ExportCounts(
        signals=len(signals), tokens=sum(len(s.tokens) for s in signals),
        names=sum(s.bloom is not None for s in signals), revoked=len(revoked),
        by_strength=dict(Counter(s.strength for s in signals)),
        by_role=dict(Counter(s.role for s in signals)), key_id=key.key_id)
    with store.session() as session:
        audit.record(session, actor=actor or audit.local_operator(), action="share_export",
                     target_type="file", target_id=str(out)[-128:], origin=origin,
                     detail={"institution": identity.institution, **counts.__dict__})
    return counts

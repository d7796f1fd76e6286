"""The party state of a screener kept on disk: parties are read from the workspace's party state
store (``party_state.sqlite``) when a payment first needs them, instead of replaying every
payment of the warehouse into memory (which takes ~800 bytes a payment: 71 GiB at 100M).

Before a batch of payments is folded, ``StoredParties.prepare`` loads what the two parties'
rows read, as the incremental scan loads a touched party (``dentrace.detect.party_state``):
the payer with its corridor pairs and the pair the payment changes; the beneficiary and the
payer's corridor beneficiaries with their corridor pairs and the totals over all their pairs;
the beneficiary's corridor payers, and the fan-in of every beneficiary those payers pay.
Screened payments change the parties in memory only: the store is the scans' (an incremental
scan folds the same payments in once they are ingested), so the screener never writes it.
Memory grows with the parties screened since the screener was built, not with the history.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from dentrace.state.flags import FlaggedPayment
from dentrace.state.store import PartyStateStore, Workset
from dentrace.state.totals import RowCache

# the store is read ahead into the OS file cache when it takes at most this share of the memory
READ_AHEAD_SHARE = 0.5


@dataclass
class StoredParties:
    """Loads from ``store`` into ``work.state`` (the screener's state) what a batch reads."""

    store: PartyStateStore
    work: Workset
    loads: dict[str, int] = field(default_factory=lambda: {"payers": 0, "beneficiaries": 0})
    _seeded: RowCache | None = None

    def __post_init__(self) -> None:
        read_ahead(self.store.path)

    def prepare(self, flagged: list[FlaggedPayment], cache: RowCache) -> None:
        """Load the parties of ``flagged`` and what their rows read; seed ``cache`` with the
        stored totals of every beneficiary loaded (their non-corridor pairs stay on disk)."""
        if cache is not self._seeded:  # a new cache: the beneficiaries already in memory
            seed_totals(self.work, cache, set(self.work.totals))
            self._seeded = cache
        self._load({(f.sender_id, f.beneficiary_id) for f in flagged}, cache)

    def warm(self, pairs: Iterable[tuple[str, str]], batch: int = 10_000) -> None:
        """Load ahead what payments between the (payer, beneficiary) ``pairs`` would read, e.g.
        those of the history's last day: the first payments screened, mostly by the same
        parties, then find them in memory instead of waiting for the store."""
        wanted = sorted(set(pairs))
        for start in range(0, len(wanted), batch):
            self._load(set(wanted[start:start + batch]), self._seeded)

    def _load(self, pairs: set[tuple[str, str]], cache: RowCache | None) -> None:
        """``prepare`` for ``pairs``; loaded beneficiaries' totals go into ``cache`` (None: no
        cache yet; the first ``prepare`` seeds its cache with every loaded beneficiary)."""
        work, store, state = self.work, self.store, self.work.state
        senders = {s for s, _ in pairs}
        receivers = {b for _, b in pairs}
        self._payers(senders)
        store.load_pairs(work, pairs)
        self._beneficiaries(receivers | work.payer_partners(senders), cache)
        # a facilitator row reads, per corridor payer, the suspected collectors it pays
        linked = work.beneficiary_partners(receivers)
        self._payers(linked)
        store.load_fan_in(work, work.payer_partners(senders | linked))
        # a pair the batch changes joins its beneficiary in memory (a beneficiary is loaded
        # with its corridor pairs only), so the fold and the row cache see its old value
        for s, b in pairs:
            pair = state.payers[s].pairs.get(b) if s in state.payers else None
            if pair is not None and b in state.beneficiaries:
                state.beneficiaries[b].pairs.setdefault(s, pair)
        # parties absent from the store start empty when folded into: never looked up again
        work.payers |= senders
        work.beneficiaries |= receivers

    def _payers(self, ids: set[str]) -> None:
        self.loads["payers"] += len(self.store.load_payers(self.work, ids))

    def _beneficiaries(self, ids: set[str], cache: RowCache | None) -> None:
        """Load ``ids`` fully (those read for their fan-in alone are read again, whole)."""
        work, state = self.work, self.work.state
        wanted = ids - work.beneficiaries
        upgraded = wanted & work.fan_in_only
        for b in upgraded:  # never folded into: a fold loads its beneficiary fully first
            del state.beneficiaries[b]
        work.fan_in_only -= upgraded
        loaded = self.store.load_beneficiaries(work, wanted)
        if cache is not None:
            seed_totals(work, cache, loaded)
        self.loads["beneficiaries"] += len(loaded)


def read_ahead(path: Path, memory: int | None = None) -> bool:
    """Ask the OS to read ``path`` into its file cache, in the background, when it takes at most
    ``READ_AHEAD_SHARE`` of the machine's memory; True when asked. A party is read from all
    over the store: cold, each read waits for the disk (at 100M, 13,000 payments screened took
    1.66 ms each from a cold store, 0.95 ms once the 7 GB store was in the cache)."""
    from dentrace.state.build import machine_memory

    memory = machine_memory() if memory is None else memory
    if not hasattr(os, "posix_fadvise") or path.stat().st_size > READ_AHEAD_SHARE * memory:
        return False
    with path.open("rb") as file:
        os.posix_fadvise(file.fileno(), 0, 0, os.POSIX_FADV_WILLNEED)
    return True


def seed_totals(work: Workset, cache: RowCache, ids: Iterable[str]) -> None:
    """Give ``cache`` the totals over all pairs of the loaded beneficiaries ``ids`` (from the
    store, with the payments folded since): their rows then never need their pairs on disk."""
    state = work.state
    for b in ids:
        beneficiary, totals = state.beneficiaries[b], work.totals[b]
        totals.n_incoming, totals.amounts = beneficiary.n_incoming, sorted(beneficiary.amounts)
        cache.totals[b] = totals


__all__ = ["READ_AHEAD_SHARE", "StoredParties", "read_ahead", "seed_totals"]

"""The party state store built from the whole warehouse in shards, so that a history larger
than memory can be built (the first ``scan --incremental`` of a workspace builds it, once).

A fold of every payment holds every party at once: ~800 bytes per payment (7.3 GiB at 10M,
~71 GiB at 100M). The build splits the parties instead, by a hash of their id, in two passes
of the same fold (``dentrace.state.fold``) over the flagged payments:

1. **payer shards**: the payments of the shard's senders, folded in time order, give those
   payers and all their pairs exactly (a pair belongs to its payer). Each payer's profile is
   computed as of the warehouse's last day, and is written with its pairs;
2. **beneficiary shards**: the payments of the shard's beneficiaries give those beneficiaries
   exactly, with the totals over all their pairs; the profile sums of their corridor payers
   are read from the first pass, payer by payer in id order as the single fold adds them.

Each shard is folded in a worker process into a store file of its own, and the shard stores
are merged into the workspace's ``party_state.sqlite``. The payments are flagged once, with
the scan's flag SQL, and written as Parquet partitioned by shard for the workers to read.
The shard count follows the memory the fold would need (``STATE_BYTES_PER_PAYMENT``) against
``STATE_MEMORY_SHARE`` of the machine's memory shared by the workers.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from dentrace.errors import WorkspaceError
from dentrace.features.settings import FeatureSettings
from dentrace.state.features import GraphContext, kyc_days
from dentrace.state.flag_sql import flag_sql
from dentrace.state.flags import FlaggedPayment
from dentrace.state.fold import (
    PROFILE_SIZE,
    BeneficiaryState,
    PairState,
    PartyState,
    PayerState,
)
from dentrace.state.replay import REPLAY_COLUMNS, refresh_profiles, replay_flagged
from dentrace.state.store import PartyStateStore, Workset, state_settings
from dentrace.state.totals import PairTotals
from dentrace.store.warehouse import memory_lent
from dentrace.store.workspace import Workspace

log = logging.getLogger(__name__)

# memory the fold holds per payment of the history (7.3 GiB for the 9.7M payments of the
# 10M benchmark's history, docs/performance.md), and the share of the machine's memory the
# build's workers may take together
STATE_BYTES_PER_PAYMENT = 800
STATE_MEMORY_SHARE = 0.5
WORKER_DUCKDB_MEMORY = "1GB"  # a worker's DuckDB: it reads and sorts one shard's payments
PARENT_DUCKDB_MEMORY = 2**30  # the warehouse's DuckDB cap while the workers fold
PROFILE_COLUMNS = tuple(f"p{i}" for i in range(PROFILE_SIZE))


def machine_memory() -> int:
    """This machine's physical memory in bytes."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


@dataclass(frozen=True)
class BuildPlan:
    """How many shards the parties are split into, and how many worker processes fold them."""

    shards: int
    workers: int

    @classmethod
    def for_payments(cls, payments: int, memory: int | None = None,
                     cores: int | None = None) -> BuildPlan:
        """Enough shards that ``workers`` folds at once fit in the memory share."""
        memory = machine_memory() if memory is None else memory
        workers = max(1, os.cpu_count() or 1) if cores is None else max(1, cores)
        need = payments * STATE_BYTES_PER_PAYMENT
        shards = max(1, math.ceil(need / (STATE_MEMORY_SHARE * memory / workers)))
        return cls(shards, min(workers, shards))


class _PayerFold(PartyState):
    """The fold without the beneficiary aggregates (its beneficiaries are incomplete)."""

    def _add_beneficiary(self, b: BeneficiaryState, p: FlaggedPayment) -> None:
        return None


class _BeneficiaryFold(PartyState):
    """The fold without the payer aggregates (its payers are incomplete)."""

    def _add_payer(self, s: PayerState, p: FlaggedPayment) -> None:
        return None

    def _add_corridor(self, s: PayerState, pair: PairState, p: FlaggedPayment) -> None:
        return None


@dataclass(frozen=True)
class _Job:
    """One shard of one pass, as a worker process receives it."""

    role: str  # "payer" or "beneficiary"
    shard: int
    shards: int
    folder: str  # the build's scratch folder
    settings: dict[str, Any]  # state_settings of the store
    clock: float
    through: int


def _payments(folder: Path, key: str, shard: int) -> str | None:
    """The relation of one shard's flagged payments (None: the shard has none)."""
    files = folder / f"by_{key}" / f"shard={shard}"
    return f"read_parquet('{files}/*.parquet')" if files.is_dir() else None


def _connect(job: _Job) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")  # day and month numbers as the scan's
    con.execute(f"SET memory_limit = '{WORKER_DUCKDB_MEMORY}'")
    # a sort past the cap spills into the build's folder (else into ./.tmp of the caller)
    con.execute(f"SET temp_directory = '{Path(job.folder) / 'spill'}'")
    con.execute("SET threads = 1")  # the workers run side by side
    con.execute("SET preserve_insertion_order = false")
    return con


def _state(job: _Job, cls: type[PartyState]) -> PartyState:
    settings = job.settings
    return cls(tuple(settings["small_band"]),  # type: ignore[arg-type]
               int(settings["recent_days"]), bool(settings["surname_family"]))


def _shard_store(job: _Job) -> PartyStateStore:
    folder = Path(job.folder) / f"{job.role}-{job.shard}"
    folder.mkdir()
    return PartyStateStore(folder)


def _profile_graph(con: duckdb.DuckDBPyConnection, job: _Job) -> GraphContext:
    """Birth days and genders of the shard's payers: all a profile reads besides the state."""
    kyc = con.execute(
        f"SELECT party_id, birth_day, male FROM read_parquet('{job.folder}/kyc.parquet') "
        f"WHERE hash(party_id) % {job.shards} = {job.shard}").fetchall()
    return GraphContext(birth_day={str(p): math.nan if d is None else float(d)
                                   for p, d, _ in kyc},
                        male={str(p): float(m) for p, _, m in kyc if m is not None})


def _payer_shard(job: _Job) -> dict[str, float]:
    """Fold the shard's payers, compute their profiles, write them with their pairs, and the
    profile each corridor pair counts in its beneficiary."""
    con = _connect(job)
    state = _state(job, _PayerFold)
    source = _payments(Path(job.folder), "sender", job.shard)
    if source is not None:
        replay_flagged(state, con, source)
    state.clock = job.clock  # profiles (KYC age, recent window) as of the warehouse's last day
    refresh_profiles(state, _profile_graph(con, job))
    con.close()
    rows: dict[str, list[Any]] = {"sender_id": [], "beneficiary_id": []}
    rows.update({c: [] for c in PROFILE_COLUMNS})
    for sender_id, payer in state.payers.items():
        for beneficiary_id, pair in payer.pairs.items():
            if pair.corridor and pair.profile_in is not None:
                rows["sender_id"].append(sender_id)
                rows["beneficiary_id"].append(beneficiary_id)
                for column, value in zip(PROFILE_COLUMNS, pair.profile_in, strict=True):
                    rows[column].append(value)
    pq.write_table(pa.table(rows, schema=pa.schema(
        [("sender_id", pa.string()), ("beneficiary_id", pa.string()),
         *((c, pa.float64()) for c in PROFILE_COLUMNS)])),
        Path(job.folder) / f"profiles-{job.shard}.parquet")
    with _shard_store(job) as store:
        store.save(Workset(state, set(state.payers)), state.payers, [], job.through)
    return {"payers": len(state.payers),
            "pairs": sum(len(p.pairs) for p in state.payers.values())}


def _beneficiary_shard(job: _Job) -> dict[str, float]:
    """Fold the shard's beneficiaries, add their corridor payers' profiles, write them with
    the totals over all their pairs."""
    con = _connect(job)
    state = _state(job, _BeneficiaryFold)
    source = _payments(Path(job.folder), "beneficiary", job.shard)
    if source is not None:
        replay_flagged(state, con, source)
    profiles = con.execute(
        f"SELECT beneficiary_id, sender_id, {', '.join(PROFILE_COLUMNS)} "
        f"FROM read_parquet('{job.folder}/profiles-*.parquet') "
        f"WHERE hash(beneficiary_id) % {job.shards} = {job.shard} "
        "ORDER BY beneficiary_id, sender_id").fetchall()
    con.close()
    for beneficiary_id, sender_id, *values in profiles:
        b = state.beneficiaries[beneficiary_id]
        profile = tuple(math.nan if v is None else float(v) for v in values)
        b.pairs[sender_id].profile_in = profile
        for i, value in enumerate(profile):
            if not math.isnan(value):
                b.profile_sum[i] += value
                b.profile_count[i] += 1
    totals = {b: PairTotals.of(beneficiary) for b, beneficiary in state.beneficiaries.items()}
    work = Workset(state, set(), set(state.beneficiaries), totals=totals)
    with _shard_store(job) as store:
        store.save(work, [], state.beneficiaries, job.through)
    return {"beneficiaries": len(state.beneficiaries)}


def _run_shard(job: _Job) -> dict[str, float]:
    """One shard of one pass (the entry point of a worker process)."""
    started = time.process_time()
    counts = _payer_shard(job) if job.role == "payer" else _beneficiary_shard(job)
    return {**counts, "cpu_s": round(time.process_time() - started, 1)}


def _write_payments(con: Any, features: FeatureSettings, folder: Path, shards: int
                    ) -> tuple[int, float]:
    """The flagged payments as Parquet partitioned by payer shard and by beneficiary shard;
    returns their count and last day."""
    columns = ", ".join(REPLAY_COLUMNS)
    by_sender = folder / "by_sender"
    con.execute(f"""COPY (SELECT {columns}, hash(sender_id) % {shards} AS shard
                          FROM ({flag_sql(con, features, 'transactions')}))
                    TO '{by_sender}' (FORMAT parquet, PARTITION_BY (shard))""")
    con.execute(f"""COPY (SELECT {columns}, hash(beneficiary_id) % {shards} AS shard
                          FROM read_parquet('{by_sender}/*/*.parquet'))
                    TO '{folder / 'by_beneficiary'}' (FORMAT parquet, PARTITION_BY (shard))""")
    count, last = con.execute("SELECT count(*), max(epoch(ts_utc)) / 86400.0 FROM "
                              f"read_parquet('{by_sender}/*/*.parquet')").fetchall()[0]
    return int(count), -math.inf if last is None else float(last)


def _log(job: _Job) -> Path:
    return Path(job.folder) / f"{job.role}-{job.shard}.log"


def _run(jobs: list[_Job], workers: int) -> list[dict[str, float]]:
    """Run ``jobs``, ``workers`` at a time: in this process for one worker, else each in a
    child Python (``python -m dentrace.state.build JOB``; a child process of its own,
    not a fork of this one, which holds the warehouse open)."""
    if workers <= 1:
        return [_run_shard(job) for job in jobs]
    results: dict[int, dict[str, float]] = {}
    waiting = list(enumerate(jobs))
    running: dict[int, subprocess.Popen[str]] = {}
    while waiting or running:
        while waiting and len(running) < workers:
            index, job = waiting.pop(0)
            with open(_log(job), "w", encoding="utf-8") as errors:
                running[index] = subprocess.Popen(
                    [sys.executable, "-m", __name__, json.dumps(asdict(job))],
                    stdout=subprocess.PIPE, stderr=errors, text=True)
        index = next(iter(running))
        out, _ = running.pop(index).communicate()
        if not out.strip():
            for proc in running.values():
                proc.kill()
            job = jobs[index]
            raise WorkspaceError(f"party state build: {job.role} shard {job.shard} failed: "
                                 f"{_log(job).read_text(encoding='utf-8').strip()[-2000:]}")
        results[index] = json.loads(out)
    return [results[i] for i in range(len(jobs))]


def build_state_store(con: Any, features: FeatureSettings, store: PartyStateStore, through: int,
                      kyc: pd.DataFrame, state: PartyState,
                      plan: BuildPlan | None = None) -> dict[str, Any]:
    """Fill ``store`` with the state of every party of the warehouse (``con``) through ingest
    run ``through``, flagged with ``features`` and folded with ``state``'s settings; ``kyc``:
    party_id, birth_date, gender of the customers. Returns the build's record (plan, counts,
    seconds)."""
    started = time.perf_counter()
    payments = int(con.execute("SELECT count(*) FROM transactions").fetchall()[0][0])
    plan = plan or BuildPlan.for_payments(payments)
    folder = Path(tempfile.mkdtemp(prefix="state-build-", dir=store.path.parent))
    try:
        count, clock = _write_payments(con, features, folder, plan.shards)
        kyc_days(kyc).to_parquet(folder / "kyc.parquet", index=False)
        log.info("party state build: %s payments flagged, %d shards, %d workers",
                 f"{count:,}", plan.shards, plan.workers)
        settings = state_settings(state)
        jobs = {role: [_Job(role, k, plan.shards, str(folder), settings, clock, through)
                       for k in range(plan.shards)] for role in ("payer", "beneficiary")}
        with memory_lent(con, PARENT_DUCKDB_MEMORY):  # the workers need it, not the warehouse
            done = {role: _run(jobs[role], plan.workers) for role in ("payer", "beneficiary")}
        folded = time.perf_counter()
        store.replace_from(
            [Workspace(folder / f"{role}-{k}").party_state
             for role in ("payer", "beneficiary") for k in range(plan.shards)],
            {"through_ingest_id": through, "clock": clock if math.isfinite(clock) else -1e18,
             "payments": count, **settings})
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {"shards": plan.shards, "workers": plan.workers, "payments": count,
            "payers": int(sum(d["payers"] for d in done["payer"])),
            "pairs": int(sum(d["pairs"] for d in done["payer"])),
            "beneficiaries": int(sum(d["beneficiaries"] for d in done["beneficiary"])),
            "worker_cpu_s": round(sum(d["cpu_s"] for jobs_done in done.values()
                                      for d in jobs_done), 1),
            "seconds": round(time.perf_counter() - started, 1),
            "merge_seconds": round(time.perf_counter() - folded, 1)}


__all__ = ["STATE_BYTES_PER_PAYMENT", "STATE_MEMORY_SHARE", "BuildPlan", "build_state_store",
           "machine_memory"]


if __name__ == "__main__":  # a worker: one shard, its counts printed as JSON
    print(json.dumps(_run_shard(_Job(**json.loads(sys.argv[1])))))

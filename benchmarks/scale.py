"""Benchmark: ingest and scan throughput at 1M, 10M and 100M transactions, and incremental scans.

Generates one world per size (cached under --worlds, outside the repo), then runs ingest and
scan each in a child process and measures wall time, CPU time (user + system, all threads),
rows/s and peak memory (RSS of the child's process tree, sampled every 0.2 s). DuckDB gets a
memory cap and a spill folder (DENTRACE_DUCKDB_MEMORY_LIMIT / _TEMP_DIRECTORY). With
--incremental it also holds back the world's last 7 days, scans the history, builds its party
state once, then appends the first of those days (and apart all 7) and times `scan
--incremental` (against a full rescan for the day); --keep-history keeps that built history
for later runs. Prints a table; --doc appends it to a file.

    python benchmarks/scale.py [--sizes 1M,10M,100M] [--worlds /work/bench-worlds]
        [--memory-limit 16GB] [--incremental [--keep-history]] [--doc docs/performance.md]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# Scale of `generate_world` giving about this many payments (1.72M payments per unit of scale).
SIZES = {"1M": 0.58, "10M": 5.8, "100M": 58.0}
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Measure:
    """One timed stage of one world: what ran, on how many rows, at what cost."""

    size: str
    stage: str
    rows: int
    wall_s: float
    cpu_s: float
    peak_rss_mib: float
    detail: dict[str, Any]

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.wall_s if self.wall_s else 0.0


def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    family, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in family} - family
        family |= more
        grew = bool(more)
    total = 0
    for pid in family:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
        except OSError:
            continue
    return total


def _run_child(args: list[str], env: dict[str, str]) -> tuple[dict[str, Any], float, float, int]:
    """Run this script as a child stage: its JSON answer, wall s, CPU s, peak tree RSS bytes."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, __file__, *args], env=env,
                             stdout=subprocess.PIPE, text=True)
    peak = 0
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        peak = max(peak, _tree_rss(child.pid))
        time.sleep(0.2)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    out = child.stdout.read() if child.stdout else ""
    if child.returncode != 0:
        raise SystemExit(f"stage {args[:2]} failed with exit code {child.returncode}")
    answer = json.loads(out.strip().splitlines()[-1])
    return answer, wall, usage.ru_utime + usage.ru_stime, max(peak, usage.ru_maxrss * 1024)


def _world(worlds: Path, size: str, seed: int, env: dict[str, str]) -> Path:
    """The cached world of ``size`` (generated in a child process when missing)."""
    world = worlds / f"world-{size}"
    meta = world / "world.json"
    if meta.is_file() and json.loads(meta.read_text()).get("scale") == SIZES[size]:
        return world
    print(f"generating {world} (scale {SIZES[size]}); not part of the figures", flush=True)
    answer, wall, _, _ = _run_child(["--stage", "generate", "--world", str(world),
                                     "--scale", str(SIZES[size]), "--seed", str(seed)], env)
    print(f"  {answer['transactions']:,} payments in {wall:.0f} s", flush=True)
    return world


def _stage(args: argparse.Namespace) -> dict[str, Any]:
    """Work of one child process; returns what the parent prints."""
    if args.stage == "generate":
        from dentrace.synth import generate_world

        summary = generate_world(Path(args.world), seed=args.seed, scale=args.scale,
                                 fmt="parquet")
        return {"transactions": summary.transactions}
    if args.stage == "ingest":
        from dentrace.ingest import ingest

        world = Path(args.world)
        source = Path(args.transactions) if args.transactions else world / "transactions"
        customers = next(iter(sorted(world.glob("customers.*"))), None)
        report = ingest(Path(args.workspace), transactions=source,
                        customers=None if args.transactions else customers, quiet=True)
        payments = [f for f in report.files if f.table == "transactions"]
        return {"rows": sum(f.rows_accepted for f in payments),
                "read": sum(f.rows_read for f in payments)}
    from dentrace.detect import scan
    from dentrace.store.workspace import Workspace

    stages = FeatureStages()
    logger = logging.getLogger("dentrace.features.build")
    logger.setLevel(logging.INFO)
    logger.addHandler(stages)

    if args.stage == "scan-incremental":
        from dentrace.detect.incremental import scan_incremental

        result = scan_incremental(Path(args.workspace))
    else:
        result = scan(Path(args.workspace))
    con = Workspace(args.workspace).open_warehouse(read_only=True)
    rows = int(con.execute("SELECT count(*) FROM transactions").fetchall()[0][0])
    con.close()
    summary = result.summary()
    written = Workspace(args.workspace).read_summary()["scan"]
    return {"rows": rows, "timings": summary.get("timings_s", {}), "alerts": summary["alerts"],
            "incremental": written.get("incremental"), "feature_stages": stages.seconds}


class FeatureStages(logging.Handler):
    """Collects the feature build's stage timings (wall s, CPU s), summed per stage."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.seconds: dict[str, list[float]] = {}

    def emit(self, record: logging.LogRecord) -> None:
        stage = getattr(record, "feature_stage", None)
        if stage:
            name, wall, cpu = stage
            total = self.seconds.setdefault(name, [0.0, 0.0])
            total[0], total[1] = round(total[0] + wall, 3), round(total[1] + cpu, 3)


def _measure(size: str, stage: str, args: list[str], env: dict[str, str]) -> Measure:
    answer, wall, cpu, peak = _run_child(args, env)
    rows = int(answer.get("rows", 0))
    return Measure(size, stage, rows, wall, cpu, peak / 2**20, answer)


def full_run(size: str, world: Path, work: Path, env: dict[str, str]) -> list[Measure]:
    """Ingest the whole world into a fresh workspace, then scan it."""
    workspace = work / f"ws-{size}"
    shutil.rmtree(workspace, ignore_errors=True)
    ingest = _measure(size, "ingest", ["--stage", "ingest", "--world", str(world),
                                       "--workspace", str(workspace)], env)
    _print([ingest])
    scan = _measure(size, "scan", ["--stage", "scan", "--workspace", str(workspace)], env)
    scan.rows = ingest.rows
    _print([scan])
    shutil.rmtree(workspace, ignore_errors=True)
    return [ingest, scan]


WEEK = 7  # days held back for the incremental runs: the first of them alone, then all


def _split_last_days(world: Path, folder: Path) -> dict[str, Path]:
    """history.parquet (all but the world's last WEEK UTC days), day.parquet (the first of
    those days) and week.parquet (all of them): one history, appended a day or a week."""
    import duckdb

    paths = {name: folder / f"{name}.parquet" for name in ("history", "day", "week")}
    if all(path.is_file() for path in paths.values()):
        return paths
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    source = f"read_parquet('{world}/transactions/*.parquet')"
    day = "CAST(CAST(ts AS TIMESTAMPTZ) AS DATE)"
    last = con.execute(f"SELECT max({day}) FROM {source}").fetchall()[0][0]
    first = f"DATE '{last}' - INTERVAL {WEEK - 1} DAY"
    for name, test in (("history", f"< {first}"), ("day", f"= {first}"), ("week", f">= {first}")):
        con.execute(f"COPY (SELECT * FROM {source} WHERE {day} {test}) TO '{paths[name]}' "
                    "(FORMAT parquet)")
    con.close()
    return paths


def _built_history(history: Path) -> bool:
    """True when ``history`` holds a party state built by this version's store format."""
    import sqlite3

    from dentrace.state.store import FORMAT
    from dentrace.store.workspace import Workspace

    if not Workspace(history).party_state.is_file():
        return False
    db = sqlite3.connect(Workspace(history).party_state)
    try:
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.DatabaseError:
        return False
    finally:
        db.close()
    return meta.get("format") == str(FORMAT) and "through_ingest_id" in meta


def _scanned_by_these_models(history: Path) -> bool:
    """True when the history's last full scan used the models this version would use."""
    from dentrace.model.shipped import model_fingerprint
    from dentrace.store.workspace import Workspace

    summary = Workspace(history).read_summary()  # empty when absent or unreadable
    return summary.get("scan", {}).get("model") == model_fingerprint()


def incremental_run(size: str, world: Path, work: Path, env: dict[str, str],
                    keep_history: bool = False) -> list[Measure]:
    """One history (ingested, scanned in full, its party state built once by a first
    `scan --incremental`), then appended a day, and apart a week: each append's ingest and
    `scan --incremental` timed, and a full rescan after the day for comparison.
    ``keep_history``: keep the history workspace and reuse it when its state is of this
    store format (the history's scan and build are then not measured again)."""
    split = _split_last_days(world, work / f"split{WEEK}-{size}")
    history = work / f"ws-inc-{size}"
    out: list[Measure] = []
    base = ["--world", str(world), "--workspace", str(history)]
    if keep_history and _built_history(history):
        print(f"  reusing {history} (history scanned, state built)", flush=True)
        if not _scanned_by_these_models(history):  # an incremental scan would refuse it
            print("  its last full scan used other models: scanning it again", flush=True)
            out.append(_measure(size, "history full scan", ["--stage", "scan", *base], env))
    else:
        shutil.rmtree(history, ignore_errors=True)
        _run_child(["--stage", "ingest", "--transactions", str(split["history"]), *base], env)
        out.append(_measure(size, "history full scan", ["--stage", "scan", *base], env))
        out.append(_measure(size, "state build (once)",
                            ["--stage", "scan-incremental", *base], env))
        _print(out)
    for name, label in (("day", "1 day"), ("week", f"{WEEK} days")):
        workspace = work / f"ws-inc-{size}-{name}"
        shutil.rmtree(workspace, ignore_errors=True)
        shutil.copytree(history, workspace)
        args = ["--world", str(world), "--workspace", str(workspace)]
        runs = [_measure(size, f"{label} ingest",
                         ["--stage", "ingest", "--transactions", str(split[name]), *args], env),
                _measure(size, f"{label} scan --incremental",
                         ["--stage", "scan-incremental", *args], env)]
        if name == "day":
            runs.append(_measure(size, f"{label} full rescan", ["--stage", "scan", *args], env))
        _print(runs)
        out += runs
        shutil.rmtree(workspace, ignore_errors=True)
    if not keep_history:
        shutil.rmtree(history, ignore_errors=True)
    return out


def _rows(measures: list[Measure]) -> list[str]:
    lines = []
    for m in measures:
        extra = m.detail.get("incremental") or {}
        state = extra.get("state") or {}
        note = (f"{extra.get('payers', 0):,} payers + {extra.get('facilitators', 0):,} "
                f"facilitators recomputed; {extra.get('mode', '')}" if extra else "")
        if state:
            note += (f"; {state['folded_payments']:,} payments folded, "
                     f"{state['loaded_payers']:,} + {state['loaded_beneficiaries']:,} "
                     "parties loaded")
        lines.append(f"| {m.size} | {m.stage} | {m.rows:,} | {m.wall_s:,.1f} | {m.cpu_s:,.1f} | "
                     f"{m.rows_per_s:,.0f} | {m.peak_rss_mib:,.0f} | {note} |")
    return lines


HEADER = ["| size | stage | rows | wall s | CPU s | rows/s (wall) | peak RSS MiB | note |",
          "|---|---|---:|---:|---:|---:|---:|---|"]


def _print(measures: list[Measure]) -> None:
    for line in _rows(measures):
        print(line, flush=True)
    for line in _stage_timings(measures):
        print(f"  {line}", flush=True)


def _stage_timings(measures: list[Measure]) -> list[str]:
    """The scan's own stage timings (summary.json timings_s) and its feature build's stages
    ([wall s, CPU s] each, CPU of all threads of the scan process), per scan."""
    lines = []
    for m in measures:
        if m.detail.get("timings"):
            lines.append(f"{m.size} {m.stage} stages (s): {json.dumps(m.detail['timings'])}")
        if m.detail.get("feature_stages"):
            lines.append(f"{m.size} {m.stage} feature stages ([wall s, CPU s]): "
                         f"{json.dumps(m.detail['feature_stages'])}")
    return lines


def _append_doc(doc: Path, measures: list[Measure], command: str, loads: list[float]) -> None:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=Path(__file__).parent).stdout.strip()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = [f"\n### Run of {stamp} (commit {commit})\n", "```sh", command, "```", "",
            f"Load average (1 min) before: {loads[0]:.1f}, after: {loads[1]:.1f} on "
            f"{os.cpu_count()} cores (other engineers share this machine).", "",
            *HEADER, *_rows(measures), "",
            *[f"- {line}" for line in _stage_timings(measures)], ""]
    with doc.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(text))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1M,10M", help="comma-separated: 1M, 10M, 100M")
    parser.add_argument("--worlds", type=Path, default=Path("/work/bench-worlds"))
    parser.add_argument("--seed", type=int, default=3001)
    parser.add_argument("--memory-limit", default="16GB", help="DuckDB memory_limit")
    parser.add_argument("--incremental", action="store_true",
                        help="also time 1-day and 7-day appends + incremental scans")
    parser.add_argument("--skip-full", action="store_true", help="only the incremental run")
    parser.add_argument("--keep-history", action="store_true",
                        help="keep <worlds>/ws-inc-<size> (history with its built party state) "
                             "and reuse it in later --incremental runs")
    parser.add_argument("--doc", type=Path, help="append the results to this markdown file")
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    for name in ("--world", "--workspace", "--transactions"):
        parser.add_argument(name, help=argparse.SUPPRESS)
    parser.add_argument("--scale", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage:
        print(json.dumps(_stage(args)))
        return
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"--sizes: unknown {unknown}; choose from {list(SIZES)}")
    args.worlds.mkdir(parents=True, exist_ok=True)
    spill = args.worlds / "duckdb-spill"
    env = {**os.environ, "DENTRACE_DUCKDB_MEMORY_LIMIT": args.memory_limit,
           "DENTRACE_DUCKDB_TEMP_DIRECTORY": str(spill)}
    loads = [os.getloadavg()[0]]
    measures: list[Measure] = []
    print("\n".join(HEADER), flush=True)
    for size in sizes:
        world = _world(args.worlds, size, args.seed, env)
        if not args.skip_full:
            measures += full_run(size, world, args.worlds, env)
        if args.incremental:
            measures += incremental_run(size, world, args.worlds, env, args.keep_history)
    loads.append(os.getloadavg()[0])
    print(f"load average (1 min): {loads[0]:.1f} before, {loads[1]:.1f} after")
    if args.doc:
        command = "python " + " ".join(
            [str(Path(__file__).relative_to(Path(__file__).parents[1])), *sys.argv[1:]])
        _append_doc(args.doc, measures, command, loads)


if __name__ == "__main__":
    main()

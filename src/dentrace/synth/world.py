"""Generate a whole synthetic world: plan it from the seed, draw customers batch by batch, and
write transactions, customers, known outcomes, truth and world.json.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from dentrace import __version__
from dentrace.errors import ConfigError
from dentrace.synth.batch import BATCH_CUSTOMERS, Batch, start_batch
from dentrace.synth.everyday import everyday
from dentrace.synth.institution import Institution, draw_institution, offset_table
from dentrace.synth.lookalikes import romance_victims, sextortion_victims, webcam_adults
from dentrace.synth.offenders import offenders
from dentrace.synth.plan import OFFENDER_KINDS, POPULATIONS, WorldPlan, build_plan
from dentrace.synth.remitters import businesses, diaspora, partners, sponsors
from dentrace.synth.writer import (
    FORMATS,
    TableFile,
    customers_table,
    known_table,
    payments_table,
    truth_table,
)

GENERATOR_VERSION = f"dentrace-synth {__version__} (2)"
MAX_SCALE = 500  # keeps outside-account numbers within the 9-digit id space
Progress = Callable[[int, int, int], None]  # customers done, customers total, payments so far


@dataclass
class WorldSummary:
    """What generate_world wrote: counts, the institution and the files."""

    out: Path
    seed: int
    scale: float
    fmt: str
    customers: int
    transactions: int
    parties: int
    populations: dict[str, int] = field(default_factory=dict)
    facilitators: int = 0
    dens: int = 0
    known: dict[str, int] = field(default_factory=dict)
    date_from: str = ""
    date_to: str = ""
    institution: dict[str, object] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        inst = self.institution
        return (f"{self.customers:,} customers, {self.transactions:,} payments "
                f"({inst.get('name')}, {inst.get('country')}, {inst.get('currency')}, "
                f"{self.date_from} to {self.date_to}); {self.populations.get('offender', 0)} "
                f"offenders, {self.facilitators} facilitators in {self.dens} dens")

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["out"] = str(self.out)
        return data


def generate_world(out: Path, seed: int = 0, scale: float = 1.0, fmt: str = "parquet",
                   known_offenders: float = 0.3, known_facilitators: float = 0.2,
                   progress: Progress | None = None) -> WorldSummary:
    """Write a synthetic world into ``out`` (replacing its world files) and summarise it."""
    _check(fmt, scale, known_offenders, known_facilitators)
    out = Path(out)
    _clear(out)
    inst = draw_institution(np.random.default_rng([seed, 0]))
    plan = build_plan(seed, scale, inst, known_offenders, known_facilitators)
    offsets = offset_table(inst)
    customers = TableFile(out / f"customers.{fmt}", fmt)
    truth = TableFile(out / f"truth.{fmt}", fmt)
    used_shared = np.zeros(plan.shared.parties.size, dtype=bool)
    files, written = [], 0
    n_batches = -(-plan.customers // BATCH_CUSTOMERS)
    for number in range(n_batches):
        batch = draw_batch(plan, number, _stepper(progress, plan, number, written))
        part = out / "transactions" / f"part-{number:05d}.{fmt}"
        table = payments_table(batch, offsets, written)
        part_file = TableFile(part, fmt)
        part_file.write(table)
        part_file.close()
        files.append(str(part.relative_to(out)))
        written += table.num_rows
        used = _used(batch)
        used_shared |= used[: len(used_shared)]
        keep = np.flatnonzero(used)
        truth.write(truth_table(batch.parties, keep[keep >= len(used_shared)]))
        customers.write(customers_table(batch))
        if progress is not None:
            progress(int(batch.numbers[-1]) + 1, plan.customers, written)
        del batch, table
    truth.write(truth_table(plan.shared.parties, np.flatnonzero(used_shared)))
    customers.close()
    truth.close()
    known = TableFile(out / f"known.{fmt}", fmt)
    known.write(known_table(_known_rows(plan)))
    known.close()
    summary = _summary(out, plan, inst, fmt, scale, written, customers.rows, truth.rows)
    summary.files = [*files, customers.path.name, known.path.name, truth.path.name, "world.json"]
    (out / "world.json").write_text(json.dumps(_world_json(summary, plan), indent=2) + "\n")
    return summary


def _clear(out: Path) -> None:
    """Remove an earlier world's files (of either format) so no stale file is left behind."""
    out.mkdir(parents=True, exist_ok=True)
    if (out / "transactions").exists():
        shutil.rmtree(out / "transactions")
    (out / "transactions").mkdir()
    for stem in ("customers", "known", "truth"):
        for fmt in FORMATS:
            (out / f"{stem}.{fmt}").unlink(missing_ok=True)
    (out / "world.json").unlink(missing_ok=True)


def draw_batch(plan: WorldPlan, number: int,
               step: Callable[[float, int], None] | None = None) -> Batch:
    """Every population's payments for the customers of batch ``number``.

    ``step(fraction, payments)`` is called after each stage, for progress bars.
    """
    batch = start_batch(plan, number)
    stages = [diaspora, partners, sponsors, businesses, romance_victims, webcam_adults,
              sextortion_victims, offenders]
    total = len(POPULATIONS) + len(stages)
    for code, population in enumerate(POPULATIONS):
        if population != "business":
            everyday(batch, np.flatnonzero(batch.population == code), population)
        if step is not None:
            step((code + 1) / total, len(batch.payments))
    for i, stage in enumerate(stages):
        stage(batch)
        if step is not None:
            step((len(POPULATIONS) + i + 1) / total, len(batch.payments))
    return batch


def _stepper(progress: Progress | None, plan: WorldPlan, number: int,
             written: int) -> Callable[[float, int], None] | None:
    """Report progress within a batch as customers done so far (drawing is ~90% of the time)."""
    if progress is None:
        return None
    first = number * BATCH_CUSTOMERS
    size = min(BATCH_CUSTOMERS, plan.customers - first)

    def step(fraction: float, payments: int) -> None:
        progress(first + int(0.9 * fraction * size), plan.customers, written + payments)

    return step


def _used(batch: Batch) -> np.ndarray:
    """Parties that send or receive at least one payment of the batch (customers always)."""
    used = np.zeros(batch.parties.size, dtype=bool)
    used[batch.payments.column("sender")] = True
    used[batch.payments.column("beneficiary")] = True
    used[batch.pos] = True
    return used


def _known_rows(plan: WorldPlan) -> list[tuple[str, str, str]]:
    ids = plan.shared.parties.column("ids")
    rows = []
    for number, label, as_of in plan.known:
        party = plan.ids.customers(np.array([number]))[0] if number >= 0 else ids[-1 - number]
        rows.append((str(party), label, as_of))
    return rows


def _check(fmt: str, scale: float, known_offenders: float, known_facilitators: float) -> None:
    if fmt not in FORMATS:
        raise ConfigError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if not 0.004 <= scale <= MAX_SCALE:
        raise ConfigError(f"scale must be between 0.004 and {MAX_SCALE}, not {scale}")
    for name, share in (("known-offenders", known_offenders),
                        ("known-facilitators", known_facilitators)):
        if not 0.0 <= share <= 1.0:
            raise ConfigError(f"{name} must be a share between 0 and 1, not {share}")


def _summary(out: Path, plan: WorldPlan, inst: Institution, fmt: str, scale: float,
             transactions: int, customers: int, parties: int) -> WorldSummary:
    counts = {p: int((plan.population == i).sum()) for i, p in enumerate(POPULATIONS)}
    labels = [label for _, label, _ in plan.known]
    return WorldSummary(
        out=out, seed=plan.seed, scale=scale, fmt=fmt, customers=customers,
        transactions=transactions, parties=parties, populations=counts,
        facilitators=len(plan.shared.facilitator_den),
        dens=int(plan.shared.facilitator_den.max()) + 1,
        known={k: labels.count(k) for k in ("offender", "facilitator", "cleared")},
        date_from=str(inst.start), date_to=str(inst.end), institution=inst.describe())


def _world_json(summary: WorldSummary, plan: WorldPlan) -> dict[str, object]:
    data = summary.to_json()
    del data["out"]
    kinds = plan.offenders.kind
    data["offender_kinds"] = {k: int((kinds == i).sum()) for i, k in enumerate(OFFENDER_KINDS)}
    data["offender_payments_planned"] = int(plan.offenders.count.sum())
    data["behaviour_style"] = plan.style
    data["generator_version"] = GENERATOR_VERSION
    return data

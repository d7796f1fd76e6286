"""Benchmark sharing signals (issue 21): exact-token matching speed, fuzzy-matching F1 against
matching the clear names, and a frequency attack on the hardened name encodings.

Usage: python benchmarks/share.py [exact|fuzzy|attack|federation|all] [--locals 1000000]
       [--signals 100000] [--names 3000] [--institutions 5] [--scale 0.2] [--budget 50]
       [--seed 0]

- exact: ``--locals`` local parties (ids of every kind, written with spaces and dashes) against
  ``--signals`` signals, a tenth of which are local; prints the seconds to key the local ids
  and to match, and checks every planted hit is found. Target: <= 30 s for 1M x 100k.
- fuzzy: ``--names`` people of the synthetic cultures (synth/names.py), each written by two
  institutions of a federation (synth/federation.py: house styles and typos); all pairs of one
  country compared. Prints precision, recall and F1 of the balanced encodings at the shipped
  threshold, and of Dice on the clear bigrams at its best threshold. Target: F1 within 2 points.
- attack: the frequency attack an outsider without the key can run on a file of encodings.
  The encodings are deterministic per (name, country), so equal names give equal encodings: the
  attacker ranks encodings by how often they occur and gives the k-th most frequent the k-th most
  frequent name of a known, skewed name distribution. Prints the share of records whose name is
  recovered, for a whole population and for a signals file of 500 flagged parties drawn from it.
  Target: <= 5%. (A bit-level attack, aligning bit positions with bigram frequencies, is not
  implemented here; balancing gives every encoding the same weight, checked and printed.)
- federation: ``dentrace generate --federation``'s world; each institution ingested and scanned
  alone at ``--budget`` alerts per 10k customers and role, then every institution exports its
  signals (payers too), matches the others' and scans again at the same budget. Prints den and
  payer recall and honest alerts, pooled over the institutions. Target: dens +15 points, payers
  +10, honest alerts not up.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from dentrace.share.encoding import (
    DICE_THRESHOLD,
    NameEncoder,
    as_bit_matrix,
    bigrams,
    dice_matrix,
    folded_name,
)
from dentrace.share.export import distinct_names
from dentrace.share.keys import ConsortiumKey
from dentrace.share.match import LocalParties, exact_hits
from dentrace.share.signals import Signal, SignalsFile
from dentrace.synth.federation import STYLES, written_name
from dentrace.synth.names import CULTURES

KEY = ConsortiumKey("bench", bytes(range(32)))


def _ids(count: int, rng: np.random.Generator) -> list[str]:
    """Ids of every kind, as people write them."""
    numbers = rng.choice(10**9, size=count, replace=False)  # unique: no id twice
    out = []
    for i, n in enumerate(numbers):
        kind = i % 4
        if kind == 0:
            out.append(f"+63 9{n:09d}")
        elif kind == 1:
            out.append(f"GB{n % 90 + 10:02d} NWBK {n:014d}")
        elif kind == 2:
            out.append(f"{n:011d}"[:5] + "-" + f"{n:011d}"[5:])
        else:
            out.append(f"wallet{n}@pay.example")
    return out


def exact(locals_count: int, signals_count: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    ids = _ids(locals_count + signals_count, rng)
    local_ids = ids[:locals_count]
    planted = rng.choice(locals_count, size=signals_count // 10, replace=False)
    their = [local_ids[i].replace(" ", "").replace("-", "") for i in planted]
    their += ids[locals_count:locals_count + signals_count - len(their)]
    parties = pd.DataFrame({"party_id": local_ids, "name": None, "country": None})
    wall = time.perf_counter()
    token_key = KEY.derived("token")
    from dentrace.share.identifiers import identifier_token

    signals = []
    for i, written in enumerate(their):
        found = identifier_token(token_key, written)
        assert found is not None
        signals.append(Signal(f"{i:032x}", "facilitator", "alerted", date(2026, 1, 1),
                              (found,)))
    made = time.perf_counter() - wall
    file = SignalsFile("BANK-B", KEY.key_id, "", signals)
    wall, cpu = time.perf_counter(), time.process_time()
    local = LocalParties(parties, KEY)
    keyed = time.perf_counter() - wall
    wall = time.perf_counter()
    hits = list(exact_hits(file, local))
    matched = time.perf_counter() - wall
    cpu = time.process_time() - cpu
    found_ids = {h["party_id"] for h in hits}
    assert found_ids == {local_ids[i] for i in planted}, "a planted hit was missed"
    print(f"exact: {locals_count:,} local parties x {signals_count:,} signals "
          f"({len(planted):,} planted hits, all found, no other)")
    print(f"  signals keyed {made:.1f} s (sender side); local ids keyed {keyed:.1f} s; "
          f"matched {matched:.2f} s; local side total {keyed + matched:.1f} s wall, "
          f"{cpu:.1f} s CPU (load average {os.getloadavg()[0]:.1f})")


def _people(count: int, rng: random.Random) -> list[tuple[str, str]]:
    countries = {"anglo": "GB", "german": "DE", "swedish": "SE", "filipino": "PH",
                 "thai": "TH", "vietnamese": "VN"}
    people = []
    for index in range(count):
        culture = list(CULTURES)[index % len(CULTURES)]
        female, male, surnames = CULTURES[culture]
        given = rng.choice(female + male)
        people.append((f"{given} {rng.choice(surnames)}", countries.get(culture, "XX")))
    return people


def _f1(scores: np.ndarray, truth: np.ndarray, threshold: float) -> tuple[float, float, float]:
    found = scores >= threshold
    tp = int((found & truth).sum())
    precision = tp / max(int(found.sum()), 1)
    recall = tp / max(int(truth.sum()), 1)
    return precision, recall, 2 * precision * recall / max(precision + recall, 1e-9)


def fuzzy(names: int, seed: int) -> None:
    rng = random.Random(seed)
    people = _people(names, rng)
    encoder = NameEncoder(KEY.derived("bloom"), KEY.derived("permute"), KEY.derived("block"))
    encoded_scores, clear_scores, truths = [], [], []
    frame = pd.DataFrame(people, columns=["name", "country"])
    for country, group in frame.groupby("country"):
        rows = list(group.index)
        a = [written_name(people[i][0], STYLES[0], seed, 0, f"p{i}") for i in rows]
        b = [written_name(people[i][0], STYLES[1 + i % 3], seed, 1, f"p{i}") for i in rows]
        left = as_bit_matrix([encoder.encode(n, str(country)) or b"" for n in a])
        right = as_bit_matrix([encoder.encode(n, str(country)) or b"" for n in b])
        encoded_scores.append(dice_matrix(left, right).ravel())
        grams_a, grams_b = [bigrams(folded_name(n)) for n in a], [bigrams(folded_name(n))
                                                                  for n in b]
        clear = np.array([[2 * len(x & y) / max(len(x) + len(y), 1) for y in grams_b]
                          for x in grams_a])
        clear_scores.append(clear.ravel())
        same = np.array([[people[i][0] == people[j][0] for j in rows] for i in rows])
        truths.append(same.ravel())
    encoded, clear, truth = (np.concatenate(x) for x in (encoded_scores, clear_scores, truths))
    p, r, f = _f1(encoded, truth, DICE_THRESHOLD)
    best = max(((*_f1(clear, truth, t), t) for t in np.arange(0.5, 0.96, 0.01)),
               key=lambda x: x[2])
    print(f"fuzzy: {names:,} people, each written by two institutions "
          f"({int(truth.sum()):,} true pairs of {truth.size:,} same-country pairs)")
    print(f"  encodings at Dice >= {DICE_THRESHOLD}: precision {p:.3f}, recall {r:.3f}, "
          f"F1 {f:.3f}")
    print(f"  clear bigrams at their best threshold {best[3]:.2f}: precision {best[0]:.3f}, "
          f"recall {best[1]:.3f}, F1 {best[2]:.3f}; difference {100 * (f - best[2]):+.1f} "
          f"points")


def attack(names: int, seed: int) -> None:
    """Frequency alignment of whole encodings against a known, skewed name distribution."""
    rng = np.random.default_rng(seed)
    female, male, surnames = CULTURES["filipino"]
    given = list(female + male)
    # skewed like real names: Zipf-like weights over given names and surnames
    g_weight = 1 / np.arange(1, len(given) + 1) ** 1.1
    s_weight = 1 / np.arange(1, len(surnames) + 1) ** 1.1
    records = [f"{given[g]} {surnames[s]}" for g, s in zip(
        rng.choice(len(given), names, p=g_weight / g_weight.sum()),
        rng.choice(len(surnames), names, p=s_weight / s_weight.sum()), strict=True)]
    encoder = NameEncoder(KEY.derived("bloom"), KEY.derived("permute"), KEY.derived("block"))
    encodings = [encoder.encode(name, "PH") for name in records]
    # the attacker: the name distribution (here the true counts: the best case for them)
    by_name = [name for name, _ in Counter(records).most_common()]
    by_encoding = [enc for enc, _ in Counter(encodings).most_common()]
    guess = dict(zip(by_encoding, by_name, strict=False))
    recovered = sum(guess.get(enc) == name for enc, name in zip(encodings, records,
                                                                strict=True))
    top = Counter(records).most_common(1)[0]
    print(f"attack: {names:,} records of {len(set(records)):,} distinct names (most frequent "
          f"{top[1]} times), all in one country (the salt pools nothing across countries)")
    print(f"  frequency alignment of whole encodings: {recovered:,} records "
          f"({100 * recovered / names:.1f}%) get their true name")
    bits = as_bit_matrix([e for e in encodings if e is not None])
    weights = bits.sum(axis=1)
    print(f"  ones per encoding: min {weights.min():.0f}, max {weights.max():.0f} "
          f"(balanced: the weight tells nothing of the name's length)")
    flagged = min(500, names)
    sample = rng.choice(names, flagged, replace=False)
    exported = _exported(sample, encodings)
    for label, kept in (("as encoded", list(sample)), ("as exported", exported)):
        by_encoding = [e for e, _ in Counter(encodings[i] for i in kept).most_common()]
        guess = dict(zip(by_encoding, by_name, strict=False))
        hit = sum(guess.get(encodings[i]) == records[i] for i in kept)
        print(f"  a signals file of {flagged} flagged parties, names {label} "
              f"({len(kept)} encodings): {hit} names ({100 * hit / flagged:.1f}% of the "
              f"parties) recovered")


def _exported(sample: np.ndarray, encodings: list[bytes | None]) -> list[int]:
    """The records whose encoding a signals file carries: each encoding once (share/export.py
    ``distinct_names``), the others sent with tokens only."""
    signals = [Signal(f"{int(i):032x}", "facilitator", "alerted", date(2026, 1, 1),
                      (("account", "00" * 32),), "00" * 8, encodings[int(i)]) for i in sample]
    kept = {s.signal_id for s in distinct_names(signals) if s.bloom is not None}
    return [int(i) for i in sample if f"{int(i):032x}" in kept]


def _alerted(workspace: Path, counts: dict[str, int] | None) -> pd.DataFrame:
    """The scan's alerts, or with ``counts`` the top parties by score among those with a reason,
    as many per role as ``counts`` says: the same number of alerts as another scan."""
    parties = pd.read_parquet(workspace / "parties.parquet")
    if counts is None:
        return parties.loc[parties["alert"], ["party_id", "role"]]
    eligible = parties[parties["reasons"].fillna("") != ""].sort_values("score",
                                                                       ascending=False)
    return pd.concat([eligible[eligible["role"] == role].head(n)[["party_id", "role"]]
                      for role, n in counts.items()])


def _recall(alerted: pd.DataFrame, truth: pd.DataFrame) -> dict[str, tuple[int, int]]:
    """(found, of) per measure: den (positive facilitators) and payer recall, honest alerts."""
    merged = truth.merge(alerted.assign(alert=True), on=["party_id", "role"], how="left")
    merged["alert"] = merged["alert"].fillna(False).astype(bool)
    out = {}
    for role, name in (("facilitator", "dens"), ("payer", "payers")):
        positives = merged[(merged["role"] == role) & merged["is_positive"]]
        out[name] = (int(positives["alert"].sum()), len(positives))
    honest = merged[~merged["is_positive"] & merged["alert"]]
    out["honest alerts"] = (len(honest), int((~merged["is_positive"]).sum()))
    out["alerts"] = (len(alerted), len(alerted))
    return out


def _total(runs: list[dict[str, tuple[int, int]]]) -> dict[str, tuple[int, int]]:
    return {k: (sum(r[k][0] for r in runs), sum(r[k][1] for r in runs)) for k in runs[0]}


def federation(institutions: int, scale: float, budget: float, seed: int) -> None:
    """Den and payer recall at one alert budget, each institution alone and with sharing."""
    from dentrace.detect import scan
    from dentrace.ingest import ingest
    from dentrace.share import add_consortium_key, export_signals, new_signing_key
    from dentrace.share.match import match_signals
    from dentrace.store.sql import open_store
    from dentrace.synth.federation import generate_federation

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        wall = time.perf_counter()
        summary = generate_federation(root / "fed", institutions, seed=seed, scale=scale)
        keys = add_consortium_key(root / "consortium.toml", "bench")
        senders, spaces, truths, alone = {}, [], [], []
        counts: list[dict[str, int]] = []
        for inst in summary.institutions:
            name = str(inst["name"])
            world, space = root / "fed" / name, root / "ws" / name
            ingest(space, transactions=world / "transactions", customers=world /
                   "customers.parquet", known=world / "known.parquet", quiet=True)
            scan(space, alert_budget=budget)
            truths.append(pd.read_parquet(world / "truth.parquet"))
            alerted = _alerted(space, None)
            counts.append(alerted["role"].value_counts().to_dict())
            alone.append(_recall(alerted, truths[-1]))
            senders[name] = new_signing_key(name, root / f"{name}.pem")
            spaces.append(space)
        public = {n: s.private_key.public_key() for n, s in senders.items()}
        files = []
        for space, (name, identity) in zip(spaces, senders.items(), strict=True):
            with open_store(space) as store:
                export_signals(space, store, keys, identity, root / f"{name}.signals",
                               payers=True)
            files.append(root / f"{name}.signals")
        shared, same_count = [], []
        for space, name, truth, count in zip(spaces, senders, truths, counts, strict=True):
            with open_store(space) as store:
                match_signals(space, store, keys, public,
                              [f for f in files if f.stem != name])
            scan(space, alert_budget=budget)
            shared.append(_recall(_alerted(space, None), truth))
            same_count.append(_recall(_alerted(space, count), truth))
        wall = time.perf_counter() - wall
    print(f"federation: {institutions} institutions, scale {scale}, alert budget {budget} per "
          f"10k customers and role, {summary.global_transactions:,} payments ({wall:.0f} s)")
    before, after, equal = _total(alone), _total(shared), _total(same_count)
    print(f"  alerts: alone {before['alerts'][0]}, with sharing {after['alerts'][0]} at the "
          f"same budget (parties with a reason take the slots of parties without)")
    for label, other in (("at the same budget", after), ("at the same alert count", equal)):
        print(f"  with sharing, {label}:")
        for measure in ("dens", "payers", "honest alerts"):
            (a, n), (b, _) = before[measure], other[measure]
            print(f"    {measure}: alone {a}/{n} ({100 * a / max(n, 1):.1f}%), shared {b}/{n} "
                  f"({100 * b / max(n, 1):.1f}%), {100 * (b - a) / max(n, 1):+.1f} points")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("part", nargs="?", default="all",
                        choices=("exact", "fuzzy", "attack", "federation", "all"))
    parser.add_argument("--institutions", type=int, default=5)
    parser.add_argument("--scale", type=float, default=0.2)
    parser.add_argument("--budget", type=float, default=50.0)
    parser.add_argument("--locals", type=int, default=1_000_000)
    parser.add_argument("--signals", type=int, default=100_000)
    parser.add_argument("--names", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.part in ("exact", "all"):
        exact(args.locals, args.signals, args.seed)
    if args.part in ("fuzzy", "all"):
        fuzzy(args.names, args.seed)
    if args.part in ("attack", "all"):
        attack(args.names, args.seed)
    if args.part in ("federation", "all"):
        federation(args.institutions, args.scale, args.budget, args.seed)


if __name__ == "__main__":
    main()

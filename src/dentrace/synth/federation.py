"""A synthetic federation: one global world split across N institutions that each see their
slice, with overlapping customers and beneficiaries and each writing names its own way.

The global world is ``generate_world``'s, unchanged (same seed, same files), written to
``OUT/global/`` (parquet): it is the one global truth and the view of an institution that
would see everything. Each institution gets the payments its own customers send, and the
e-wallet and the exchange also the payments their holders receive (wallet ids, crypto
addresses). A share of payers banks at two institutions, under a second account number there.
Names vary per institution and party: a house style (as written, SURNAME first in capitals,
transliterated to ASCII, given names as initials) and now and then a typo.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from anyascii import anyascii

from dentrace.errors import ConfigError
from dentrace.synth.world import generate_world
from dentrace.synth.writer import FORMATS, TableFile

KINDS = ("bank", "bank", "remitter", "e-wallet", "exchange", "bank", "remitter", "bank",
         "e-wallet", "bank")
_WEIGHT = {"bank": 3.0, "remitter": 2.0, "e-wallet": 1.0, "exchange": 1.0}
STYLES = ("as written", "SURNAME, Given", "ascii", "initials")
DUAL_SHARE = 0.15  # payers who bank at two institutions
TYPO_RATE = 0.08  # names an institution writes with one letter wrong
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue",
                         "ß": "ss"})
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
# a business keeps its registered name in every style (only a typo may touch it)
_COMPANY = {"ab", "inc", "ltd", "llc", "gmbh", "bv", "sa", "ag", "co", "corp", "pty", "plc",
            "oy", "as", "srl", "bhd", "limited", "company", "kg", "spa", "sl", "sas"}


@dataclass
class FederationSummary:
    """What generate_federation wrote: the institutions and their counts."""

    out: Path
    seed: int
    scale: float
    institutions: list[dict[str, object]] = field(default_factory=list)
    global_transactions: int = 0

    def __str__(self) -> str:
        parts = ", ".join(f"{i['name']} {i['transactions']:,}" for i in self.institutions)
        return (f"{len(self.institutions)} institutions over {self.global_transactions:,} "
                f"payments: {parts}")


def _unit(*parts: object) -> float:
    """A fixed pseudo-random number in [0, 1) per input (same seed, same federation)."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _typo(name: str, seed: int, inst: int, party: str) -> str:
    letters = [i for i, c in enumerate(name) if c.isalpha()]
    if len(letters) < 4:
        return name
    at = letters[int(_unit(seed, inst, party, "at") * len(letters))]
    edit, letter = _unit(seed, inst, party, "edit"), _LETTERS[int(_unit(seed, party) * 26)]
    if edit < 1 / 3:
        return name[:at] + name[at + 1:]
    if edit < 2 / 3:
        return name[:at] + letter + name[at + 1:]
    return name[:at] + name[at] + name[at:]  # a doubled letter


def written_name(name: str, style: str, seed: int, inst: int, party: str) -> str:
    """``name`` as institution ``inst`` writes it for ``party``."""
    words = name.split()
    if len(words) >= 2 and words[-1].strip(".").lower() not in _COMPANY:
        given, surname = words[:-1], words[-1]
        if style == "SURNAME, Given":
            name = f"{surname.upper()}, {' '.join(given)}"
        elif style == "ascii":
            name = anyascii(name.translate(_GERMAN))
        elif style == "initials":
            name = " ".join(f"{w[0]}." for w in given) + f" {surname}"
    if _unit(seed, inst, party, "typo") < TYPO_RATE:
        name = _typo(name, seed, inst, party)
    return name


def _second_id(seed: int, inst: int, party: str) -> str:
    return f"{int(_unit(seed, inst, party, 'second') * 10**12):012d}"


def _homes(customers: list[str], n: int, seed: int) -> dict[str, list[int]]:
    """Each customer's institutions: one by the kinds' weights, a second for DUAL_SHARE."""
    weights = np.array([_WEIGHT[k] for k in KINDS[:n]])
    cumulative = np.cumsum(weights / weights.sum())
    homes = {}
    for party in customers:
        first = int(np.searchsorted(cumulative, _unit(seed, party, "home"), side="right"))
        first = min(first, n - 1)
        found = [first]
        if _unit(seed, party, "dual") < DUAL_SHARE:
            found.append((first + 1 + int(_unit(seed, party, "other") * (n - 1))) % n)
        homes[party] = found
    return homes


def _check(n: int, fmt: str) -> None:
    if not 2 <= n <= len(KINDS):
        raise ConfigError(f"a federation has 2 to {len(KINDS)} institutions, not {n}")
    if fmt not in FORMATS:
        raise ConfigError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")


def _institution_of(payments: pd.DataFrame, homes: dict[str, list[int]], n: int,
                    seed: int) -> list[np.ndarray]:
    """Per institution, a mask of the global payments it holds (and, for a dual-homed
    customer, which of their accounts the payment used)."""
    masks = [np.zeros(len(payments), dtype=bool) for _ in range(n)]
    for side in ("sender_id", "beneficiary_id"):
        for row, (party, txn) in enumerate(zip(payments[side], payments["txn_id"],
                                               strict=True)):
            found = homes.get(party)
            if found:
                masks[found[int(_unit(seed, txn, side) * len(found))]][row] = True
    beneficiary = payments["beneficiary_id"].astype(str)
    for inst, kind in enumerate(KINDS[:n]):
        if kind == "e-wallet":
            masks[inst] |= beneficiary.str.startswith("+").to_numpy()
        elif kind == "exchange":
            masks[inst] |= (beneficiary.str.startswith("bc1q")
                            | beneficiary.str.match(r"^T[1-9A-HJ-NP-Za-km-z]{33}$")).to_numpy()
    return masks


def _local_ids(frame: pd.DataFrame, column: str, homes: dict[str, list[int]], inst: int,
               seed: int) -> pd.Series:
    """A dual-homed customer's id at their second institution is their second account."""
    return frame[column].map(lambda p: _second_id(seed, inst, p)
                             if p in homes and len(homes[p]) > 1 and homes[p][1] == inst
                             else p)


def _written(frame: pd.DataFrame, names: str, ids: str, inst: int, seed: int) -> pd.Series:
    style = STYLES[inst % len(STYLES)]
    return pd.Series([written_name(name, style, seed, inst, party) if isinstance(name, str)
                      else name for name, party in zip(frame[names], frame[ids], strict=True)],
                     index=frame.index, dtype=object)


def _slice(world: dict[str, pd.DataFrame], mask: np.ndarray, homes: dict[str, list[int]],
           inst: int, seed: int) -> dict[str, pd.DataFrame]:
    """One institution's payments, customers, known and truth, in its own ids and names."""
    payments = world["transactions"][mask].copy()
    for side, name in (("sender_id", "sender_name"), ("beneficiary_id", "beneficiary_name")):
        payments[name] = _written(payments, name, side, inst, seed)
        payments[side] = _local_ids(payments, side, homes, inst, seed)
    customers = world["customers"][world["customers"]["customer_id"].map(
        lambda p: inst in homes.get(p, ()))].copy()
    customers["name"] = _written(customers, "name", "customer_id", inst, seed)
    customers["customer_id"] = _local_ids(customers, "customer_id", homes, inst, seed)
    seen = set(payments["sender_id"]) | set(payments["beneficiary_id"]) | set(
        customers["customer_id"])
    truth = world["truth"].copy()
    truth["party_id"] = _local_ids(truth, "party_id", homes, inst, seed)
    truth = truth[truth["party_id"].isin(seen)]
    known = world["known"].copy()
    known["global_id"] = known["party_id"]
    known["party_id"] = _local_ids(known, "party_id", homes, inst, seed)
    return {"transactions": payments, "customers": customers, "truth": truth, "known": known,
            "seen": pd.DataFrame({"party_id": sorted(seen)})}


def _spread_known(slices: list[dict[str, pd.DataFrame]], seed: int) -> None:
    """Each global known outcome goes to one institution among those that see the party: the
    knowledge that sharing spreads."""
    holders: dict[str, list[int]] = {}
    for inst, part in enumerate(slices):
        known = part["known"]
        for party in known["global_id"][known["party_id"].isin(part["seen"]["party_id"])]:
            holders.setdefault(party, []).append(inst)
    for inst, part in enumerate(slices):
        known = part["known"]
        chosen = [bool(holders.get(p)) and inst == holders[p][int(
            _unit(seed, p, "known") * len(holders[p]))] for p in known["global_id"]]
        part["known"] = known[chosen].drop(columns="global_id")


def _read_world(folder: Path) -> dict[str, pd.DataFrame]:
    parts = sorted((folder / "transactions").glob("*.parquet"))
    return {"transactions": pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True),
            **{name: pd.read_parquet(folder / f"{name}.parquet")
               for name in ("customers", "known", "truth")}}


def _write(folder: Path, part: dict[str, pd.DataFrame], fmt: str) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "transactions").mkdir(parents=True)
    for name, path in (("transactions", folder / "transactions" / f"part-00000.{fmt}"),
                       ("customers", folder / f"customers.{fmt}"),
                       ("known", folder / f"known.{fmt}"), ("truth", folder / f"truth.{fmt}")):
        table = pa.Table.from_pandas(part[name].reset_index(drop=True), preserve_index=False)
        table = table.cast(pa.schema([  # the writers' kernels take string, not large_string
            pa.field(f.name, pa.string()) if f.type == pa.large_string() else f
            for f in table.schema]))
        writer = TableFile(path, fmt)
        writer.write(table)
        writer.close()


def generate_federation(out: Path, institutions: int, seed: int = 0, scale: float = 1.0,
                        fmt: str = "parquet") -> FederationSummary:
    """Write the global world to ``out/global/`` and each institution's slice to
    ``out/<name>/``, with ``out/federation.json`` describing them."""
    _check(institutions, fmt)
    out = Path(out)
    generate_world(out / "global", seed=seed, scale=scale, fmt="parquet")
    world = _read_world(out / "global")
    homes = _homes(list(world["customers"]["customer_id"]), institutions, seed)
    masks = _institution_of(world["transactions"], homes, institutions, seed)
    slices = [_slice(world, mask, homes, inst, seed) for inst, mask in enumerate(masks)]
    _spread_known(slices, seed)
    summary = FederationSummary(out, seed, scale,
                                global_transactions=len(world["transactions"]))
    for inst, part in enumerate(slices):
        name = f"{KINDS[inst].replace('-', '')}-{inst + 1}"
        _write(out / name, part, fmt)
        summary.institutions.append({
            "name": name, "kind": KINDS[inst], "name_style": STYLES[inst % len(STYLES)],
            "transactions": len(part["transactions"]), "customers": len(part["customers"]),
            "parties": len(part["seen"]), "known": len(part["known"]),
            "positives": int(part["truth"]["is_positive"].sum())})
    data = {"seed": seed, "scale": scale, "format": fmt, "dual_share": DUAL_SHARE,
            "typo_rate": TYPO_RATE, "global": "global",
            "global_transactions": summary.global_transactions,
            "institutions": summary.institutions}
    (out / "federation.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return summary

"""Perturbations of a generated world that an independent world could plausibly differ by, and
the measurement of a scan on each: columns dropped, names, zones, currencies, channels, ids, mix.

A world is read into memory (``read_world``), changed by one named perturbation (``PERTURBATIONS``)
and written back in the input contract (``write_world``); ``measure_world`` ingests, scans and
measures it against its (equally perturbed) truth. See docs/robustness.md.
"""

from __future__ import annotations

import functools
import json
import shutil
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dentrace.evaluate.metrics import RoleMetrics, measure
from dentrace.evaluate.world_files import find_world_file, read_table
from dentrace.store.workspace import Workspace


@dataclass(frozen=True)
class World:
    """The files of one synthetic world, in memory (customers and known may be absent)."""

    transactions: pd.DataFrame
    truth: pd.DataFrame
    customers: pd.DataFrame | None = None
    known: pd.DataFrame | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Perturbation:
    """One named way an independent world may differ from ours."""

    name: str
    description: str
    apply: Callable[[World, np.random.Generator], World]


def read_world(path: Path) -> World:
    """The world written by ``dentrace generate`` (or ``write_world``) at ``path``."""
    folder = path / "transactions"
    parts = sorted(folder.glob("*.parquet")) or sorted(folder.glob("*.csv"))
    transactions = pd.concat([read_table(p) for p in parts], ignore_index=True)
    truth_file = find_world_file(path, "truth")
    if truth_file is None:
        raise FileNotFoundError(f"{path}: no truth.csv or truth.parquet")
    optional = {stem: find_world_file(path, stem) for stem in ("customers", "known")}
    meta_file = path / "world.json"
    meta = json.loads(meta_file.read_text("utf-8")) if meta_file.is_file() else {}
    return World(
        transactions=transactions,
        truth=read_table(truth_file),
        customers=read_table(optional["customers"]) if optional["customers"] else None,
        known=read_table(optional["known"]) if optional["known"] else None,
        meta=meta,
    )


def write_world(world: World, path: Path) -> Path:
    """Write ``world`` as Parquet files at ``path`` (replacing what was there)."""
    if path.exists():
        shutil.rmtree(path)
    (path / "transactions").mkdir(parents=True)
    world.transactions.to_parquet(path / "transactions" / "part-00000.parquet", index=False)
    world.truth.to_parquet(path / "truth.parquet", index=False)
    if world.customers is not None:
        world.customers.to_parquet(path / "customers.parquet", index=False)
    if world.known is not None:
        world.known.to_parquet(path / "known.parquet", index=False)
    (path / "world.json").write_text(json.dumps(world.meta, indent=2, default=str), "utf-8")
    return path


# --- columns and files dropped -------------------------------------------------------------

def drop_column(column: str) -> Callable[[World, np.random.Generator], World]:
    """A perturbation removing one optional transactions column."""
    def apply(world: World, rng: np.random.Generator) -> World:
        return replace(world, transactions=world.transactions.drop(columns=[column]))
    return apply


def drop_customers(world: World, rng: np.random.Generator) -> World:
    """No customers file at all (the world's customer count is kept for the alert rate)."""
    count = (world.customers["customer_id"].nunique() if world.customers is not None
             else world.meta.get("customers", 0))
    return replace(world, customers=None, meta={**world.meta, "customers": int(count)})


def drop_known(world: World, rng: np.random.Generator) -> World:
    """No known file: an institution with no earlier cases."""
    return replace(world, known=None)


# --- names -----------------------------------------------------------------------------------

NAME_COLUMNS = ("sender_name", "beneficiary_name")


def _once_per_name(change: Callable[[pd.Series], pd.Series]
                   ) -> Callable[[pd.Series], pd.Series]:
    """``change`` computed once per distinct name (names repeat across many payments)."""
    def apply(names: pd.Series) -> pd.Series:
        distinct = pd.Series(names.dropna().unique(), dtype=object)
        lookup = dict(zip(distinct, change(distinct), strict=True))
        return names.map(lookup)
    return apply


def _map_names(world: World, change: Callable[[pd.Series], pd.Series],
               columns: tuple[str, ...] = NAME_COLUMNS, kyc: bool = True) -> World:
    change = _once_per_name(change)
    t = world.transactions.copy()
    for column in columns:
        if column in t.columns:
            t[column] = change(t[column])
    customers = world.customers
    if kyc and customers is not None and "name" in customers.columns:
        customers = customers.assign(name=change(customers["name"]))
    return replace(world, transactions=t, customers=customers)


def _is_person(names: pd.Series) -> pd.Series:
    """Names written like a person's (two or more words, no company suffix, no digits)."""
    text = names.fillna("").astype(str)
    company = text.str.contains(r"\b(?:LLC|LTD|INC|BV|GMBH|SA|PTY|CO|CORP|PLC|AG)\b|\d",
                                case=False, regex=True)
    return (text.str.split().str.len() >= 2) & ~company


def surname_first(names: pd.Series) -> pd.Series:
    """'MARIA CRUZ SANTOS' -> 'SANTOS, MARIA CRUZ' for person-like names."""
    person = _is_person(names)
    text = names.fillna("").astype(str)
    parts = text.str.rsplit(" ", n=1)
    reordered = parts.str[1] + ", " + parts.str[0]
    return names.where(~person, reordered)


def title_case(names: pd.Series) -> pd.Series:
    """'MARIA SANTOS' -> 'Maria Santos'."""
    return names.where(names.isna(), names.astype(str).str.title())


def strip_accents(text: str) -> str:
    """'JOSÉ MUÑOZ' -> 'JOSE MUNOZ'."""
    return "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))


_ACCENTED = str.maketrans({"A": "Á", "E": "É", "I": "Í", "O": "Ó", "U": "Ú", "N": "Ñ",
                           "a": "á", "e": "é", "i": "í", "o": "ó", "u": "ú", "n": "ñ"})


def _accented(names: pd.Series) -> pd.Series:
    accented = names.map(lambda s: str(s).translate(_ACCENTED), na_action="ignore")
    return names.where(~_is_person(names), accented)


def accents(world: World, rng: np.random.Generator) -> World:
    """Senders' names without accents, beneficiaries' names with accents on every vowel."""
    t = world.transactions.copy()
    if "sender_name" in t.columns:
        t["sender_name"] = _once_per_name(
            lambda names: names.map(strip_accents, na_action="ignore"))(t["sender_name"])
    if "beneficiary_name" in t.columns:
        t["beneficiary_name"] = _once_per_name(_accented)(t["beneficiary_name"])
    return replace(world, transactions=t)


def initials(names: pd.Series) -> pd.Series:
    """'MARIA CRUZ SANTOS' -> 'M. C. SANTOS' for person-like names."""
    person = _is_person(names)
    text = names.fillna("").astype(str)
    parts = text.str.rsplit(" ", n=1)
    given = parts.str[0].map(lambda g: " ".join(w[0] + "." for w in g.split() if w))
    return names.where(~person, given + " " + parts.str[1])


# --- time zones, currencies, channels --------------------------------------------------------

def utc_timestamps(world: World, rng: np.random.Generator) -> World:
    """Every timestamp re-written as the same instant at +00:00 (local time is lost)."""
    t = world.transactions.copy()
    instants = pd.to_datetime(t["ts"], utc=True, format="ISO8601")
    t["ts"] = instants.dt.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    return replace(world, transactions=t)


@functools.cache
def _rate(currency: str, to: str) -> float:
    from dentrace.ingest.rates import load_rates

    return load_rates().convert_factor(currency.upper(), to.upper())


def in_currency(code: str) -> Callable[[World, np.random.Generator], World]:
    """The whole world re-expressed in ``code``, which also becomes the reporting currency."""
    def apply(world: World, rng: np.random.Generator) -> World:
        t = world.transactions.copy()
        factors = t["currency"].map(lambda c: _rate(str(c), code))
        t["amount"] = (t["amount"].astype(float) * factors).round(2)
        t["currency"] = code
        return replace(world, transactions=t, meta={**world.meta, "reporting_currency": code})
    return apply


MIXED_CURRENCIES = ("USD", "EUR", "GBP", "AUD", "PHP", "CAD")


def mixed_currencies(world: World, rng: np.random.Generator) -> World:
    """Each payment in a currency drawn at random (reporting currency unchanged)."""
    t = world.transactions.copy()
    chosen = rng.choice(np.array(MIXED_CURRENCIES), size=len(t))
    factors = np.array([_rate(str(a), str(b)) for a, b in zip(t["currency"], chosen,
                                                             strict=True)])
    t["amount"] = (t["amount"].astype(float) * factors).round(2)
    t["currency"] = chosen
    return replace(world, transactions=t)


# contract channel -> what other institutions call it (one drawn per payment)
CHANNEL_SYNONYMS = {
    "remittance": ("MTO", "Western Union", "REMITTANCE", "money transfer", "MoneyGram"),
    "wallet": ("P2P", "e-wallet", "MOBILE WALLET", "GCash"),
    "transfer": ("SEPA", "ACH", "bank transfer", "FPS"),
    "wire": ("SWIFT", "WIRE", "international wire"),
    "card": ("POS", "CARD", "debit card"),
    "crypto": ("BTC", "CRYPTO"),
}


def channel_vocabulary(world: World, rng: np.random.Generator) -> World:
    """Channel values in other institutions' words and cases."""
    t = world.transactions.copy()
    choices = [CHANNEL_SYNONYMS.get(str(c).lower(), (c,)) for c in t["channel"]]
    t["channel"] = [options[int(rng.integers(len(options)))] for options in choices]
    return replace(world, transactions=t)


def bank_wire(world: World, rng: np.random.Generator) -> World:
    """A bank with no remittance or wallet product: those payments leave as wires."""
    t = world.transactions.copy()
    t["channel"] = t["channel"].replace({"remittance": "wire", "wallet": "wire"})
    return replace(world, transactions=t)


# --- ids, corridor mix, prevalence -----------------------------------------------------------

def _reformat_id(value: Any) -> Any:
    text = str(value)
    if text.startswith("+"):
        return "00" + text[1:]
    if text[:2].isalpha():
        return " ".join(text[i:i + 4] for i in range(0, len(text), 4))
    return "CUST-" + text.replace("-", "")


def reformat_ids(world: World, rng: np.random.Generator) -> World:
    """Phone ids as 00…, IBANs in groups of four, other ids prefixed; same in every file."""
    t = world.transactions.copy()
    for column in ("sender_id", "beneficiary_id"):
        t[column] = t[column].map(_reformat_id)
    t["txn_id"] = "P" + t["txn_id"].astype(str).str[::-1]
    customers = (world.customers.assign(customer_id=world.customers["customer_id"]
                                        .map(_reformat_id))
                 if world.customers is not None else None)
    known = (world.known.assign(party_id=world.known["party_id"].map(_reformat_id))
             if world.known is not None else None)
    truth = world.truth.assign(party_id=world.truth["party_id"].map(_reformat_id))
    return replace(world, transactions=t, customers=customers, known=known, truth=truth)


def corridor_mix(world: World, rng: np.random.Generator) -> World:
    """Two thirds of the PH beneficiaries moved to TH or CO (country and phone prefix)."""
    t = world.transactions.copy()
    ph = t.loc[t["beneficiary_country"] == "PH", "beneficiary_id"].drop_duplicates()
    moved = ph.sample(frac=2 / 3, random_state=int(rng.integers(1 << 31)))
    target = {b: ("TH", "+66") if i % 2 else ("CO", "+57") for i, b in enumerate(moved)}
    ids = {b: (prefix + str(b)[3:] if str(b).startswith("+63") else str(b))
           for b, (_, prefix) in target.items()}
    hit = t["beneficiary_id"].isin(target)
    t.loc[hit, "beneficiary_country"] = t.loc[hit, "beneficiary_id"].map(
        lambda b: target[b][0])
    for column in ("beneficiary_id", "sender_id"):
        t[column] = t[column].map(lambda b: ids.get(b, b))
    truth = world.truth.assign(party_id=world.truth["party_id"].map(lambda b: ids.get(b, b)))
    known = (world.known.assign(party_id=world.known["party_id"].map(lambda b: ids.get(b, b)))
             if world.known is not None else None)
    return replace(world, transactions=t, truth=truth, known=known)


def fewer_offenders(world: World, rng: np.random.Generator) -> World:
    """Prevalence ÷3: two thirds of the offenders and all their payments removed."""
    truth = world.truth
    offenders = truth.loc[(truth["role"] == "payer") & truth["is_positive"].astype(str)
                          .str.lower().isin(["true", "1"]), "party_id"].drop_duplicates()
    keep = max(1, round(len(offenders) / 3))
    dropped = set(offenders.sample(n=len(offenders) - keep,
                                   random_state=int(rng.integers(1 << 31))))
    t = world.transactions.loc[~world.transactions["sender_id"].isin(dropped)]
    customers = (world.customers.loc[~world.customers["customer_id"].isin(dropped)]
                 if world.customers is not None else None)
    known = (world.known.loc[~world.known["party_id"].isin(dropped)]
             if world.known is not None else None)
    return replace(world, transactions=t.reset_index(drop=True), customers=customers,
                   known=known, truth=truth.loc[~truth["party_id"].isin(dropped)])


def _names(change: Callable[[pd.Series], pd.Series]
           ) -> Callable[[World, np.random.Generator], World]:
    return lambda world, rng: _map_names(world, change)


def _catalogue() -> dict[str, Perturbation]:
    items = [Perturbation(f"no_{c}", f"column {c} absent", drop_column(c))
             for c in ("sender_name", "beneficiary_name", "memo", "channel", "sender_country",
                       "beneficiary_country")]
    items += [
        Perturbation("no_customers", "no customers file", drop_customers),
        Perturbation("no_known", "no known file", drop_known),
        Perturbation("names_surname_first", "'SANTOS, MARIA' instead of 'MARIA SANTOS'",
                     _names(surname_first)),
        Perturbation("names_title_case", "'Maria Santos' instead of 'MARIA SANTOS'",
                     _names(title_case)),
        Perturbation("names_accents", "senders without accents, beneficiaries with", accents),
        Perturbation("names_initials", "'M. SANTOS': given names as initials",
                     _names(initials)),
        Perturbation("utc_offsets", "every timestamp at +00:00", utc_timestamps),
        Perturbation("currency_eur", "whole world in EUR (reporting EUR)", in_currency("EUR")),
        Perturbation("currency_php", "whole world in PHP (reporting PHP)", in_currency("PHP")),
        Perturbation("currency_mixed", "each payment in a random currency", mixed_currencies),
        Perturbation("channel_vocabulary", "MTO, P2P, SEPA, Western Union, upper case",
                     channel_vocabulary),
        Perturbation("ids_reformatted", "00-phones, spaced IBANs, prefixed ids", reformat_ids),
        Perturbation("corridor_mix", "2/3 of PH beneficiaries moved to TH/CO", corridor_mix),
        Perturbation("fewer_offenders", "prevalence ÷3", fewer_offenders),
        Perturbation("bank_wire", "no remittance or wallet channel: wires", bank_wire),
    ]
    return {p.name: p for p in items}


PERTURBATIONS: dict[str, Perturbation] = _catalogue()


def perturb_world(source: Path, target: Path, name: str, seed: int = 0) -> Path:
    """Write the world at ``source`` changed by perturbation ``name`` to ``target``."""
    if name not in PERTURBATIONS:
        raise KeyError(f"unknown perturbation '{name}'; known: {', '.join(PERTURBATIONS)}")
    world = PERTURBATIONS[name].apply(read_world(source), np.random.default_rng(seed))
    return write_world(replace(world, meta={**world.meta, "perturbation": name}), target)


def measure_world(world: Path, out: Path, *, scan_options: dict[str, Any] | None = None
                  ) -> dict[str, RoleMetrics]:
    """Ingest ``world`` (whichever files it has) into ``out``, scan it and measure it.

    Known parties are left out of the figures, as in ``dentrace evaluate``; the reporting
    currency is the world's ``reporting_currency`` (world.json) when it names one.
    """
    from dentrace.detect import scan
    from dentrace.evaluate.run import fresh_workspace
    from dentrace.evaluate.world_files import count_customers, read_known_ids, read_truth
    from dentrace.ingest import ingest

    meta_file = world / "world.json"
    meta = json.loads(meta_file.read_text("utf-8")) if meta_file.is_file() else {}
    customers = find_world_file(world, "customers")
    known = find_world_file(world, "known")
    workspace = fresh_workspace(out)
    ingest(workspace, transactions=world / "transactions", customers=customers, known=known,
           reporting_currency=meta.get("reporting_currency"), quiet=True)
    scan(workspace, **(scan_options or {}))
    parties = pd.read_parquet(Workspace(workspace).parties)
    count = count_customers(customers) if customers else int(meta.get("customers", 0))
    known_ids = read_known_ids(known) if known else set()
    return measure(parties, read_truth(find_world_file(world, "truth") or world), count,
                   known_ids)

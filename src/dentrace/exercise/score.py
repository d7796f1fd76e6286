"""Score a trainee's accusations against an exercise's answer key: precision in the top 20 and
50, recall, dens found, honest customers accused by population, time to the first den.

Pure over the key and the submission: the same submission always gets the same scorecard.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd

from dentrace.exercise.submission import Submission

TOP = (20, 50)
# how a scorecard names each honest population, one and several
PHRASES: dict[str, tuple[str, str]] = {
    "ordinary": ("ordinary customer", "ordinary customers"),
    "diaspora": ("diaspora family", "diaspora families"),
    "partner": ("customer supporting a partner abroad", "customers supporting a partner abroad"),
    "sponsor": ("child sponsor", "child sponsors"),
    "business": ("business paying freelancers", "businesses paying freelancers"),
    "employer": ("employer", "employers"),
    "romance_victim": ("romance-scam victim", "romance-scam victims"),
    "webcam_adult": ("adult-webcam customer", "adult-webcam customers"),
    "sextortion_victim": ("sextortion victim", "sextortion victims"),
    "family_recipient": ("relative receiving family money", "relatives receiving family money"),
    "partner_recipient": ("partner abroad", "partners abroad"),
    "charity": ("charity", "charities"),
    "freelancer": ("freelancer", "freelancers"),
    "adult_performer": ("adult performer", "adult performers"),
    "romance_scammer": ("romance scammer (not a den)", "romance scammers (not a den)"),
    "sextortion_account": ("sextortion account (not a den)", "sextortion accounts (not a den)"),
    "merchant": ("merchant", "merchants"),
    "biller": ("biller", "billers"),
    "domestic_account": ("domestic account", "domestic accounts"),
    "foreign_account": ("foreign account", "foreign accounts"),
}


def phrase(population: str, count: int) -> str:
    """'2 diaspora families', '1 adult-webcam customer'."""
    one, many = PHRASES.get(population, (population.replace("_", " "),) * 2)
    return f"{count} {one if count == 1 else many}"


def _parties(key: pd.DataFrame, known: set[str]) -> pd.DataFrame:
    """One row per party of the key (a party of two roles or institutions is positive when
    any of its rows is), known parties left out: trainees were given them."""
    table = key.assign(party_id=key["party_id"].astype(str),
                       is_positive=key["is_positive"].astype(bool))
    table = table.loc[~table["party_id"].isin(known)]
    table = table.sort_values(["party_id", "is_positive", "institution", "role"],
                              ascending=[True, False, True, True], kind="stable")
    return table.drop_duplicates("party_id").set_index("party_id")


def _ranking(submission: Submission, known: set[str]) -> tuple[list[str], dict[str, str | None],
                                                                  int]:
    """Distinct accused parties in order, the time of each first accusation, and how many
    accusations named a known party."""
    order: list[str] = []
    at: dict[str, str | None] = {}
    skipped = 0
    for accusation in submission.accusations:
        if accusation.party_id in known:
            skipped += 1
        elif accusation.party_id not in at:
            order.append(accusation.party_id)
            at[accusation.party_id] = accusation.at
    return order, at, skipped


def _seconds_between(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def _first_den(order: list[str], at: dict[str, str | None], parties: pd.DataFrame,
               submission: Submission) -> dict[str, Any]:
    if submission.started is None:
        return {"seconds": None, "why": "a ranked list has no times: work in an exercise "
                                        "workspace to be timed"}
    for party in order:
        if party in parties.index and bool(parties.at[party, "is_positive"]) and at[party]:
            return {"seconds": round(_seconds_between(submission.started, str(at[party])), 1),
                    "party_id": party}
    return {"seconds": None, "why": "no den member escalated"}


def score(manifest: dict[str, Any], key: pd.DataFrame, known: set[str],
          submission: Submission, goaml: dict[str, Any] | None = None) -> dict[str, Any]:
    """The scorecard of ``submission`` (JSON-ready, keys and lists in a fixed order).

    A submission of one institution (level 3: a workspace of one, or ``institution`` given)
    is scored against that institution's parties only."""
    if submission.institution is not None:
        key = key.loc[key["institution"].astype(str) == submission.institution]
    parties = _parties(key, known)
    positives = parties.loc[parties["is_positive"]]
    order, at, skipped = _ranking(submission, known)
    in_key = [p for p in order if p in parties.index]
    hits = [p for p in in_key if bool(parties.at[p, "is_positive"])]
    hit_set = set(hits)
    total = len(positives)
    precision = {}
    for k in TOP:
        top_hits = sum(1 for p in order[:k] if p in hit_set)
        precision[f"precision_at_{k}"] = round(top_hits / min(k, total), 4) if total else 0.0
    dens = positives["group_id"].dropna().astype(str)
    found = {str(parties.at[p, "group_id"]) for p in hits
             if pd.notna(parties.at[p, "group_id"])}
    honest = [p for p in in_key if p not in hit_set]
    by_population = (parties.loc[honest, "population"].astype(str).value_counts()
                     .sort_index().to_dict() if honest else {})
    ordered_pops = sorted(by_population.items(), key=lambda item: (-item[1], item[0]))
    return {
        "exercise": manifest.get("exercise"),
        "level": manifest.get("level"),
        "title": manifest.get("title"),
        "key_sha256": manifest.get("key_sha256"),
        "trainee": submission.trainee,
        "source": submission.source,
        "institution": submission.institution or "all",
        "accused": len(order),
        "known_skipped": skipped,
        "not_in_world": len(order) - len(in_key),
        "dismissed": submission.dismissed,
        "positives": total,
        **precision,
        "recall": round(len(hits) / total, 4) if total else 0.0,
        "hits": len(hits),
        "dens_total": int(dens.nunique()),
        "dens_found": len(found & set(dens)),
        "honest_accused": len(honest),
        "honest_by_population": {pop: int(n) for pop, n in ordered_pops},
        "honest_accused_text": ", ".join(phrase(pop, int(n)) for pop, n in ordered_pops)
                               or "none",
        "time_to_first_den": _first_den(order, at, parties, submission),
        "goaml": goaml or {"status": "not handed in"},
    }

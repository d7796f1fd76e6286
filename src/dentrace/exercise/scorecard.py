"""Score an exercise end to end and write the scorecard (JSON and HTML), and rank a class of
scorecards on a leaderboard. Every value shown in HTML is escaped.
"""

from __future__ import annotations

import json
from dataclasses import replace
from html import escape
from pathlib import Path
from typing import Any

from dentrace.errors import InputError
from dentrace.exercise.briefing import html_text
from dentrace.exercise.bundle import bundle_known_ids, read_key, read_manifest
from dentrace.exercise.handed_report import check_goaml
from dentrace.exercise.score import TOP, score
from dentrace.exercise.submission import Submission, read_ranked_list
from dentrace.writing.files import safe_file_name, write_whole

_STYLE = ("body{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;"
          "padding:0 1rem}th{text-align:left;padding-right:1rem}td{padding-right:1rem}")


def score_exercise(bundle: Path, key: Path, submission: Submission | Path,
                   trainee: str | None = None, goaml: Path | None = None,
                   goaml_config: str | Path | None = None,
                   goaml_schema: str | Path | None = None,
                   institution: str | None = None) -> dict[str, Any]:
    """The scorecard of a ranked list (a CSV path) or a read submission; ``institution``
    scores a list against one institution's parties only (level 3)."""
    manifest = read_manifest(bundle)
    answer = read_key(key, manifest)
    names = [str(i.get("name")) for i in manifest.get("institutions", [])]
    if institution is not None and institution not in names:
        raise InputError(f"no institution {institution!r} in this exercise "
                         f"({', '.join(names)})", file=bundle, field="institution")
    if isinstance(submission, Path):
        submission = replace(read_ranked_list(submission, trainee, names),
                             institution=institution)
    known = bundle_known_ids(bundle, manifest)
    return score(manifest, answer, known, submission,
                 check_goaml(goaml, goaml_config, goaml_schema))


def _e(value: object) -> str:
    return escape(html_text("-" if value is None else value), quote=True)


def _figures(card: dict[str, Any]) -> list[tuple[str, object]]:
    first = card["time_to_first_den"]
    minutes = (f"{first['seconds'] / 60:.1f} min" if first.get("seconds") is not None
               else first.get("why"))
    goaml = card["goaml"]
    return [
        *[(f"precision in the top {k}", card[f"precision_at_{k}"]) for k in TOP],
        ("recall", f"{card['recall']} ({card['hits']} of {card['positives']})"),
        ("dens found", f"{card['dens_found']} of {card['dens_total']}"),
        ("honest customers accused", f"{card['honest_accused']}: "
                                     f"{card['honest_accused_text']}"),
        ("parties accused", card["accused"]),
        ("institution scored", card.get("institution", "all")),
        ("not in the world (or another institution)", card["not_in_world"]),
        ("known parties (given, not scored)", card["known_skipped"]),
        ("alerts dismissed", card["dismissed"]),
        ("time to the first den", minutes),
        ("goAML report", goaml.get("status")),
    ]


def scorecard_html(card: dict[str, Any]) -> str:
    rows = "".join(f"<tr><th>{_e(name)}</th><td>{_e(value)}</td></tr>"
                   for name, value in _figures(card))
    problems = "".join(f"<li>{_e(p)}</li>" for p in card["goaml"].get("problems", []))
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Scorecard "
            f"{_e(card['trainee'])}: {_e(card['exercise'])}</title><style>{_STYLE}</style>"
            f"</head><body><h1>Scorecard: {_e(card['trainee'])}</h1><p>Exercise "
            f"{_e(card['exercise'])} ({_e(card['title'])}), {_e(card['source'])}.</p>"
            f"<table>{rows}</table>"
            + (f"<h2>goAML problems</h2><ul>{problems}</ul>" if problems else "")
            + "<p>Precision in the top k: the share of the first k parties accused that are "
              "offenders or facilitators, out of k or of all there are to find when fewer.</p>"
              "</body></html>\n")


def write_scorecard(card: dict[str, Any], out: Path) -> tuple[Path, Path]:
    """``out/<trainee>.json`` and ``.html``; returns both paths."""
    stem = safe_file_name(str(card["trainee"])) or "trainee"
    data = write_whole(Path(out) / f"{stem}.json",
                       json.dumps(card, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    page = write_whole(Path(out) / f"{stem}.html", scorecard_html(card))
    return data, page


def _read_card(path: Path) -> dict[str, Any]:
    try:
        card = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputError(f"not a scorecard ({error})", file=path) from error
    for name in ("trainee", "key_sha256", "precision_at_50", "recall", "honest_accused"):
        if not isinstance(card, dict) or name not in card:
            raise InputError("not a scorecard", file=path, field=name)
    return card


def _rank_key(card: dict[str, Any]) -> tuple[float, float, int, float, str]:
    first = card.get("time_to_first_den", {}).get("seconds")
    return (-float(card["precision_at_50"]), -float(card["recall"]),
            int(card["honest_accused"]), float(first) if first is not None else float("inf"),
            str(card["trainee"]))


def leaderboard(cards: list[Path]) -> dict[str, Any]:
    """The class ranked by precision in the top 50, then recall, then fewest honest customers
    accused, then the fastest to a den; every card must score the same exercise."""
    read = [_read_card(p) for p in cards]
    if not read:
        raise InputError("no scorecards given")
    exercises = {c["key_sha256"] for c in read}
    if len(exercises) > 1:
        odd = next(p for p, c in zip(cards, read, strict=True)
                   if c["key_sha256"] != read[0]["key_sha256"])
        raise InputError("scores another exercise than the first scorecard", file=odd)
    ranked = sorted(read, key=_rank_key)
    columns = ("trainee", "precision_at_20", "precision_at_50", "recall", "dens_found",
               "honest_accused")
    return {"exercise": read[0].get("exercise"), "key_sha256": read[0]["key_sha256"],
            "ranking": [{"rank": i, **{c: card.get(c) for c in columns},
                         "first_den_seconds": card.get("time_to_first_den", {}).get("seconds")}
                        for i, card in enumerate(ranked, start=1)]}


def leaderboard_html(board: dict[str, Any]) -> str:
    head = ("rank", "trainee", "precision@20", "precision@50", "recall", "dens found",
            "honest accused", "first den (s)")
    keys = ("rank", "trainee", "precision_at_20", "precision_at_50", "recall", "dens_found",
            "honest_accused", "first_den_seconds")
    rows = "".join("<tr>" + "".join(f"<td>{_e(r.get(k))}</td>" for k in keys) + "</tr>"
                   for r in board["ranking"])
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>"
            f"Leaderboard {_e(board['exercise'])}</title><style>{_STYLE}</style></head><body>"
            f"<h1>Leaderboard: exercise {_e(board['exercise'])}</h1><table><tr>"
            + "".join(f"<th>{h}</th>" for h in head) + f"</tr>{rows}</table></body></html>\n")

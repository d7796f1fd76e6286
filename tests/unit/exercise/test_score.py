"""Scoring a ranked list against a key: the figures, the populations of honest customers
accused, refusal of bad lists, the goAML check and the leaderboard."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from dentrace.errors import InputError
from dentrace.exercise.handed_report import check_goaml
from dentrace.exercise.score import score
from dentrace.exercise.scorecard import (
    leaderboard,
    leaderboard_html,
    scorecard_html,
    write_scorecard,
)
from dentrace.exercise.submission import Accusation, Submission, read_ranked_list

MANIFEST = {"exercise": "L1-seed0", "level": 1, "title": "A remitter", "key_sha256": "ab" * 32}


def _key() -> pd.DataFrame:
    rows = [(f"OFF{i}", "payer", "offender", True, f"den-{i % 2}") for i in range(4)]
    rows += [("FAC1", "facilitator", "facilitator", True, "den-0")]
    rows += [(f"DIA{i}", "payer", "diaspora", False, f"fam-{i}") for i in range(3)]
    rows += [("CAM1", "payer", "webcam_adult", False, None)]
    rows += [(f"ORD{i}", "payer", "ordinary", False, None) for i in range(40)]
    # a party seen in two roles is positive when either row is
    rows += [("OFF0", "facilitator", "family_recipient", False, None)]
    key = pd.DataFrame(rows, columns=["party_id", "role", "population", "is_positive",
                                      "group_id"])
    return key.assign(institution="remitter-3")


def _submit(*parties: str, trainee: str = "ana") -> Submission:
    return Submission(trainee, "ranked list", [Accusation(p) for p in parties])


def test_the_figures_of_a_ranked_list() -> None:
    card = score(MANIFEST, _key(), {"OFF3"},
                 _submit("OFF0", "DIA0", "OFF3", "FAC1", "DIA1", "CAM1", "NOBODY", "OFF0"))
    assert card["positives"] == 4  # OFF3 was given to trainees as known
    assert card["hits"] == 2 and card["recall"] == 0.5
    assert card["precision_at_20"] == 0.5  # 2 of the 4 there are to find
    assert card["dens_found"] == 1 and card["dens_total"] == 2
    assert card["known_skipped"] == 1 and card["not_in_world"] == 1
    assert card["accused"] == 6
    assert card["honest_accused"] == 3
    assert card["honest_accused_text"] == "2 diaspora families, 1 adult-webcam customer"
    assert card["honest_by_population"] == {"diaspora": 2, "webcam_adult": 1}
    assert card["time_to_first_den"]["seconds"] is None
    assert card["goaml"] == {"status": "not handed in"}


def test_precision_counts_only_the_top() -> None:
    honest = [f"ORD{i}" for i in range(20)]
    late = score(MANIFEST, _key(), set(), _submit(*honest, "OFF0", "OFF1", "OFF2", "OFF3", "FAC1"))
    assert late["precision_at_20"] == 0.0 and late["precision_at_50"] == 1.0
    assert late["recall"] == 1.0


def test_the_same_submission_always_gets_the_same_scorecard(tmp_path: Path) -> None:
    submission = _submit("DIA2", "OFF1", "ORD5", "FAC1", "CAM1")
    first = score(MANIFEST, _key(), set(), submission)
    shuffled = _key().sample(frac=1.0, random_state=7)
    second = score(MANIFEST, shuffled, set(), submission)
    assert first == second
    a = write_scorecard(first, tmp_path / "a")
    b = write_scorecard(second, tmp_path / "b")
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]


def test_a_workspace_submission_is_timed_to_the_first_den() -> None:
    submission = Submission("ana", "workspace", [
        Accusation("DIA0", at="2026-01-05T10:02:00.000000Z"),
        Accusation("OFF2", at="2026-01-05T10:07:30.000000Z")],
        dismissed=3, started="2026-01-05T10:00:00.000000Z")
    card = score(MANIFEST, _key(), set(), submission)
    assert card["time_to_first_den"] == {"seconds": 450.0, "party_id": "OFF2"}
    assert card["dismissed"] == 3


def test_a_ranked_list_is_read_in_order_and_bad_rows_are_named(tmp_path: Path) -> None:
    good = tmp_path / "ana.csv"
    good.write_text("\ufeffParty_ID,institution,note\nOFF1,remitter-3,x\n\nDIA0,,\n",
                    encoding="utf-8")
    read = read_ranked_list(good, institutions=["remitter-3"])
    assert read.trainee == "ana"
    assert [a.party_id for a in read.accusations] == ["OFF1", "DIA0"]
    missing = tmp_path / "missing.csv"
    missing.write_text("id\nOFF1\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 1.*'party_id'"):
        read_ranked_list(missing)
    empty = tmp_path / "empty.csv"
    empty.write_text("party_id\nOFF1\n  \nx\n,\n", encoding="utf-8")
    read_ranked_list(empty)  # blank lines are skipped
    blank = tmp_path / "blank.csv"
    blank.write_text("party_id,institution\nOFF1,a\n,remitter-3\n", encoding="utf-8")
    with pytest.raises(InputError, match="row 3, field 'party_id'"):
        read_ranked_list(blank)
    with pytest.raises(InputError, match="row 2, field 'institution'"):
        read_ranked_list(blank, institutions=["remitter-3"])
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"party_id\n\xff\xfe\n")
    with pytest.raises(InputError, match=r"binary\.csv: not a UTF-8 CSV"):
        read_ranked_list(binary)


def test_markup_in_a_trainee_name_is_shown_as_text(tmp_path: Path) -> None:
    card = score(MANIFEST, _key(), set(), _submit("OFF1", trainee="<img src=x onerror=1>"))
    page = scorecard_html(card)
    assert "<img" not in page and "&lt;img src=x onerror=1&gt;" in page
    data, html = write_scorecard(card, tmp_path)
    assert data.parent == tmp_path and html.parent == tmp_path


def test_the_goaml_report_is_checked_against_the_configured_xsd(tmp_path: Path,
                                                                  shared_dir: Path) -> None:
    sample = shared_dir / "formats/goaml/sample_STR_synthetic_5.0.2.xml"
    xsd = shared_dir / "formats/goaml/goAMLSchema_5.0.2_UAE_patched_xsd10.xsd"
    assert check_goaml(sample)["status"] == "no XSD configured"
    assert check_goaml(sample, schema=xsd)["status"] == "valid"
    broken = tmp_path / "draft.xml"
    broken.write_text("<report><rentity_id>x</rentity_id></report>", encoding="utf-8")
    found = check_goaml(broken, schema=xsd)
    assert found["status"] == "invalid" and found["problems"]
    garbage = tmp_path / "garbage.xml"
    garbage.write_text("<!DOCTYPE r [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><r>&e;</r>")
    assert check_goaml(garbage, schema=xsd)["status"] in ("invalid", "not XML")
    assert "root:" not in json.dumps(check_goaml(garbage, schema=xsd))


def test_the_leaderboard_ranks_a_class_of_one_exercise(tmp_path: Path) -> None:
    cards = {
        "ana": _submit("OFF0", "OFF1", "FAC1", "OFF2", trainee="ana"),
        "ben": _submit("OFF0", "DIA0", "FAC1", trainee="ben"),
        "cy": _submit("OFF0", "OFF1", "FAC1", "OFF2", "DIA1", "CAM1", trainee="cy"),
    }
    paths = [write_scorecard(score(MANIFEST, _key(), set(), s), tmp_path)[0]
             for s in cards.values()]
    board = leaderboard(paths)
    assert [r["trainee"] for r in board["ranking"]] == ["ana", "cy", "ben"]
    assert "ana" in leaderboard_html(board)
    other = score({**MANIFEST, "key_sha256": "cd" * 32}, _key(), set(), cards["ana"])
    odd = write_scorecard({**other, "trainee": "zed"}, tmp_path)[0]
    with pytest.raises(InputError, match=r"zed\.json: scores another exercise"):
        leaderboard([*paths, odd])


def test_a_workspace_submission_reads_escalations_and_cases_from_the_audit_log(
        tmp_path: Path) -> None:
    from dentrace import audit, cases
    from dentrace.auth import add_user
    from dentrace.auth.accounts import get_account
    from dentrace.exercise.submission import START_ACTION, workspace_submission
    from dentrace.store.sql import open_store

    store = open_store(tmp_path)
    add_user(store, "ana", "analyst", "a-long-test-password")
    ana = get_account(store, "ana")
    cases.open_case(store, ana, "before the start", [("DIA0", "payer")])
    with store.session() as session:
        audit.record(session, actor="os:trainer", action=START_ACTION, target_type="exercise",
                     target_id="L1-seed0", origin="cli", detail={})
    made = cases.open_case(store, ana, "den <b>", [("OFF1", "payer"), ("FAC1", "facilitator")])
    cases.add_parties(store, ana, made.id, [("CAM1", "payer")])
    store.close()
    read = workspace_submission(tmp_path)
    assert read.trainee == "ana"
    assert [a.party_id for a in read.accusations] == ["OFF1", "FAC1", "CAM1"]
    assert all(a.at is not None and read.started is not None and a.at >= read.started
               for a in read.accusations)
    card = score(MANIFEST, _key(), set(), read)
    assert card["hits"] == 2 and card["honest_accused_text"] == "1 adult-webcam customer"
    assert card["time_to_first_den"]["party_id"] == "OFF1"
    assert card["time_to_first_den"]["seconds"] >= 0


def test_a_submission_of_one_institution_is_scored_on_its_parties() -> None:
    other = pd.DataFrame([("OFF9", "payer", "offender", True, "den-9", "bank-1"),
                          ("DIA9", "payer", "diaspora", False, "fam-9", "bank-1")],
                         columns=[*_key().columns])
    key = pd.concat([_key(), other], ignore_index=True)
    everywhere = score(MANIFEST, key, set(), _submit("OFF0", "OFF9"))
    assert everywhere["positives"] == 6 and everywhere["institution"] == "all"
    remitter = Submission("ana", "workspace", [Accusation("OFF0"), Accusation("OFF9")],
                          institution="remitter-3")
    card = score(MANIFEST, key, set(), remitter)
    assert card["positives"] == 5 and card["hits"] == 1 and card["not_in_world"] == 1
    assert card["institution"] == "remitter-3" and card["dens_total"] == 2

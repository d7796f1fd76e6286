"""Limits of the cases service, whoever calls it (API, CLI, scripts): sizes and known parties.

Issue 16 point 11: 500 party ids of 100 kB each made a case (201) and a 152 MB database.
"""

from __future__ import annotations

import pytest

from dentrace import cases
from dentrace.auth import Account
from dentrace.cases import limits
from dentrace.store.sql import Store


class Directory:
    """Parties of a tiny workspace."""

    def __init__(self, *known: str) -> None:
        self.known = set(known)

    def is_known_party(self, party_id: str) -> bool:
        return party_id in self.known


def _count_cases(store: Store, actor: Account) -> int:
    return len(cases.list_cases(store, actor))


def test_oversized_case_creation_is_refused_before_writing(
    store: Store, team: dict[str, Account]
) -> None:
    ana = team["ana"]
    huge = [(f"P{n}" + "x" * 100_000, "payer") for n in range(500)]
    many = [(f"P{n}", "payer") for n in range(limits.MAX_PARTIES + 1)]
    for title, parties, field in (("Den", huge, "parties"), ("Den", many, "parties"),
                                  ("t" * (limits.MAX_TITLE + 1), [], "title")):
        with pytest.raises(cases.TooLarge, match=f"field '{field}"):
            cases.open_case(store, ana, title, parties)
    assert _count_cases(store, ana) == 0


def test_the_limits_themselves_are_accepted(store: Store, team: dict[str, Account]) -> None:
    ana = team["ana"]
    parties = [(f"P{n}".ljust(limits.MAX_PARTY_ID, "x"), "payer")
               for n in range(limits.MAX_PARTIES)]
    view = cases.open_case(store, ana, "t" * limits.MAX_TITLE, parties)
    assert len(view.parties) == limits.MAX_PARTIES
    noted = cases.add_note(store, ana, view.id, "n" * limits.MAX_NOTE)
    assert len(noted.notes[0].text) == limits.MAX_NOTE


def test_notes_transactions_and_added_parties_are_bounded(
    store: Store, team: dict[str, Account]
) -> None:
    ana = team["ana"]
    case_id = cases.open_case(store, ana, "Den").id
    with pytest.raises(cases.TooLarge, match="field 'text'"):
        cases.add_note(store, ana, case_id, "n" * (limits.MAX_NOTE + 1))
    with pytest.raises(cases.TooLarge, match="field 'txn_ids'"):
        cases.add_transactions(store, ana, case_id,
                               [f"T{n}" for n in range(limits.MAX_TXNS + 1)])
    with pytest.raises(cases.TooLarge, match="field 'txn_ids', entry 1"):
        cases.add_transactions(store, ana, case_id, ["T1", "T" * 129])
    with pytest.raises(cases.TooLarge, match="field 'parties', entry 0"):
        cases.add_parties(store, ana, case_id, [("P" * 129, "payer")])
    with pytest.raises(cases.TooLarge, match="field 'reason'"):
        cases.close_case(store, ana, case_id, "r" * (limits.MAX_REASON + 1))
    view = cases.get_case(store, ana, case_id)
    assert (view.notes, view.txn_ids, view.parties, view.status) == ([], [], [], "open")


def test_party_ids_must_exist_in_the_workspace_data(
    store: Store, team: dict[str, Account]
) -> None:
    ana, directory = team["ana"], Directory("P1", "F1")
    with pytest.raises(cases.UnknownParties, match="P404, P405") as refused:
        cases.open_case(store, ana, "Den", [("P1", "payer"), ("P404", "payer"),
                                            ("P405", "payer")], directory=directory)
    assert refused.value.party_ids == ["P404", "P405"]
    assert _count_cases(store, ana) == 0
    view = cases.open_case(store, ana, "Den", [("P1", "payer"), ("F1", "facilitator")],
                           directory=directory)
    with pytest.raises(cases.UnknownParties):
        cases.add_parties(store, ana, view.id, [("P9", "payer")], directory=directory)
    assert cases.get_case(store, ana, view.id).parties == [("F1", "facilitator"),
                                                           ("P1", "payer")]

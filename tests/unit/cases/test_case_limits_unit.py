"""The input checks of ``dentrace.cases.limits`` on their own: ids, texts, lists, party ids."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dentrace import cases
from dentrace.cases import limits


@pytest.mark.parametrize("number", [0, -1, 2**63, 2**64])
def test_ids_outside_the_row_id_range_are_not_found(number: int) -> None:
    with pytest.raises(cases.NotFound, match=f"no case {number}"):
        limits.existing_id(number, "case")


def test_the_row_id_range_ends_at_sqlite_and_bigint_max() -> None:
    assert limits.existing_id(2**63 - 1, "case") == 2**63 - 1


def test_texts_are_stripped_and_bounded_naming_the_field() -> None:
    assert limits.text_within("  hi  ", "title", 2) == "hi"
    with pytest.raises(cases.TooLarge, match="field 'title': 3 characters, at most 2"):
        limits.text_within("abc", "title", 2)


def test_an_endless_party_list_is_refused_without_reading_it_all() -> None:
    read = 0

    def endless() -> Iterator[tuple[str, str]]:
        nonlocal read
        while True:
            read += 1
            yield (f"P{read}", "payer")

    with pytest.raises(cases.TooLarge, match="field 'parties'"):
        limits.checked_parties(endless())
    assert read == limits.MAX_PARTIES + 1


@pytest.mark.parametrize(("pair", "why"), [
    (("", "payer"), "entry 0: the party id is empty"),
    (("P1", "boss"), "entry 0: role must be one of payer, facilitator"),
    (("P" * (limits.MAX_PARTY_ID + 1), "payer"), "entry 0: 129 characters"),
])
def test_bad_party_entries_are_named(pair: tuple[str, str], why: str) -> None:
    with pytest.raises(cases.InvalidCaseInput, match=why):
        limits.checked_parties([pair])


def test_unknown_parties_are_listed_once_each() -> None:
    class Directory:
        def is_known_party(self, party_id: str) -> bool:
            return party_id == "P1"

    with pytest.raises(cases.UnknownParties) as refused:
        limits.checked_parties([("P1", "payer"), ("X", "payer"), ("X", "facilitator"),
                                ("Y", "payer")], Directory())
    assert refused.value.party_ids == ["X", "Y"]
    assert "2 unknown party id(s)" in str(refused.value)

"""The case status machine as data: every status known, ends terminal, all reachable."""

from __future__ import annotations

from dentrace import cases


def test_every_status_has_its_transitions() -> None:
    assert set(cases.TRANSITIONS) == set(cases.STATUSES)
    for targets in cases.TRANSITIONS.values():
        assert targets <= set(cases.STATUSES)


def test_reported_and_closed_are_final() -> None:
    assert cases.TRANSITIONS[cases.REPORTED] == frozenset()
    assert cases.TRANSITIONS[cases.CLOSED] == frozenset()


def test_report_only_through_pending_approval() -> None:
    sources = {s for s, targets in cases.TRANSITIONS.items() if cases.REPORTED in targets}
    assert sources == {cases.PENDING}


def test_every_status_is_reachable_from_open() -> None:
    seen, frontier = {cases.OPEN}, [cases.OPEN]
    while frontier:
        for nxt in cases.TRANSITIONS[frontier.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    assert seen == set(cases.STATUSES)

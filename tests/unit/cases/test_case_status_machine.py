"""The case status machine as data: every status known, ends terminal, all reachable, each move
guarded by a real permission, four eyes on every decision about a pending case."""

from __future__ import annotations

from dentrace import cases
from dentrace.auth import ACTIONS


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


def test_every_move_needs_a_known_permission_and_pending_decisions_keep_four_eyes() -> None:
    for (source, target), move in cases.MOVES.items():
        assert (move.source, move.target) == (source, target)
        assert move.permission in ACTIONS
        assert move.four_eyes == (source == cases.PENDING), move
        assert move.needs_reason == (target == cases.CLOSED or move.action == "send_back")
    decisions = {m.permission for m in cases.MOVES.values() if m.source == cases.PENDING}
    assert decisions == {"approve_report"}


def test_transitions_are_derived_from_the_moves() -> None:
    assert {(s, t) for s, targets in cases.TRANSITIONS.items() for t in targets} == set(
        cases.MOVES)

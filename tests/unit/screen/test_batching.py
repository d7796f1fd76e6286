"""Micro-batched screening decides exactly as screening one payment at a time: same scores,
decisions, reasons and payer-suspicion columns; a bad payment fails alone; the asyncio batcher
groups concurrent requests and logs every decision."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from dentrace.errors import InputError
from dentrace.screen import ScreeningLog, contract_payment, empty_screener, read_log
from dentrace.screen.batching import ScreeningBatcher
from dentrace.screen.scoring import SINGLE_ROWS
from dentrace.state.features import facilitator_vector
from tests.unit.screen.hand_made import collector_traffic, family_remitter, offender


def _payments() -> list[dict[str, Any]]:
    rows = collector_traffic() + offender() + family_remitter()
    rows.sort(key=lambda r: str(r["ts"]))
    return [contract_payment(r) for r in rows]


def _without_time(outcome: Any) -> Any:
    if isinstance(outcome, dict):
        return {k: v for k, v in outcome.items() if k != "elapsed_ms"}
    return type(outcome)


@pytest.mark.parametrize("scorer", ["rules", "auto"])
def test_batches_decide_as_one_by_one(scorer: str) -> None:
    payments = _payments()
    bad = {**payments[5], "currency": "XXX"}
    payments.insert(5, bad)
    one = empty_screener(scorer=scorer)
    single = []
    for p in payments:
        try:
            single.append(one.screen(p))
        except InputError as error:
            single.append(error)
    many = empty_screener(scorer=scorer)
    batched = []
    for start in range(0, len(payments), 7):
        batched.extend(many.screen_many(payments[start:start + 7]))
    assert isinstance(batched[5], InputError) and "currency" in str(batched[5])
    assert [_without_time(o) for o in batched] == [_without_time(o) for o in single]
    assert one.graph.payer_scores == pytest.approx(many.graph.payer_scores, abs=0)


def test_payer_suspicion_follows_the_payer_scores() -> None:
    screener = empty_screener(scorer="rules")
    decisions = screener.screen_many(_payments())
    last_payer_score = {d["payer"]["party_id"]: d["payer"]["score"] for d in decisions
                        if isinstance(d, dict)}
    for payer_id, score in last_payer_score.items():
        assert screener.graph.payer_scores[payer_id] == pytest.approx(score, abs=1e-6)
    row = facilitator_vector(screener.state, "COLLECTOR0", screener.graph)
    payers = [s for s, pair in screener.state.beneficiaries["COLLECTOR0"].pairs.items()
              if pair.corridor]
    scores = [screener.graph.payer_scores[p] for p in payers]
    assert len(payers) == 6
    assert row["payers_score_sum"] == pytest.approx(sum(scores))
    assert row["payers_score_max"] == max(scores)
    assert row["payers_score_mean"] == pytest.approx(sum(scores) / 6)


def test_batcher_groups_concurrent_requests(tmp_path: Path) -> None:
    payments = _payments()
    log = ScreeningLog(tmp_path / "screening.jsonl")
    batcher = ScreeningBatcher(empty_screener(scorer="rules"), log, max_batch=16)

    async def all_at_once() -> list[Any]:
        tasks = [batcher.screen(p, "svc", "127.0.0.1") for p in payments]
        tasks.append(batcher.screen({**payments[0], "currency": "XXX"}, "svc", "127.0.0.1"))
        return await asyncio.gather(*tasks, return_exceptions=True)

    answers = asyncio.run(all_at_once())
    log.close()
    assert isinstance(answers[-1], InputError)
    expected = empty_screener(scorer="rules").screen_many(payments)
    assert [_without_time(a) for a in answers[:-1]] == [_without_time(e) for e in expected]
    assert batcher.screened == len(payments) + 1
    assert batcher.batches == -(-batcher.screened // 16)  # full batches: one drain each
    logged = read_log(tmp_path / "screening.jsonl")
    assert [e["txn_id"] for e in logged] == [p["txn_id"] for p in payments]
    assert {e["actor"] for e in logged} == {"svc"}


def test_kept_totals_equal_a_fresh_computation() -> None:
    """The screener's running pair totals give the rows a full pass over the pairs gives, also
    after payments folded into the state behind its back."""
    screener = empty_screener(scorer="rules")
    payments = _payments()
    screener.screen_many(payments[:-10])
    for p in payments[-10:]:  # folded without the screener: its totals must notice
        screener.state.add(screener.flagger.flag(p, p["ts"], screener.amount_ref(p)))
    assert screener.cache is not None
    for beneficiary_id in screener.state.beneficiaries:
        kept = facilitator_vector(screener.state, beneficiary_id, screener.graph,
                                  cache=screener.cache)
        fresh = facilitator_vector(screener.state, beneficiary_id, screener.graph)
        assert kept == pytest.approx(fresh, nan_ok=True)


def test_kept_predictor_gives_the_booster_scores() -> None:
    """Row by row (LightGBM's single-row fast path, up to SINGLE_ROWS rows) and the kept
    predictor (more rows) both give ``Booster.predict``'s probabilities, NaN included."""
    scorer = empty_screener(scorer="auto").scorers["facilitator"]
    assert scorer.shipped is not None and scorer.predict is not None
    assert scorer.predict.single is not None  # this LightGBM has the fast path: it is tested
    values = np.random.default_rng(3).gamma(1.0, 5.0, (SINGLE_ROWS + 9,
                                                       len(scorer.shipped.feature_names_)))
    values[::4, ::3] = np.nan
    expected = scorer.shipped.booster_.predict(values, num_threads=1)
    for rows in (1, 9, SINGLE_ROWS + 9):
        np.testing.assert_allclose(scorer.predict(values[:rows]), expected[:rows], rtol=0,
                                   atol=1e-12)
    with pytest.raises(ValueError, match="columns"):
        scorer.predict(values[:1, 1:])


def test_batcher_refuses_beyond_its_queue(tmp_path: Path) -> None:
    payments = _payments()[:5]
    log = ScreeningLog(tmp_path / "screening.jsonl")
    batcher = ScreeningBatcher(empty_screener(scorer="rules"), log, max_waiting=3)

    async def all_at_once() -> list[Any]:
        return await asyncio.gather(*(batcher.screen(p, "svc", "x") for p in payments),
                                    return_exceptions=True)

    answers = asyncio.run(all_at_once())
    log.close()
    assert [type(a).__name__ for a in answers] == ["dict"] * 3 + ["ScreeningOverloaded"] * 2
    assert len(read_log(tmp_path / "screening.jsonl")) == 3


def test_a_busy_batcher_waits_for_more_payments(tmp_path: Path) -> None:
    """Right after a drain, a lone payment waits (here up to 5 s) until MIN_BATCH have come."""
    payments = _payments()[:6]
    log = ScreeningLog(tmp_path / "screening.jsonl")
    batcher = ScreeningBatcher(empty_screener(scorer="rules"), log, linger=5.0)

    async def trickle() -> list[Any]:
        first = await batcher.screen(payments[0], "svc", "x")  # idle: drained at once
        tasks = []
        for p in payments[1:5]:  # busy: one loop turn apart, yet one batch
            tasks.append(asyncio.ensure_future(batcher.screen(p, "svc", "x")))
            await asyncio.sleep(0)
        return [first, *await asyncio.gather(*tasks)]

    started = time.perf_counter()
    answers = asyncio.run(trickle())
    log.close()
    assert [a["txn_id"] for a in answers] == [p["txn_id"] for p in payments[:5]]
    assert batcher.batches == 2 and time.perf_counter() - started < 4.0


def test_co_payer_columns_equal_the_batch_definition() -> None:
    from dentrace.detect.payer_suspicion import co_payer_suspicion as batch_columns
    from dentrace.state.features import co_payer_suspicion

    screener = empty_screener(scorer="rules")
    screener.screen_many(_payments())
    state, scores = screener.state, screener.graph.payer_scores
    pairs = pd.DataFrame([(b, s) for b, ben in state.beneficiaries.items()
                          for s, pair in ben.pairs.items() if pair.n_corridor],
                         columns=["beneficiary_id", "sender_id"])
    expected = batch_columns(pairs, pd.Series(scores, dtype="float64"))
    assert len(expected) >= 6
    for payer_id, row in expected.iterrows():
        found = co_payer_suspicion(state, str(payer_id), scores)
        assert found["co_payers_score_max"] == pytest.approx(row["co_payers_score_max"])
        assert found["co_payers_score_mean"] == pytest.approx(row["co_payers_score_mean"])
    assert expected["co_payers_score_max"].max() > 0

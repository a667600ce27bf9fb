"""Erlang A searches and staffing plans that cannot be paid for are refused before the work."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import csflow.staffing.erlang as erlang_module
from csflow.errors import ConfigError
from csflow.staffing import agents_for_service_level_a, erlang_a, staffing_plan

AHT = timedelta(minutes=3)
TARGET = timedelta(seconds=20)
T0 = datetime(2026, 3, 19, tzinfo=UTC)
HALF = timedelta(minutes=30)


def counting(monkeypatch: pytest.MonkeyPatch, name: str) -> list[int]:
    """Count the calls of the erlang module's function *name*."""
    calls = [0]
    inner = getattr(erlang_module, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return inner(*args, **kwargs)

    monkeypatch.setattr(erlang_module, name, counted)
    return calls


@pytest.mark.parametrize("patience", [1500, 100])
def test_a_search_too_long_is_refused_after_its_first_probe(
    monkeypatch: pytest.MonkeyPatch, patience: int
) -> None:
    # 10 million Erlangs: the load's own agents meet 80 % in 20 s, so the answer lies below
    # the load, where each of the ~23 probes of the bisection sums millions of terms.  Only the
    # first probe (two series) runs; before, the search ran until its budget was spent
    # (eight series at a patience of 1,500 handle times, twenty-six at 100).
    series = counting(monkeypatch, "_kummer")
    with pytest.raises(ConfigError) as caught:
        agents_for_service_level_a(1e7, AHT, TARGET, 0.8, patience * AHT)
    message = str(caught.value)
    assert f"Erlang A on 1e+07 Erlangs with a patience of {patience} handle times" in message
    assert "more than 15,000,000 series terms" in message
    assert series[0] <= 2


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    st.floats(1.0, 3000.0),
    st.floats(0.01, 200.0),
    st.one_of(st.just(0.0), st.floats(1e-4, 5.0)),
    st.floats(0.05, 1.6),
)
def test_a_probe_takes_at_least_its_floor(a: float, p: float, tp: float, share: float) -> None:
    n = max(1, int(a * share))
    work = erlang_module._Work(10**9, "probing")
    erlang_module._erlang_a_core(n, a, p, tp, work)
    assert erlang_module._probe_floor(n, a, p, tp) <= 10**9 - work.left


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    st.floats(1.0, 2000.0),
    st.floats(0.01, 100.0),
    st.one_of(st.just(0.0), st.floats(1e-3, 3.0)),
    st.floats(0.05, 0.99),
)
def test_a_search_takes_at_least_its_floor_and_finds_the_fewest_agents(
    a: float, p: float, tp: float, level: float
) -> None:
    work = erlang_module._Work(10**9, "searching")
    n = erlang_module._fewest_a(a, p, tp, level, work)
    assert erlang_module._search_floor(a, p, tp) <= 10**9 - work.left
    # The answer is unchanged: the fewest agents that meet the level (by erlang_a itself).
    patience = p * AHT
    target = tp * patience

    def meets(k: int) -> bool:
        sl = erlang_a(k, a, AHT, patience, target).service_level
        return sl is not None and sl >= level

    assert meets(n)
    assert n == 1 or not meets(n - 1)
    hi = int(a)
    if meets(hi):
        # The way down (a bisection from the load) takes at least its floor, too.
        down = erlang_module._Work(10**9, "bisecting")
        lo = 0
        while hi - lo > 1:
            mid = (lo + hi) // 2
            sl = erlang_module._erlang_a_core(mid, a, p, tp, down)[5]
            lo, hi = (lo, mid) if sl is not None and sl >= level else (mid, hi)
        assert erlang_module._bisection_floor(a, p, tp, int(a)) <= 10**9 - down.left


def test_an_erlang_a_plan_beyond_its_budget_is_refused_before_any_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(erlang_module, "_PLAN_TERMS", 200_000)
    searches = counting(monkeypatch, "_fewest_a")
    intervals = [(T0 + k * HALF, HALF, 20_000) for k in range(400)]  # 2,000 Erlangs each
    with pytest.raises(ConfigError) as caught:
        staffing_plan(intervals, AHT, TARGET, 0.8, patience=AHT)
    assert searches[0] == 0
    # Named: the first interval whose floor takes the sum past the budget.
    floor = erlang_module._search_floor(2000.0, 1.0, TARGET / AHT)
    assert floor > 0
    assert caught.value.path == f"intervals[{200_000 // floor}]"
    assert "Erlang A on 2000 Erlangs with a patience of 1 handle times is refused" in str(
        caught.value
    )
    assert "the plan's intervals together would take more than 200,000 series terms" in str(
        caught.value
    )


def test_an_erlang_c_plan_beyond_its_budget_is_refused_before_any_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(erlang_module, "_PLAN_TERMS", 1_000_000)
    searches = counting(monkeypatch, "_fewest_c")
    load = 1e7
    floor = erlang_module._walk_steps(int(load), load) // erlang_module._STEPS_PER_TERM
    assert floor == math.ceil(0.5 + math.sqrt(0.25 + 1e7 * (61 + math.log(1e7)))) // 2
    intervals = [(T0 + k * HALF, HALF, 1e8) for k in range(300)]  # 1e7 Erlangs each
    with pytest.raises(ConfigError) as caught:
        staffing_plan(intervals, AHT, TARGET, 0.8)
    assert searches[0] == 0
    assert caught.value.path == f"intervals[{1_000_000 // floor}]"
    assert "Erlang C on 1e+07 Erlangs is refused" in str(caught.value)


def test_a_plan_within_its_floors_is_worked_out_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    # The floors only refuse what is certain to run out: a plan that fits is computed, row by
    # row as the public functions give them.
    intervals = [(T0 + k * HALF, HALF, 100 + 40 * k) for k in range(6)]
    plan = staffing_plan(intervals, AHT, TARGET, 0.8, patience=2 * AHT)
    for row in plan.intervals:
        assert row.agents == agents_for_service_level_a(row.load, AHT, TARGET, 0.8, 2 * AHT)

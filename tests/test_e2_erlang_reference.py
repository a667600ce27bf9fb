"""Erlang B, C and A, the fewest agents and a plan's heads against textbook references.

The references are written from the textbook formulas, not from csflow's code:

* Erlang B by the stable recursion ``B(k) = a B(k-1) / (k + a B(k-1))``, ``B(0) = 1``;
* Erlang C as ``n B / (n - a (1 - B))``, the service level ``1 - C exp(-(n - a) t / AHT)`` and
  the ASA ``C AHT / (n - a)``;
* the fewest agents for a service level by trying ``floor(a) + 1, floor(a) + 2, ...``;
* Erlang A (M/M/n+M) as the birth-death chain itself, solved numerically: ``pi[k]`` by the
  balance equations, P(wait) by PASTA, P(abandon) as ``theta E[queue] / lambda``, and a
  waiting customer with ``j`` ahead answered after ``j + 1`` stages whose exit rates are
  ``n mu + (i + 1) theta`` (``i`` ahead), each passed with probability
  ``(n mu + i theta) / (n mu + (i + 1) theta)``; the chance of being answered within ``t`` is
  then that product times the stages' total time being at most ``t`` (by uniformization).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.staffing import (
    agents_for_service_level,
    agents_for_service_level_a,
    average_speed_of_answer,
    erlang_a,
    erlang_b,
    erlang_c,
    occupancy,
    service_level,
    staffing_plan,
)

S = timedelta(seconds=1)


def ref_b(n: int, a: float) -> float:
    if a == 0:
        return 0.0  # nothing arrives, nothing is blocked (as documented)
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


def ref_c(n: int, a: float) -> float:
    if a == 0:
        return 0.0
    if n <= a:
        return 1.0
    b = ref_b(n, a)
    return n * b / (n - a * (1 - b))


def ref_sl(n: int, a: float, aht: float, t: float) -> float:
    if a == 0:
        return 1.0
    if n <= a:
        return 0.0
    return 1 - ref_c(n, a) * math.exp(-(n - a) * t / aht)


def ref_agents(a: float, aht: float, t: float, level: float) -> int:
    if a == 0:
        return 0
    n = math.floor(a) + 1
    while ref_sl(n, a, aht, t) < level:
        n += 1
    return n


def ref_erlang_a(
    n: int, a: float, aht: float, patience: float, t: float
) -> tuple[float, float, float, float]:
    """``(P(wait), P(abandon), ASA of the answered, service level within t)``."""
    lam, mu, theta = a / aht, 1 / aht, 1 / patience
    logw = [0.0]
    for k in range(1, n + 1):
        logw.append(logw[-1] + math.log(lam / (k * mu)))
    j = 0
    while True:
        j += 1
        logw.append(logw[-1] + math.log(lam / (n * mu + j * theta)))
        if j > 50 and logw[-1] < max(logw) - 60:
            break
    top = max(logw)
    weights = [math.exp(x - top) for x in logw]
    total = sum(weights)
    pi = [w / total for w in weights]
    pw = sum(pi[n:])
    pab = theta * sum((k - n) * pi[k] for k in range(n, len(pi))) / lam
    ahead = len(pi) - n
    answered, answered_time = [], []
    p, mean = 1.0, 0.0
    for i in range(ahead):
        rate = n * mu + (i + 1) * theta
        p *= (n * mu + i * theta) / rate
        mean += 1 / rate
        answered.append(p)
        answered_time.append(p * mean)
    asa = sum(pi[n + j] * answered_time[j] for j in range(ahead)) / (1 - pab)
    # P(the stages from j ahead take at most t), by uniformization of the stage chain.
    rates = [n * mu + (i + 1) * theta for i in range(ahead)]
    top_rate = max(rates)
    lt = top_rate * t
    done = [0.0] * ahead
    within = [0.0] * ahead
    log_poisson = -lt
    for m in range(int(lt + 40 * math.sqrt(lt + 1) + 50) + 1):
        weight = math.exp(log_poisson)
        for i in range(ahead):
            within[i] += weight * done[i]
        done = [
            (rates[i] / top_rate) * (1.0 if i == 0 else done[i - 1])
            + (1 - rates[i] / top_rate) * done[i]
            for i in range(ahead)
        ]
        if lt == 0:
            break
        log_poisson += math.log(lt) - math.log(m + 1)
    sl = (1 - pw) + sum(pi[n + j] * answered[j] * within[j] for j in range(ahead))
    return pw, pab, asa, sl


loads = st.one_of(st.floats(0.0, 5.0), st.floats(0.0, 200.0), st.floats(0.0, 2000.0), st.just(0.0))


@settings(max_examples=200)
@given(loads, st.integers(0, 3200), st.integers(5, 900), st.integers(0, 300))
def test_erlang_b_c_service_level_asa_and_occupancy_match_the_textbook(
    a: float, n: int, aht: int, t: int
) -> None:
    b, c = erlang_b(n, a), erlang_c(n, a)
    want_b, want_c = ref_b(n, a), ref_c(n, a)
    assert math.isclose(b, want_b, rel_tol=1e-11, abs_tol=1e-290)
    assert math.isclose(c, want_c, rel_tol=1e-11, abs_tol=1e-290)
    assert b <= c
    assert math.isclose(
        service_level(n, a, aht * S, t * S), ref_sl(n, a, aht, t), rel_tol=0, abs_tol=1e-12
    )
    if a > 0 and n > a:
        want = ref_c(n, a) * aht / (n - a)
        got = average_speed_of_answer(n, a, aht * S).total_seconds()
        assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-6)
        assert occupancy(n, a) == a / n
    elif a > 0:
        assert occupancy(n, a) == 1.0


@settings(max_examples=150)
@given(
    st.floats(0.0, 400.0),
    st.integers(5, 900),
    st.integers(0, 300),
    st.one_of(st.sampled_from([0.5, 0.8, 0.9, 0.95]), st.floats(0.01, 0.99)),
)
def test_the_fewest_agents_are_the_first_that_reach_the_level(
    a: float, aht: int, t: int, level: float
) -> None:
    assert agents_for_service_level(a, aht * S, t * S, level) == ref_agents(a, aht, t, level)


def test_the_classic_table_100_calls_in_half_an_hour_at_180_seconds_needs_14_agents() -> None:
    load = 100 * 180 / 1800  # 10 Erlangs
    assert agents_for_service_level(load, 180 * S, 20 * S, 0.8) == 14
    # By hand from the recursion: B(14, 10) = 0.05682..., C = 0.17413..., SL = 0.88835...
    assert math.isclose(erlang_b(14, 10.0), 0.0568191, rel_tol=1e-5)
    assert math.isclose(erlang_c(14, 10.0), 0.1741319, rel_tol=1e-6)
    assert math.isclose(service_level(14, 10.0, 180 * S, 20 * S), 0.8883500, rel_tol=1e-6)
    assert service_level(13, 10.0, 180 * S, 20 * S) < 0.8
    assert math.isclose(
        average_speed_of_answer(14, 10.0, 180 * S).total_seconds(), 7.835937, rel_tol=1e-6
    )


def test_ten_thousand_erlangs_are_staffed_finitely() -> None:
    n = agents_for_service_level(10_000.0, 180 * S, 20 * S, 0.8)
    assert n == ref_agents(10_000.0, 180, 20, 0.8)
    assert 0.8 <= service_level(n, 10_000.0, 180 * S, 20 * S) < 1.0
    assert 0.0 < erlang_c(n, 10_000.0) < 1.0
    assert n == 10_013


@settings(max_examples=40)
@given(
    st.floats(0.05, 25.0),
    st.integers(0, 40),
    st.integers(30, 600),
    st.integers(5, 3000),
    st.integers(0, 90),
)
def test_erlang_a_matches_the_birth_death_chain(
    a: float, extra: int, aht: int, patience: int, t: int
) -> None:
    n = max(1, int(a * 0.7) + extra)
    res = erlang_a(n, a, aht * S, patience * S, t * S)
    pw, pab, asa, sl = ref_erlang_a(n, a, aht, patience, t)
    assert math.isclose(res.probability_of_waiting, pw, rel_tol=0, abs_tol=1e-12)
    assert math.isclose(res.probability_of_abandonment, pab, rel_tol=0, abs_tol=1e-12)
    assert math.isclose(
        res.average_speed_of_answer.total_seconds(), asa, rel_tol=1e-9, abs_tol=2e-6
    )
    assert res.service_level is not None
    assert math.isclose(res.service_level, sl, rel_tol=0, abs_tol=1e-10)


@settings(max_examples=15)
@given(
    st.floats(0.1, 12.0),
    st.integers(30, 600),
    st.integers(10, 900),
    st.integers(0, 60),
    st.sampled_from([0.5, 0.8, 0.9]),
)
def test_the_fewest_erlang_a_agents_are_the_first_that_reach_the_level(
    a: float, aht: int, patience: int, t: int, level: float
) -> None:
    n = 1
    while ref_erlang_a(n, a, aht, patience, t)[3] < level:
        n += 1
    assert agents_for_service_level_a(a, aht * S, t * S, level, patience * S) == n


def test_erlang_a_approaches_erlang_c_as_patience_grows() -> None:
    last = math.inf
    for patience in (1e3, 1e5, 1e7, 1e9):
        res = erlang_a(14, 10.0, 180 * S, patience * S, 20 * S)
        gap = abs(res.probability_of_waiting - erlang_c(14, 10.0))
        assert gap < last
        last = gap
    assert last < 1e-7
    assert res.service_level is not None
    assert math.isclose(res.service_level, service_level(14, 10.0, 180 * S, 20 * S), abs_tol=1e-7)


@settings(max_examples=100)
@given(
    st.integers(0, 400),
    st.sampled_from(["0", "0.1", "0.2", "0.25", "0.3", "0.35", "0.5", "0.9", "0.999999"]),
)
def test_scheduled_heads_are_agents_over_the_time_left_rounded_up(
    arrivals: int, shrinkage: str
) -> None:
    start = datetime(2026, 3, 16, 9, tzinfo=UTC)
    plan = staffing_plan(
        [(start, timedelta(minutes=30), arrivals)],
        180 * S,
        20 * S,
        0.8,
        shrinkage=float(shrinkage),
    )
    (row,) = plan.intervals
    assert row.agents == ref_agents(arrivals * 180 / 1800, 180, 20, 0.8)
    assert row.scheduled_heads == math.ceil(Fraction(row.agents) / (1 - Fraction(shrinkage)))

"""Erlang B / C: laws, agreement with independent naive formulas, edge cases and validation."""

from __future__ import annotations

import doctest
import math
from datetime import timedelta
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

import csflow.staffing.erlang
import csflow.staffing.plan
import csflow.staffing.roster
from csflow.errors import ConfigError, CsflowError
from csflow.staffing import (
    agents_for_service_level,
    average_speed_of_answer,
    erlang_b,
    erlang_c,
    occupancy,
    service_level,
)

# --------------------------------------------------------------------------------------------
# independent references: the textbook formulas with factorials, in exact rationals


def naive_erlang_b(n: int, a: Fraction) -> Fraction:
    terms = [a**k / math.factorial(k) for k in range(n + 1)]
    return terms[-1] / sum(terms)


def naive_erlang_c(n: int, a: Fraction) -> Fraction:
    top = a**n / math.factorial(n) * n / (n - a)
    return top / (sum(a**k / math.factorial(k) for k in range(n)) + top)


def naive_service_level(n: int, a: float, aht: timedelta, target: timedelta) -> float:
    c = float(naive_erlang_c(n, Fraction(a)))
    return 1.0 - c * math.exp(-(n - a) * target.total_seconds() / aht.total_seconds())


def decimal_erlang_b(n: int, a: float) -> Decimal:
    """Erlang B from the Poisson terms a^k/k!, summed in 40-digit decimals (no recurrence)."""
    with localcontext() as ctx:
        ctx.prec = 40
        big_a = Decimal(a)
        term = Decimal(1)
        total = Decimal(1)
        for k in range(1, n + 1):
            term = term * big_a / k
            total += term
        return term / total


def decimal_erlang_c(n: int, a: float) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 40
        b = decimal_erlang_b(n, a)
        big_a = Decimal(a)
        return n * b / (n - big_a * (1 - b))


def bad(value: object) -> Any:
    """Pass a deliberately ill-typed argument past the type checker."""
    return value


def close(x: float, y: float, rel: float = 1e-12, abs_: float = 1e-15) -> bool:
    return math.isclose(x, y, rel_tol=rel, abs_tol=abs_)


MIN = timedelta(minutes=1)
SEC = timedelta(seconds=1)

small_agents = st.integers(min_value=1, max_value=60)
loads = st.floats(min_value=0.01, max_value=60.0, allow_nan=False, allow_infinity=False)
ahts = st.integers(min_value=1, max_value=3600).map(lambda s: timedelta(seconds=s))
targets = st.integers(min_value=0, max_value=600).map(lambda s: timedelta(seconds=s))
levels = st.floats(min_value=0.01, max_value=0.999)


# --------------------------------------------------------------------------------------------
# agreement with the naive formulas


@given(small_agents, loads)
@settings(max_examples=150)
def test_erlang_b_matches_the_factorial_formula(n: int, a: float) -> None:
    assert close(erlang_b(n, a), float(naive_erlang_b(n, Fraction(a))))


@given(small_agents, loads)
@settings(max_examples=150)
def test_erlang_c_matches_the_factorial_formula(n: int, a: float) -> None:
    assume(n > a)
    assert close(erlang_c(n, a), float(naive_erlang_c(n, Fraction(a))))


@given(small_agents, loads, ahts, targets)
@settings(max_examples=150)
def test_service_level_and_asa_match_the_factorial_formula(
    n: int, a: float, aht: timedelta, target: timedelta
) -> None:
    assume(n > a)
    assert close(service_level(n, a, aht, target), naive_service_level(n, a, aht, target))
    c = float(naive_erlang_c(n, Fraction(a)))
    asa = average_speed_of_answer(n, a, aht).total_seconds()
    assert math.isclose(asa, c * aht.total_seconds() / (n - a), rel_tol=1e-12, abs_tol=1e-6)


@pytest.mark.parametrize(
    ("n", "a"), [(65, 64.5), (100, 99.0), (181, 180.0), (200, 180.0), (300, 280.7), (150, 100.0)]
)
def test_the_truncated_walk_matches_the_exact_formula_above_64_agents(n: int, a: float) -> None:
    # Above 64 the Erlang B walk starts below floor(load) from a bracket; check it exactly.
    assert close(erlang_b(n, a), float(naive_erlang_b(n, Fraction(a))))
    assert close(erlang_c(n, a), float(naive_erlang_c(n, Fraction(a))))
    m = int(a)
    assert close(erlang_b(m, a), float(naive_erlang_b(m, Fraction(a))))


@given(st.integers(min_value=65, max_value=2000), st.floats(min_value=0.0, max_value=1.0))
@settings(max_examples=40)
def test_erlang_b_at_and_below_the_load_matches_the_poisson_sum(m: int, frac: float) -> None:
    a = m + frac
    b = erlang_b(m, a)
    assert close(b, float(decimal_erlang_b(m, a)), rel=1e-13)


# --------------------------------------------------------------------------------------------
# laws


@given(st.integers(min_value=0, max_value=400), st.floats(min_value=0.0, max_value=400.0))
def test_probabilities_are_probabilities(n: int, a: float) -> None:
    for value in (erlang_b(n, a), erlang_c(n, a), occupancy(n, a)):
        assert 0.0 <= value <= 1.0
    assert 0.0 <= service_level(n, a, 3 * MIN, 20 * SEC) <= 1.0
    if n > a > 0:
        assert erlang_b(n, a) <= erlang_c(n, a)


def test_erlang_b_is_at_most_erlang_c_at_a_load_of_one_ulp() -> None:
    # Found by CI: n - a rounds to n, and C = n / (n/B + a) landed one ulp below B = 1/(1/B).
    a = 2.220446049250313e-16
    assert erlang_b(3, a) <= erlang_c(3, a)
    assert erlang_b(3, a) == erlang_c(3, a)  # equal to the last bit: C - B is far below an ulp


# Loads where rounding is at its worst: subnormal, tiny, around one, and huge.
extreme_loads = st.one_of(
    st.floats(min_value=0.0, max_value=2.2250738585072014e-308),  # zero and subnormals
    st.floats(min_value=1e-300, max_value=1e-6),
    st.floats(min_value=1e-6, max_value=4.0),
    st.floats(min_value=1e4, max_value=2e5),
)


@given(extreme_loads, st.integers(min_value=-60, max_value=400))
@example(2.220446049250313e-16, 3)
@settings(max_examples=200)
def test_erlang_b_never_exceeds_erlang_c(a: float, offset: int) -> None:
    # Agents from below the load (C = 1) to far above it (B and C underflow to 0).
    n = max(0, int(a) + offset)
    b, c = erlang_b(n, a), erlang_c(n, a)
    assert 0.0 <= b <= c <= 1.0


@given(st.integers(min_value=0, max_value=400), st.floats(min_value=0.0, max_value=400.0))
def test_erlang_c_falls_with_agents(n: int, a: float) -> None:
    assert erlang_c(n + 1, a) <= erlang_c(n, a)
    assert erlang_b(n + 1, a) <= erlang_b(n, a)


@given(
    st.integers(min_value=0, max_value=400),
    st.floats(min_value=0.0, max_value=400.0),
    st.floats(min_value=0.0, max_value=400.0),
)
def test_erlang_c_rises_with_load(n: int, a1: float, a2: float) -> None:
    lo, hi = sorted((a1, a2))
    assert erlang_c(n, lo) <= erlang_c(n, hi) + 1e-12
    assert erlang_b(n, lo) <= erlang_b(n, hi) + 1e-12


@given(st.integers(min_value=0, max_value=400), st.floats(0.0, 400.0), ahts, targets, targets)
def test_service_level_rises_with_agents_and_target(
    n: int, a: float, aht: timedelta, t1: timedelta, t2: timedelta
) -> None:
    lo, hi = sorted((t1, t2))
    assert service_level(n, a, aht, lo) <= service_level(n, a, aht, hi)
    assert service_level(n, a, aht, lo) <= service_level(n + 1, a, aht, lo)


@given(st.floats(min_value=0.001, max_value=2000.0), ahts, targets, levels)
def test_agents_for_service_level_is_the_fewest(
    a: float, aht: timedelta, target: timedelta, level: float
) -> None:
    n = agents_for_service_level(a, aht, target, level)
    assert n > a
    assert service_level(n, a, aht, target) >= level
    assert service_level(n - 1, a, aht, target) < level


@given(st.floats(min_value=0.01, max_value=60.0), ahts, targets, levels)
@settings(max_examples=100)
def test_agents_for_service_level_agrees_with_the_naive_formula(
    a: float, aht: timedelta, target: timedelta, level: float
) -> None:
    n = agents_for_service_level(a, aht, target, level)
    assume(n <= 61)
    # Far from the boundary, the exact answer and csflow's must agree (the margin allows for
    # float rounding when a service level sits within 1e-12 of the level).
    above = naive_service_level(n, a, aht, target)
    below = naive_service_level(n - 1, a, aht, target) if n - 1 > a else 0.0
    assert above >= level - 1e-12
    assert below < level + 1e-12


@given(st.integers(min_value=1, max_value=400), st.floats(0.01, 400.0), ahts)
def test_asa_falls_with_agents(n: int, a: float, aht: timedelta) -> None:
    assume(n > a)
    assert average_speed_of_answer(n + 1, a, aht) <= average_speed_of_answer(n, a, aht)


# --------------------------------------------------------------------------------------------
# unstable queues and zero load


@pytest.mark.parametrize(("n", "a"), [(0, 5.0), (10, 10.0), (10, 12.5), (180, 180.0)])
def test_an_unstable_queue_waits_always_and_answers_nothing_in_time(n: int, a: float) -> None:
    assert erlang_c(n, a) == 1.0
    assert service_level(n, a, 3 * MIN, 20 * SEC) == 0.0
    assert occupancy(n, a) == 1.0
    with pytest.raises(ConfigError, match=r"unstable with agents=\d+ <= load=.*Erlangs"):
        average_speed_of_answer(n, a, 3 * MIN)


def test_unstable_asa_error_is_a_csflow_error() -> None:
    with pytest.raises(CsflowError, match="average speed of answer is infinite"):
        average_speed_of_answer(9, 10.0, 3 * MIN)


@pytest.mark.parametrize("n", [0, 1, 50])
def test_zero_load_never_waits(n: int) -> None:
    assert erlang_b(n, 0.0) == 0.0
    assert erlang_c(n, 0) == 0.0
    assert service_level(n, 0.0, 3 * MIN, 20 * SEC) == 1.0
    assert average_speed_of_answer(n, 0.0, 3 * MIN) == timedelta(0)
    assert occupancy(n, 0.0) == 0.0
    assert agents_for_service_level(0.0, 3 * MIN, 20 * SEC, 0.8) == 0


def test_no_agents_block_everything() -> None:
    assert erlang_b(0, 3.0) == 1.0
    assert erlang_c(0, 3.0) == 1.0


def test_a_zero_target_counts_only_immediate_answers() -> None:
    assert service_level(14, 10.0, 3 * MIN, timedelta(0)) == pytest.approx(
        1.0 - erlang_c(14, 10.0), rel=1e-15
    )


# --------------------------------------------------------------------------------------------
# stability at thousands of agents


def test_stable_at_ten_thousand_agents() -> None:
    n, a = 10_000, 9_900.0
    c = erlang_c(n, a)
    assert 0.0 < c < 1.0
    assert close(c, float(decimal_erlang_c(n, a)), rel=1e-10)
    assert close(erlang_b(n, a), float(decimal_erlang_b(n, a)), rel=1e-10)
    sl = service_level(n, a, 3 * MIN, 20 * SEC)
    assert 0.0 < sl < 1.0
    asa = average_speed_of_answer(n, a, 3 * MIN)
    assert timedelta(0) < asa < timedelta(hours=1)
    needed = agents_for_service_level(a, 3 * MIN, 20 * SEC, 0.8)
    assert a < needed < 10_100
    assert (
        service_level(needed, a, 3 * MIN, 20 * SEC)
        >= 0.8
        > service_level(needed - 1, a, 3 * MIN, 20 * SEC)
    )


def test_stable_at_a_hundred_thousand_agents() -> None:
    n, a = 100_000, 99_500.0
    c = erlang_c(n, a)
    assert 0.0 < c < 1.0
    assert close(c, float(decimal_erlang_c(n, a)), rel=1e-9)
    # Far more agents than load: B underflows to exactly 0, never NaN.
    assert erlang_b(100_000, 50.0) == 0.0
    assert erlang_c(100_000, 50.0) == 0.0
    assert service_level(100_000, 50.0, 3 * MIN, 20 * SEC) == 1.0


@pytest.mark.parametrize(("n", "a"), [(170, 1.0), (242, 5.0), (360, 20.0), (500, 50.0)])
def test_erlang_c_does_not_underflow_below_erlang_b(n: int, a: float) -> None:
    # 1/B is finite but (n - a)/B overflows: C must stay a hair above B, not drop to 0.
    b = erlang_b(n, a)
    assert b > 0.0
    c = erlang_c(n, a)
    assert b <= c
    assert close(c, float(decimal_erlang_c(n, a)), rel=1e-9, abs_=0.0)


# --------------------------------------------------------------------------------------------
# worked examples


def test_textbook_example_100_calls_in_30_minutes() -> None:
    # 100 calls per 30 minutes, AHT 3 minutes: 10 Erlangs; 80 % answered within 20 s.
    load = 100 / 30 * 3
    assert load == pytest.approx(10.0)
    aht, target = 3 * MIN, 20 * SEC
    exact = [naive_service_level(n, 10.0, aht, target) for n in range(11, 16)]
    fewest = next(n for n, sl in zip(range(11, 16), exact, strict=True) if sl >= 0.8)
    assert fewest == 14  # 13 agents give 79.6 %, 14 give 88.8 %
    assert agents_for_service_level(10.0, aht, target, 0.8) == fewest
    assert service_level(13, 10.0, aht, target) == pytest.approx(exact[2], rel=1e-12)
    assert service_level(14, 10.0, aht, target) == pytest.approx(0.8884, abs=5e-5)
    assert average_speed_of_answer(14, 10.0, aht) == pytest.approx(
        timedelta(seconds=float(naive_erlang_c(14, Fraction(10))) * 180 / 4), abs=SEC / 1000
    )


def test_twelve_twelve_chat_peak() -> None:
    # 12.12 at 20:00 WIB: 1,500 chats in half an hour, 7 minutes each (one chat per agent
    # slot): 350 Erlangs; 90 % answered within 60 s.
    load = 1500 / 30 * 7
    aht, target = 7 * MIN, 60 * SEC
    n = agents_for_service_level(load, aht, target, 0.9)
    assert n == 361
    assert naive_service_level(n, load, aht, target) >= 0.9
    assert naive_service_level(n - 1, load, aht, target) < 0.9
    assert occupancy(n, load) == pytest.approx(350 / 361)


# --------------------------------------------------------------------------------------------
# validation


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda: erlang_c(-1, 2.0), r"'agents' must be a non-negative int, got -1"),
        (lambda: erlang_c(bad(2.0), 1.0), r"'agents' must be a non-negative int, got 2\.0"),
        (lambda: erlang_c(True, 1.0), r"'agents' must be a non-negative int, got True"),
        (lambda: erlang_b(3, -0.5), r"'load' must be a finite number >= 0, got -0\.5"),
        (lambda: erlang_b(3, math.nan), r"'load' must be a finite number >= 0, got nan"),
        (lambda: erlang_c(3, math.inf), r"'load' must be a finite number >= 0, got inf"),
        (lambda: erlang_c(3, bad("2")), r"'load' must be a finite number >= 0, got '2'"),
        (lambda: erlang_c(3, 2e7), r"'load' must be at most 1e\+07 Erlangs, got 20000000\.0"),
        (lambda: occupancy(3, bad(None)), r"'load' must be a finite number >= 0, got None"),
        (
            lambda: service_level(3, 1.0, bad(180), 20 * SEC),
            r"'aht' must be a datetime\.timedelta, got 180",
        ),
        (
            lambda: service_level(3, 1.0, timedelta(0), 20 * SEC),
            r"'aht' must be a positive timedelta, got datetime\.timedelta\(0\)",
        ),
        (
            lambda: service_level(3, 1.0, MIN, -SEC),
            r"'target' must be a non-negative timedelta",
        ),
        (lambda: average_speed_of_answer(3, 1.0, bad(3.0)), r"'aht' must be a datetime\.timedelta"),
        (
            lambda: agents_for_service_level(5.0, MIN, SEC, 1.0),
            r"'level' must be a number strictly between 0 and 1, got 1\.0",
        ),
        (
            lambda: agents_for_service_level(5.0, MIN, SEC, 0),
            r"'level' must be a number strictly between 0 and 1, got 0",
        ),
        (
            lambda: agents_for_service_level(5.0, MIN, SEC, math.nan),
            r"'level' must be a number strictly between 0 and 1, got nan",
        ),
        (
            lambda: agents_for_service_level(5.0, MIN, SEC, bad("0.8")),
            r"'level' must be a number strictly between 0 and 1, got '0\.8'",
        ),
        (
            lambda: agents_for_service_level(-5.0, MIN, SEC, 0.8),
            r"'load' must be a finite number >= 0, got -5\.0",
        ),
        (
            lambda: agents_for_service_level(5.0, bad(60), SEC, 0.8),
            r"'aht' must be a datetime\.timedelta, got 60",
        ),
        (
            lambda: agents_for_service_level(5.0, MIN, bad(20), 0.8),
            r"'target' must be a datetime\.timedelta, got 20",
        ),
    ],
)
def test_bad_input_raises_config_error_naming_the_value(call: object, pattern: str) -> None:
    assert callable(call)
    with pytest.raises(ConfigError, match=pattern):
        call()


def test_integer_loads_and_int_subclasses_are_accepted() -> None:
    assert erlang_c(12, 10) == erlang_c(12, 10.0)
    assert agents_for_service_level(10, 3 * MIN, 20 * SEC, 0.8) == 14

    class Count(int):
        """An int subclass, as a host's own count type might be."""

    assert erlang_c(Count(12), 10.0) == erlang_c(12, 10.0)


def test_the_docstring_examples_run() -> None:
    attempted = 0
    for module in (csflow.staffing.erlang, csflow.staffing.plan, csflow.staffing.roster):
        result = doctest.testmod(module, raise_on_error=False)
        assert result.failed == 0
        attempted += result.attempted
    assert attempted >= 5

"""agents_for_asa: the fewest agents whose Erlang C mean wait is within a target.

Checked against Erlang C written from the textbook (factorial sums, exact fractions) and by
the law the function promises against :func:`average_speed_of_answer`.
"""

from __future__ import annotations

import math
from datetime import timedelta
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from csflow.errors import ConfigError
from csflow.staffing import (
    agents_for_asa,
    average_speed_of_answer,
    occupancy,
)

MINUTES_3 = timedelta(minutes=3)


def textbook_asa_seconds(n: int, a: Fraction, aht_s: Fraction) -> Fraction:
    """ASA = C * AHT / (n - a), with C = (a^n/n! * n/(n-a)) / (sum_{k<n} a^k/k! + that)."""
    top = a**n / math.factorial(n) * n / (n - a)
    c = top / (sum(a**k / math.factorial(k) for k in range(n)) + top)
    return c * aht_s / (n - a)


def test_a_worked_example() -> None:
    # 10 Erlangs at 3 minutes: 12 agents wait 40.4 s on average, 13 agents 17.1 s.
    a, aht = Fraction(10), Fraction(180)
    assert 40 < textbook_asa_seconds(12, a, aht) < 41
    assert 17 < textbook_asa_seconds(13, a, aht) < 18
    assert agents_for_asa(10.0, MINUTES_3, timedelta(seconds=20)) == 13
    assert agents_for_asa(10.0, MINUTES_3, timedelta(seconds=41)) == 12
    # A wait of a minute is met by the fewest stable head count: 11 agents wait 2 min 3 s.
    assert 122 < textbook_asa_seconds(11, a, aht) < 123
    assert agents_for_asa(10.0, MINUTES_3, timedelta(minutes=3)) == 11
    # No load, no agents.
    assert agents_for_asa(0.0, MINUTES_3, timedelta(seconds=20)) == 0


@settings(max_examples=80, deadline=None)
@given(
    tenths=st.integers(1, 400),
    aht_s=st.integers(10, 1_800),
    asa_ms=st.integers(0, 600_000),
)
def test_the_answer_is_the_fewest_by_the_textbook(tenths: int, aht_s: int, asa_ms: int) -> None:
    a = Fraction(tenths, 10)
    limit = Fraction(asa_ms, 1000)
    n = agents_for_asa(float(a), timedelta(seconds=aht_s), timedelta(milliseconds=asa_ms))
    assert n > a
    # Away from a tie (within a microsecond of rounding), the textbook agrees on both sides.
    at_n = textbook_asa_seconds(n, a, Fraction(aht_s))
    assume(abs(at_n - limit) > Fraction(1, 10**5))
    assert at_n <= limit
    if n - 1 > a:
        before = textbook_asa_seconds(n - 1, a, Fraction(aht_s))
        assume(abs(before - limit) > Fraction(1, 10**5))
        assert before > limit


@settings(max_examples=100, deadline=None)
@given(
    load=st.floats(1e-6, 5_000.0),
    aht_s=st.integers(1, 7_200),
    asa_s=st.floats(0.0, 3_600.0),
    cap=st.none() | st.sampled_from([0.5, 0.8, 0.85, 1.0]),
)
def test_the_answer_keeps_the_law_exactly(
    load: float, aht_s: int, asa_s: float, cap: float | None
) -> None:
    aht, longest = timedelta(seconds=aht_s), timedelta(seconds=asa_s)
    n = agents_for_asa(load, aht, longest, max_occupancy=cap)
    bare = agents_for_asa(load, aht, longest)
    assert bare > load
    assert average_speed_of_answer(bare, load, aht) <= longest
    if bare - 1 > load:
        assert average_speed_of_answer(bare - 1, load, aht) > longest
    if cap is None:
        assert n == bare
    else:
        assert n >= bare
        assert occupancy(n, load) <= cap
        # More than the bare answer only as far as the cap asks.
        assert n == bare or occupancy(n - 1, load) > cap


def test_a_longer_wait_never_needs_more_agents() -> None:
    waits = [timedelta(seconds=s) for s in (0, 1, 5, 20, 60, 300, 3_600)]
    heads = [agents_for_asa(180.0, timedelta(minutes=5), w) for w in waits]
    assert heads == sorted(heads, reverse=True)
    assert heads[-1] == 181  # an hour's mean wait: the fewest stable head count


def test_a_zero_wait_ends_where_erlang_b_underflows() -> None:
    # Even a wait that must round to zero microseconds ends the walk: about sqrt(1400 a)
    # agents above a million Erlangs.
    n = agents_for_asa(1e6, MINUTES_3, timedelta(0))
    assert 1e6 < n < 1e6 + math.sqrt(1400 * 1e6) + 100
    assert average_speed_of_answer(n, 1e6, MINUTES_3) == timedelta(0)


@pytest.mark.parametrize(
    ("args", "kwargs", "named"),
    [
        ((-1.0, MINUTES_3, timedelta(seconds=20)), {}, "-1.0"),
        ((float("nan"), MINUTES_3, timedelta(seconds=20)), {}, "nan"),
        ((10.0, timedelta(0), timedelta(seconds=20)), {}, "aht"),
        ((10.0, 180, timedelta(seconds=20)), {}, "180"),
        ((10.0, MINUTES_3, 20), {}, "20"),
        ((10.0, MINUTES_3, timedelta(seconds=-1)), {}, "max_asa"),
        ((10.0, MINUTES_3, timedelta(seconds=20)), {"max_occupancy": 1.5}, "max_occupancy.*1.5"),
        ((10.0, MINUTES_3, timedelta(seconds=20)), {"max_occupancy": 0}, "max_occupancy.*got 0"),
    ],
)
def test_bad_arguments_are_refused_naming_them(
    args: tuple[object, ...], kwargs: dict[str, object], named: str
) -> None:
    with pytest.raises(ConfigError, match=named):
        agents_for_asa(*args, **kwargs)  # type: ignore[arg-type]

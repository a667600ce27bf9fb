"""Staffing plans for a day profile of 15/30-minute intervals."""

from __future__ import annotations

import itertools
import math
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.errors import ConfigError
from csflow.staffing import (
    ForecastInterval,
    IntervalStaffing,
    StaffingPlan,
    agents_for_service_level,
    agents_for_service_level_a,
    average_speed_of_answer,
    erlang_a,
    erlang_c,
    service_level,
    staffing_plan,
)
from csflow.staffing.roster import cover
from csflow.staffing.shifts import ShiftTemplate

JKT = ZoneInfo("Asia/Jakarta")
MIN = timedelta(minutes=1)
SEC = timedelta(seconds=1)
HALF = timedelta(minutes=30)
QUARTER = timedelta(minutes=15)

# A 12.12 evening on chat, half-hourly: arrivals per interval.
TWELVE_TWELVE = [
    (datetime(2026, 12, 12, 18, 0, tzinfo=JKT), HALF, 600),
    (datetime(2026, 12, 12, 18, 30, tzinfo=JKT), HALF, 800),
    (datetime(2026, 12, 12, 19, 0, tzinfo=JKT), HALF, 1100),
    (datetime(2026, 12, 12, 19, 30, tzinfo=JKT), HALF, 1350),
    (datetime(2026, 12, 12, 20, 0, tzinfo=JKT), HALF, 1500),
    (datetime(2026, 12, 12, 20, 30, tzinfo=JKT), HALF, 1200),
]


def test_a_plan_staffs_every_interval_with_erlang_c() -> None:
    plan = staffing_plan(TWELVE_TWELVE, 7 * MIN, MIN, 0.9, shrinkage=0.3)
    assert isinstance(plan, StaffingPlan)
    assert len(plan.intervals) == len(TWELVE_TWELVE)
    for row, (start, length, arrivals) in zip(plan.intervals, TWELVE_TWELVE, strict=True):
        assert isinstance(row, IntervalStaffing)
        assert (row.start, row.duration, row.arrivals) == (start, length, arrivals)
        assert row.end == start + length
        assert row.load == pytest.approx(arrivals / 30 * 7)
        n = agents_for_service_level(row.load, 7 * MIN, MIN, 0.9)
        assert row.agents == n
        assert row.service_level == service_level(n, row.load, 7 * MIN, MIN) >= 0.9
        assert row.average_speed_of_answer == average_speed_of_answer(n, row.load, 7 * MIN)
        assert row.probability_of_waiting == erlang_c(n, row.load)
        assert row.probability_of_abandonment == 0.0
        assert row.occupancy == pytest.approx(row.load / n)
        assert row.scheduled_heads == math.ceil(Fraction(n) / Fraction(7, 10))
    peak = plan.intervals[4]
    assert peak.agents == 361  # 20:00, 1,500 chats: see test_staffing's 12.12 example
    assert plan.peak_agents == 361
    assert plan.peak_heads == peak.scheduled_heads == 516
    assert plan.agent_hours == pytest.approx(sum(r.agents for r in plan.intervals) / 2)
    assert plan.scheduled_hours == pytest.approx(sum(r.scheduled_heads for r in plan.intervals) / 2)
    assert (plan.aht, plan.target, plan.level, plan.patience, plan.shrinkage) == (
        7 * MIN,
        MIN,
        0.9,
        None,
        0.3,
    )


def test_a_plan_with_patience_uses_erlang_a() -> None:
    plan = staffing_plan(TWELVE_TWELVE, 7 * MIN, MIN, 0.9, patience=4 * MIN)
    erlang_c_plan = staffing_plan(TWELVE_TWELVE, 7 * MIN, MIN, 0.9)
    for row, c_row in zip(plan.intervals, erlang_c_plan.intervals, strict=True):
        n = agents_for_service_level_a(row.load, 7 * MIN, MIN, 0.9, 4 * MIN)
        res = erlang_a(n, row.load, 7 * MIN, 4 * MIN, MIN)
        assert row.agents == n <= c_row.agents
        assert row.service_level == res.service_level
        assert row.probability_of_abandonment == res.probability_of_abandonment > 0.0
        assert row.average_speed_of_answer == res.average_speed_of_answer
        assert row.occupancy == res.occupancy
        assert row.scheduled_heads == n  # no shrinkage
    assert plan.patience == 4 * MIN


@pytest.mark.parametrize(
    ("agents", "shrinkage", "heads"),
    [(9, 0.1, 10), (7, 0.3, 10), (14, 0.3, 20), (10, 0.0, 10), (1, 0.99, 100), (3, 0.35, 5)],
)
def test_shrinkage_is_read_as_the_decimal_written(
    agents: int, shrinkage: float, heads: int
) -> None:
    # 9 agents at 10 % shrinkage need 10 heads; binary 0.1 must not make it 11.
    load = next(
        x / 100
        for x in range(1, 100_000)
        if agents_for_service_level(x / 100, 3 * MIN, 20 * SEC, 0.8) == agents
    )
    start = datetime(2026, 3, 2, 9, 0, tzinfo=JKT)
    arrivals = load * 15 / 3  # 15-minute interval, AHT 3 minutes
    plan = staffing_plan([(start, QUARTER, arrivals)], 3 * MIN, 20 * SEC, 0.8, shrinkage=shrinkage)
    assert plan.intervals[0].agents == agents
    assert plan.intervals[0].scheduled_heads == heads


@given(
    st.lists(st.floats(min_value=0.0, max_value=3000.0), min_size=1, max_size=8),
    st.sampled_from([QUARTER, HALF]),
    st.floats(min_value=0.0, max_value=0.9),
)
@settings(max_examples=40)
def test_plan_laws(arrivals: list[float], length: timedelta, shrinkage: float) -> None:
    start = datetime(2026, 3, 20, 8, 0, tzinfo=JKT)
    forecast = [ForecastInterval(start + i * length, length, x) for i, x in enumerate(arrivals)]
    plan = staffing_plan(forecast, 5 * MIN, 30 * SEC, 0.8, shrinkage=shrinkage)
    for row in plan.intervals:
        assert row.scheduled_heads >= row.agents
        assert row.scheduled_heads * (1 - Fraction(repr(shrinkage))) >= row.agents
        assert (row.scheduled_heads - 1) * (1 - Fraction(repr(shrinkage))) < row.agents or (
            row.agents == 0
        )
        if row.load == 0.0:
            assert (row.agents, row.scheduled_heads, row.service_level) == (0, 0, 1.0)
            assert row.average_speed_of_answer == timedelta(0)
        else:
            assert row.agents > row.load
            assert row.service_level >= 0.8
    # More arrivals never need fewer agents.
    by_load = sorted(plan.intervals, key=lambda r: r.load)
    assert [r.agents for r in by_load] == sorted(r.agents for r in by_load)


# An ordinary Thursday's chat profile, quarter-hourly from 19:00 WIB, and the Lebaran eve on
# the same profile at 2.5 times the arrivals.
THURSDAY = [
    (datetime(2026, 3, 12, 19, 0, tzinfo=JKT) + i * QUARTER, QUARTER, x)
    for i, x in enumerate([120, 160, 210, 240, 230, 180])
]


def test_a_peak_multiplier_staffs_the_multiplied_forecast() -> None:
    ordinary = staffing_plan(THURSDAY, 6 * MIN, 30 * SEC, 0.8)
    lebaran = staffing_plan(THURSDAY, 6 * MIN, 30 * SEC, 0.8, multiplier=2.5)
    by_hand = staffing_plan([(s, d, x * 2.5) for s, d, x in THURSDAY], 6 * MIN, 30 * SEC, 0.8)
    assert (ordinary.multiplier, lebaran.multiplier) == (1.0, 2.5)
    assert lebaran.intervals == by_hand.intervals
    for row, plain, (start, _, arrivals) in zip(
        lebaran.intervals, ordinary.intervals, THURSDAY, strict=True
    ):
        assert row.start == start
        assert row.arrivals == arrivals * 2.5
        assert row.load == pytest.approx(arrivals * 2.5 * 6 / 15)
        assert row.agents == agents_for_service_level(row.load, 6 * MIN, 30 * SEC, 0.8)
        # Pooling: 2.5 times the load needs more agents, but fewer than 2.5 times as many.
        assert plain.agents < row.agents < 2.5 * plain.agents
    # The 19:45 peak, 240 chats a quarter-hour (96 Erlang): Lebaran eve's 600 are 240 Erlang.
    assert ordinary.peak_agents == ordinary.intervals[3].agents
    assert lebaran.peak_agents == lebaran.intervals[3].agents
    assert lebaran.agent_hours > 2 * ordinary.agent_hours


@given(
    st.lists(st.floats(min_value=0.0, max_value=500.0), min_size=1, max_size=6),
    st.floats(min_value=1.0, max_value=6.0),
)
@settings(max_examples=40)
def test_a_bigger_multiplier_never_needs_fewer_agents(arrivals: list[float], factor: float) -> None:
    forecast = [(START + i * HALF, HALF, x) for i, x in enumerate(arrivals)]
    base = staffing_plan(forecast, 4 * MIN, 20 * SEC, 0.85)
    peak = staffing_plan(forecast, 4 * MIN, 20 * SEC, 0.85, multiplier=factor)
    for low, high in zip(base.intervals, peak.intervals, strict=True):
        assert high.arrivals == low.arrivals * factor
        assert high.agents >= low.agents
        assert high.scheduled_heads >= low.scheduled_heads


def test_intervals_from_rates_and_tuples_are_the_same() -> None:
    start = datetime(2026, 3, 20, 9, 0, tzinfo=JKT)
    from_rate = ForecastInterval.from_rate(start, QUARTER, per_hour=200)
    assert from_rate == ForecastInterval(start, QUARTER, 50.0)
    assert from_rate.end == start + QUARTER
    one = staffing_plan([from_rate], 3 * MIN, 20 * SEC, 0.8)
    two = staffing_plan([(start, QUARTER, 50)], 3 * MIN, 20 * SEC, 0.8)
    assert one.intervals[0].agents == two.intervals[0].agents
    assert one.intervals[0].load == pytest.approx(10.0)
    assert one.intervals[0].agents == 14  # the textbook case, at 200 calls an hour


def test_gaps_are_allowed_and_an_empty_plan_is_empty() -> None:
    first = datetime(2026, 3, 20, 9, 0, tzinfo=JKT)
    plan = staffing_plan([(first, HALF, 40), (first + 3 * HALF, HALF, 40)], 3 * MIN, 20 * SEC, 0.8)
    assert len(plan.intervals) == 2
    empty = staffing_plan([], 3 * MIN, 20 * SEC, 0.8)
    assert empty.intervals == ()
    assert (empty.peak_agents, empty.peak_heads, empty.agent_hours) == (0, 0, 0.0)


def test_plans_and_rows_are_frozen() -> None:
    plan = staffing_plan(TWELVE_TWELVE[:1], 7 * MIN, MIN, 0.9)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        plan.level = 0.5  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        plan.intervals[0].agents = 1  # type: ignore[misc]


START = datetime(2026, 3, 20, 9, 0, tzinfo=JKT)


def bad(value: object) -> Any:
    """Pass a deliberately ill-typed argument past the type checker."""
    return value


@pytest.mark.parametrize(
    ("call", "pattern", "path"),
    [
        (
            lambda: staffing_plan([(datetime(2026, 3, 20, 9), HALF, 10)], MIN, SEC, 0.8),
            r"'start' must be timezone-aware, got datetime\.datetime\(2026, 3, 20, 9, 0\)",
            "intervals[0]",
        ),
        (
            lambda: staffing_plan([(START, HALF, 10), (START, bad(0), 10)], MIN, SEC, 0.8),
            r"'duration' must be a datetime\.timedelta, got 0",
            "intervals[1]",
        ),
        (
            lambda: staffing_plan([(START, HALF, -1)], MIN, SEC, 0.8),
            r"'arrivals' must be a finite number of expected arrivals >= 0, got -1",
            "intervals[0]",
        ),
        (
            lambda: staffing_plan([(START, HALF, math.nan)], MIN, SEC, 0.8),
            r"'arrivals' must be a finite number of expected arrivals >= 0, got nan",
            "intervals[0]",
        ),
        (
            lambda: staffing_plan([bad((START, HALF))], MIN, SEC, 0.8),
            r"expected a ForecastInterval or a \(start, duration, arrivals\) tuple",
            "intervals[0]",
        ),
        (
            lambda: staffing_plan([(START, HALF, 10), (START + QUARTER, HALF, 10)], MIN, SEC, 0.8),
            r"intervals must be in time order without overlap",
            "intervals[1]",
        ),
        (
            lambda: staffing_plan([(START, HALF, 1e12)], MIN, SEC, 0.8),
            r"the load must be at most 1e\+07 Erlangs",
            "intervals[0]",
        ),
        (
            lambda: staffing_plan([(START, timedelta(days=2), 10)], MIN, SEC, 0.8),
            r"'duration' must be at most 26 hours",
            "intervals[0]",
        ),
        (
            lambda: staffing_plan([], MIN, SEC, 0.8, shrinkage=1.0),
            r"'shrinkage' must be a number in \[0, 1\), got 1\.0",
            "",
        ),
        (
            lambda: staffing_plan([], MIN, SEC, 0.8, patience=SEC * 0),
            r"'patience' must be a positive timedelta",
            "",
        ),
        (
            lambda: staffing_plan([], MIN, SEC, 0.8, multiplier=0.0),
            r"'multiplier' must be a finite number > 0, got 0\.0",
            "",
        ),
        (
            lambda: staffing_plan([], MIN, SEC, 0.8, multiplier=math.inf),
            r"'multiplier' must be a finite number > 0, got inf",
            "",
        ),
        (
            lambda: staffing_plan([], MIN, SEC, 0.8, multiplier=bad("2.5")),
            r"'multiplier' must be a finite number > 0, got '2\.5'",
            "",
        ),
        (
            lambda: staffing_plan([(START, HALF, 1e6)], MIN, SEC, 0.8, multiplier=1e3),
            r"the load must be at most 1e\+07 Erlangs",
            "intervals[0]",
        ),
        (lambda: staffing_plan(bad(5), MIN, SEC, 0.8), r"'intervals' must be an iterable", ""),
        (lambda: staffing_plan(bad("abc"), MIN, SEC, 0.8), r"'intervals' must be an iterable", ""),
        (lambda: staffing_plan([], MIN, SEC, 80), r"'level' must be a number strictly", ""),
        (lambda: staffing_plan([], 0 * MIN, SEC, 0.8), r"'aht' must be a positive", ""),
    ],
)
def test_bad_plans_raise_config_error_with_a_path(call: object, pattern: str, path: str) -> None:
    assert callable(call)
    with pytest.raises(ConfigError, match=pattern) as info:
        call()
    assert info.value.path == path


def test_forecast_interval_validates_directly() -> None:
    with pytest.raises(ConfigError, match=r"'arrivals' must be a finite number"):
        ForecastInterval(START, HALF, True)
    with pytest.raises(ConfigError, match=r"'per_hour' must be a finite number >= 0, got -3"):
        ForecastInterval.from_rate(START, HALF, per_hour=-3)
    with pytest.raises(ConfigError, match=r"'duration' must be a positive timedelta"):
        ForecastInterval.from_rate(START, timedelta(0), per_hour=3)


@pytest.mark.parametrize(("day", "halves"), [(date(2026, 3, 8), 46), (date(2026, 11, 1), 50)])
def test_a_forecast_in_a_zone_with_dst_is_back_to_back_in_real_time(day: date, halves: int) -> None:
    """New York's spring-forward day has 46 half hours and its fall-back day 50.  A forecast
    of them in local time is back to back in real time: the plan takes it (the fall-back day
    was refused as overlapping: 01:00 the second time "starts before" 01:30 the first), each
    interval ends where the next starts, and a roster covers it (the spring-forward day was
    refused as not back to back)."""
    new_york = ZoneInfo("America/New_York")
    half = timedelta(minutes=30)
    first = datetime(day.year, day.month, day.day, tzinfo=new_york).astimezone(UTC)
    forecast = [((first + k * half).astimezone(new_york), half, 20.0) for k in range(halves)]
    assert forecast[-1][0].date() == day  # the whole local day, no more
    plan = staffing_plan(forecast, 3 * timedelta(minutes=1), 20 * timedelta(seconds=1), 0.8)
    rows = plan.intervals
    assert all(
        a.end == b.start and a.end.utcoffset() == b.start.utcoffset()
        for a, b in itertools.pairwise(rows)
    )
    roster = cover(
        plan, [ShiftTemplate("any", timedelta(hours=8), timedelta(0), timedelta(hours=23))]
    )
    assert [i.short for i in roster.intervals] == [0] * halves

"""Bad input to the staffing functions is a ``ConfigError`` naming it, never another exception
nor a silently wrong figure: numpy's ``timedelta64`` (a duration numpy counts among its
integers) where a count or a number is meant, and ``verify_plan``'s seeds, tier and channel
floors, warm-up and span of the wrong shape."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np  # installed with the plot extra `make test` installs (matplotlib's)
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.errors import ConfigError
from csflow.staffing import (
    agents_for_service_level,
    erlang_a,
    erlang_b,
    erlang_c,
    forecast_from_history,
    service_level,
    staffing_plan,
)
from csflow.staffing.roster import cover
from csflow.staffing.shifts import ShiftTemplate
from csflow.staffing.verify import verify_plan
from test_verify_bounds import CHATS, Refusing

H = timedelta(hours=1)
S = timedelta(seconds=1)
AHT = timedelta(minutes=6)
T20 = timedelta(seconds=20)
NINE = datetime(2026, 3, 16, 9, tzinfo=UTC)
UNITS = ["ns", "us", "ms", "s", "m", "h", "D"]
# numpy's scalar types, untyped: the values given are what a caller may pass, typed or not.
TD64: Any = np.timedelta64
INT64: Any = np.int64
INT32: Any = np.int32
FLOAT64: Any = np.float64


def durations() -> st.SearchStrategy[Any]:
    return st.builds(TD64, st.integers(0, 10**6), st.sampled_from(UNITS))


# Each takes the duration where a count or a number is meant.
CALLS: dict[str, Callable[[Any], object]] = {
    "agents": lambda d: erlang_c(d, 3.0),
    "load": lambda d: erlang_b(8, d),
    "erlang_a agents": lambda d: erlang_a(d, 3.0, AHT, H),
    "level": lambda d: agents_for_service_level(3.0, AHT, T20, d),
    "max_occupancy": lambda d: agents_for_service_level(3.0, AHT, T20, 0.8, max_occupancy=d),
    "arrivals": lambda d: staffing_plan([(NINE, H, d)], AHT, T20, 0.8),
    "shrinkage": lambda d: staffing_plan([(NINE, H, 5)], AHT, T20, 0.8, shrinkage=d),
    "multiplier": lambda d: staffing_plan([(NINE, H, 5)], AHT, T20, 0.8, multiplier=d),
    "lookback": lambda d: forecast_from_history([], date(2026, 3, 16), timezone="UTC", lookback=d),
    "requirement": lambda d: cover([1, d], [ShiftTemplate("hour", H)], interval=H),
    "cost": lambda d: ShiftTemplate("hour", H, cost=d),
}


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.sampled_from(sorted(CALLS)), durations())
def test_a_numpy_duration_is_not_taken_for_a_number(where: str, value: Any) -> None:
    with pytest.raises(ConfigError, match="timedelta64"):
        CALLS[where](value)


@pytest.mark.parametrize("unit", UNITS)
def test_worked_example_a_duration_column_is_not_read_as_arrivals(unit: str) -> None:
    # Five of anything in nanoseconds used to be five arrivals: 5 x 6 min in an hour, 0.5
    # Erlang, staffed with 2 agents.  A duration is refused, naming it.
    with pytest.raises(ConfigError, match=r"'arrivals'.*timedelta64\(5"):
        staffing_plan([(NINE, H, TD64(5, unit))], AHT, T20, 0.8)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.integers(1, 40), st.floats(0.0, 30.0))
def test_numpy_integers_and_floats_are_still_taken_as_their_values(n: int, a: float) -> None:
    assert erlang_c(INT64(n), FLOAT64(a)) == erlang_c(n, a)
    assert service_level(INT32(n), a, AHT, T20) == service_level(n, a, AHT, T20)
    plan = staffing_plan([(NINE, H, FLOAT64(a * 10))], AHT, T20, 0.8)
    assert plan == staffing_plan([(NINE, H, a * 10)], AHT, T20, 0.8)
    assert cover([INT64(n)], [ShiftTemplate("hour", H)], interval=H).agents == n


# --------------------------------------------------------------------------------------------
# verify_plan: checked before any simulation runs

JAKARTA = ZoneInfo("Asia/Jakarta")
EVE = datetime(2026, 3, 19, 20, tzinfo=JAKARTA)
PLAN = staffing_plan([(EVE, timedelta(minutes=30), 10)], AHT, timedelta(minutes=1), 0.8)
DESK = {
    "tiers": [{"name": "gold", "rank": 3}],
    "calendars": {"24x7": {"timezone": "Asia/Jakarta", "always_open": True}},
    "sla_policies": [{"name": "chat", "calendar": "24x7", "targets": {"first_response": "PT1M"}}],
    "default_sla_policy": "chat",
}


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"seeds": 5}, r"'seeds' must be a non-empty sequence of ints >= 0, got 5"),
        ({"seeds": None}, r"'seeds' .* got None"),
        ({"seeds": {1: 2}}, r"'seeds' .* got \{1: 2\}"),
        ({"tiers": ["gold"]}, r"'tiers' must be a mapping of tier name .* got \['gold'\]"),
        ({"tiers": 0.95}, r"'tiers' must be a mapping .* got 0\.95"),
        ({"channels": [("chat", 0.5)]}, r"'channels' must be a mapping of channel name"),
        ({"span": timedelta(days=999_999_999)}, r"span of .*outside the years 1-9999"),
        ({"warmup": timedelta(days=999_999_999)}, r"warm-up of .*outside the years 1-9999"),
        ({"warmup": timedelta(days=800_000)}, r"outside the years 1-9999"),
    ],
)
def test_verify_plan_refuses_malformed_arguments_before_simulating(
    kwargs: dict[str, Any], match: str
) -> None:
    with pytest.raises(ConfigError, match=match) as caught:
        verify_plan(PLAN, DESK, CHATS, executor=Refusing(), **kwargs)
    before = repr(PLAN)
    assert caught.value.detail
    assert repr(PLAN) == before


@pytest.mark.parametrize("kind", ["numpy", "tuple", "generator"])
def test_verify_plan_starts_from_agents_in_a_numpy_array(kind: str) -> None:
    made: dict[str, Callable[[list[int]], Any]] = {
        "numpy": np.array,
        "tuple": tuple,
        "generator": lambda xs: (x for x in xs),
    }
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        as_list = verify_plan(PLAN, DESK, CHATS, executor=pool, seeds=(1, 2), agents=[6])
        given = verify_plan(PLAN, DESK, CHATS, executor=pool, seeds=(1, 2), agents=made[kind]([6]))
    assert given == as_list
    # The search started from 6, not the plan's 4: it stepped down from there.
    assert PLAN.intervals[0].agents == 4
    assert given.intervals[0].agents <= 6


# --------------------------------------------------------------------------------------------
# cover: an interval that does not divide a day

FIFTY = timedelta(minutes=50)  # 1,440 / 50 = 28.8 intervals a day
DAY_SHIFT = ShiftTemplate("day", 4 * FIFTY, 10 * FIFTY, 12 * FIFTY)  # starts 08:20 to 10:00


@pytest.mark.parametrize(
    ("intervals", "wraps", "template"),
    [
        (58, False, DAY_SHIFT),  # two days
        (86, False, DAY_SHIFT),  # three days
        (36, False, DAY_SHIFT),  # into the second morning
        (28, False, ShiftTemplate("night", 4 * FIFTY, 27 * FIFTY, 30 * FIFTY)),
        (144, True, DAY_SHIFT),  # five whole days, wrapping
    ],
)
def test_a_horizon_past_its_first_day_needs_an_interval_that_divides_a_day(
    intervals: int, wraps: bool, template: ShiftTemplate
) -> None:
    # The second day's 08:20 lies 1,940 minutes in, 38.8 intervals: no start of the
    # window fits the grid on any day but the first, so every later day's need was left
    # uncovered ("no shift template covers it") or covered by other shifts than asked.
    with pytest.raises(ConfigError, match="does not divide a day") as caught:
        cover([1] * intervals, [template], interval=FIFTY, wraps=wraps)
    assert caught.value.path == "interval"


def test_a_day_of_fifty_minute_intervals_is_still_rostered() -> None:
    # Within one day every start of the window is on the grid: 08:20 is interval 10.
    # Starts at 10, 11 or 12 cover four intervals each; interval 10 needs two agents from
    # 10, interval 15 one from 12, and those three cover 12 and 13's three: three agents.
    need = [0] * 10 + [2, 2, 3, 3, 1, 1] + [0] * 12  # 28 intervals, to 23:20
    roster = cover(need, [DAY_SHIFT], interval=FIFTY)
    assert [(r.start // FIFTY, r.agents) for r in roster.rows] == [(10, 2), (12, 1)]
    assert roster.cost == 3 * (4 * 50 / 60)

"""Staffing inputs at their extremes: shift templates whose durations reach the largest
``timedelta``, a verification's seeds given twice, and pendulum's dates, instants and
durations given to a roster or a forecast in place of the standard library's.

A template's checks are compared with a reference written from the docs in whole
microseconds (Python ints never overflow): a break must end within the shift (its latest start
plus its length at most the shift's length), and a start window is at most a day wide
(``earliest <= latest < earliest + 1 day``).  Whatever the durations, a template is either made
or refused with a ``ConfigError``, never an ``OverflowError`` from the check itself.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.errors import ConfigError
from csflow.staffing import staffing_plan
from csflow.staffing.roster import cover
from csflow.staffing.shifts import BreakRule, ShiftTemplate, templates_from_dict
from csflow.staffing.verify import verify_plan

_US = timedelta(microseconds=1)
_MAX_US = timedelta.max // _US
_DAY_US = timedelta(days=1) // _US

# Durations anywhere in timedelta's range, the largest ones often.
_durations = st.one_of(
    st.integers(0, _MAX_US),
    st.integers(_MAX_US - 3 * _DAY_US, _MAX_US),
    st.integers(0, 3 * _DAY_US),
).map(lambda us: timedelta(microseconds=us))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(length=_durations, start=_durations, brk=_durations)
def test_a_break_is_refused_exactly_when_it_may_end_after_the_shift(
    length: timedelta, start: timedelta, brk: timedelta
) -> None:
    if not brk or not length:
        return  # zero lengths are refused for another reason
    rule = BreakRule(brk, start)
    fits = start // _US + brk // _US <= length // _US  # exact, in Python ints
    if fits:
        assert ShiftTemplate("x", length, breaks=[rule]).breaks == (rule,)
    else:
        with pytest.raises(ConfigError) as err:
            ShiftTemplate("x", length, breaks=[rule])
        assert err.value.path == "breaks[0]"
        assert "must end within the shift" in str(err.value)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(earliest=_durations, latest=_durations)
def test_a_start_window_is_refused_exactly_when_it_is_a_day_wide_or_reversed(
    earliest: timedelta, latest: timedelta
) -> None:
    ok = earliest // _US <= latest // _US < earliest // _US + _DAY_US
    if ok:
        tpl = ShiftTemplate("x", timedelta(hours=1), earliest, latest)
        assert (tpl.earliest, tpl.latest) == (earliest, latest)
    else:
        with pytest.raises(ConfigError, match="'latest' must be at or after 'earliest'"):
            ShiftTemplate("x", timedelta(hours=1), earliest, latest)


def test_worked_examples_at_the_largest_durations() -> None:
    top = timedelta.max
    # A break that may start a day into an 8-hour shift and lasts "for ever": refused.
    with pytest.raises(ConfigError) as err:
        ShiftTemplate("x", timedelta(hours=8), breaks=[BreakRule(top, timedelta(days=1))])
    assert err.value.path == "breaks[0]"
    # The same from plain data names the break in the document.
    with pytest.raises(ConfigError) as err:
        templates_from_dict(
            [
                {
                    "name": "a",
                    "length": "PT8H",
                    "breaks": [{"length": "P999999999D", "earliest": "P1D"}],
                }
            ]
        )
    assert err.value.path == "templates[0].breaks[0]"
    # A window an hour wide at the very end of timedelta's range is a window like any other.
    late = top - timedelta(hours=1)
    assert ShiftTemplate("x", timedelta(hours=1), late, top).latest == top
    # ... and one a day wide is refused there too.
    with pytest.raises(ConfigError, match="less than a day after it"):
        ShiftTemplate("x", timedelta(hours=1), top - timedelta(days=1), top)


class _Refusing(concurrent.futures.Executor):
    """An executor that fails the test if anything is submitted."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a simulation ran before the input was checked")


class _Reached(Exception):
    pass


class _Stopping(concurrent.futures.Executor):
    """An executor that stops the call once the checks let a simulation through."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        raise _Reached


_DESK = {
    "calendars": {"24x7": {"timezone": "Asia/Jakarta", "always_open": True}},
    "sla_policies": [
        {"name": "chat", "calendar": "24x7", "targets": {"first_response": "PT1M"}},
    ],
    "default_sla_policy": "chat",
}
_SIM = {
    "arrivals": {"channels": {"chat": 1}},
    "handle_time": {"default": {"exponential": "PT6M"}},
    "agents": [{"name": "front", "capacity": {"chat": 1}}],
}
_PLAN = staffing_plan(
    [(datetime(2026, 3, 19, 20, tzinfo=ZoneInfo("Asia/Jakarta")), timedelta(minutes=30), 20)],
    timedelta(minutes=6),
    timedelta(minutes=1),
    0.8,
)


@pytest.mark.parametrize("seeds", [(1, 1), (1, 1, 1), [3, 2, 3], (0, 5, 0)])
def test_verify_plan_refuses_a_seed_given_twice(seeds: tuple[int, ...]) -> None:
    # A repeated seed repeats its run: three runs of seed 1 gave a 95 % interval of zero width
    # ([93.75 %, 93.75 %]) from what was one run.
    with pytest.raises(ConfigError) as err:
        verify_plan(_PLAN, _DESK, _SIM, seeds=seeds, executor=_Refusing())
    assert err.value.path == "seeds"
    twice = next(s for k, s in enumerate(seeds) if s in seeds[:k])
    assert f"got {twice} more than once" in str(err.value)


@pytest.mark.parametrize("seeds", [(1,), (1, 2, 3), (0, 7, 3, 5)])
def test_verify_plan_takes_distinct_seeds(seeds: tuple[int, ...]) -> None:
    with pytest.raises(_Reached):
        verify_plan(_PLAN, _DESK, _SIM, seeds=seeds, executor=_Stopping())


# pendulum (a dependency of csflow) gives datetimes and durations of its own types, whose
# arithmetic does not mix with the standard library's: a roster takes them as the same
# instants and lengths, and rosters them as it does the plain ones.


def _ny_templates(hours: Callable[[int], timedelta]) -> list[ShiftTemplate]:
    return [
        ShiftTemplate(
            "early",
            hours(8),
            hours(0),
            hours(3),
            breaks=[BreakRule(hours(1), hours(3), hours(5))],
        ),
        ShiftTemplate("late", hours(8), hours(9), hours(16)),
        ShiftTemplate("night", hours(8), hours(20), hours(23), cost=10),
    ]


def test_a_roster_takes_pendulum_instants_and_durations_as_the_plain_ones() -> None:
    import pendulum

    def plain(n: int) -> timedelta:
        return timedelta(hours=n)

    def pend(n: int) -> timedelta:
        return pendulum.duration(hours=n)

    # New York on 8 March 2026, clocks spring forward: 23 hours, a circle of one day.
    need = [2, 2, 1, 1, 1, 2, 4, 6, 8, 8, 7, 6, 6, 7, 8, 8, 7, 6, 5, 5, 4, 3, 2]
    zoned = datetime(2026, 3, 8, tzinfo=ZoneInfo("America/New_York"))
    want = cover(need, _ny_templates(plain), interval=timedelta(hours=1), origin=zoned, wraps=True)
    assert want.gap == 0
    assert all(i.scheduled >= i.required for i in want.intervals)
    templates = _ny_templates(pend)
    assert templates == _ny_templates(plain)  # the same templates, as plain timedeltas
    got = cover(
        need,
        templates,
        interval=pendulum.duration(hours=1),
        origin=pendulum.datetime(2026, 3, 8, tz="America/New_York"),
        wraps=True,
    )
    assert (got.rows, got.intervals, got.cost) == (want.rows, want.intervals, want.cost)
    assert got.to_dict() == want.to_dict()
    assert got.table() == want.table()


def test_a_plan_of_pendulum_starts_is_rostered_like_a_plain_one() -> None:
    import pendulum

    hour = timedelta(hours=1)
    start = pendulum.datetime(2026, 3, 10, tz="Asia/Jakarta")
    rates = [5, 3, 2, 30, 40, 10, 8, 20, 25, 30, 30, 25, 20, 25, 30, 30, 25, 20, 40, 50, 40]
    rates += [30, 20, 10]
    aht, target = timedelta(minutes=6), timedelta(seconds=30)
    pend = staffing_plan(
        [(start.add(hours=k), hour, x) for k, x in enumerate(rates)], aht, target, 0.8
    )
    zoned = datetime(2026, 3, 10, tzinfo=ZoneInfo("Asia/Jakarta"))
    plain = staffing_plan(
        [(zoned + k * hour, hour, x) for k, x in enumerate(rates)], aht, target, 0.8
    )
    hours = [ShiftTemplate("any", 8 * hour, timedelta(0), 23 * hour)]
    got, want = cover(pend, hours, wraps=True), cover(plain, hours, wraps=True)
    assert (got.rows, got.intervals, got.cost) == (want.rows, want.intervals, want.cost)
    assert got.to_dict() == want.to_dict()


def test_a_forecast_takes_pendulum_dates_and_durations_as_the_plain_ones() -> None:
    import pendulum

    from csflow.staffing import forecast_from_history

    jakarta = ZoneInfo("Asia/Jakarta")
    # Three Mondays' arrivals at 09:05, 09:40 ... and a sahur surge at 03:10 on one of them.
    past = [
        datetime(2026, 3, d, h, m, tzinfo=jakarta)
        for d, h, m in [(2, 9, 5), (2, 9, 40), (9, 9, 10), (16, 9, 20), (16, 9, 25), (9, 3, 10)]
    ]
    want = forecast_from_history(
        past,
        datetime(2026, 3, 30).date(),
        timezone="Asia/Jakarta",
        interval=timedelta(hours=1),
        lookback=3,
        exclude=[datetime(2026, 3, 23).date()],
    )
    # By hand: 23 March left out, so 16, 9 and 2 March; 09:00-10:00 holds 2 + 1 + 2 arrivals.
    assert want.days == tuple(datetime(2026, 3, d).date() for d in (16, 9, 2))
    assert want.intervals[9].arrivals == 5 / 3
    assert want.intervals[3].arrivals == 1 / 3
    got = forecast_from_history(
        past,
        pendulum.date(2026, 3, 30),
        timezone="Asia/Jakarta",
        interval=pendulum.duration(hours=1),
        lookback=3,
        exclude=[pendulum.date(2026, 3, 23)],
    )
    assert got == want
    assert type(got.day) is date
    assert type(got.interval) is timedelta
    assert all(type(d) is date for d in got.days)
    chosen = forecast_from_history(
        past, pendulum.date(2026, 3, 30), timezone="Asia/Jakarta", days=[pendulum.date(2026, 3, 9)]
    )
    assert chosen.days == (datetime(2026, 3, 9).date(),)
    assert chosen.total == 2.0
    # A datetime is still refused: its time of day would be dropped.
    with pytest.raises(ConfigError, match=r"must be a datetime\.date"):
        forecast_from_history(past, pendulum.datetime(2026, 3, 30), timezone="Asia/Jakarta")

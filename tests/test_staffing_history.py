"""A day's forecast from arrival history: a naive reference, worked DST days, bad input."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.errors import ConfigError
from csflow.staffing import ForecastInterval, HistoryForecast, forecast_from_history, staffing_plan

H = timedelta(hours=1)
MIN = timedelta(minutes=1)
BERLIN = ZoneInfo("Europe/Berlin")
JKT = ZoneInfo("Asia/Jakarta")
ZONES = ("UTC", "Europe/Berlin", "Asia/Jakarta", "America/Santiago", "Australia/Lord_Howe")


def bad(value: object) -> Any:
    """Pass a deliberately ill-typed argument past the type checker."""
    return value


# -- a naive reference -------------------------------------------------------------------------


def naive_day_start(d: date, zone: ZoneInfo) -> datetime:
    """The first minute whose local date is *d*, found by walking minute by minute."""
    t = datetime.combine(d, time(0), UTC) - timedelta(hours=16)
    while t.astimezone(zone).date() < d:
        t += MIN
    return t


def naive_forecast(
    arrivals: list[datetime],
    day: date,
    zone_name: str,
    interval: timedelta,
    lookback: int,
    same_weekday: bool,
    exclude: set[date],
) -> list[tuple[datetime, timedelta, float]]:
    """Minute by minute: each wall-clock minute's mean over the observed days that had it,
    summed over the minutes of each wall-clock interval of *day*."""
    zone = ZoneInfo(zone_name)
    step = timedelta(days=7 if same_weekday else 1)
    days: list[date] = []
    d = day
    while len(days) < lookback:
        d -= step
        if d not in exclude:
            days.append(d)

    def cell(t: datetime) -> tuple[int, int]:
        local = t.astimezone(zone)
        return local.hour * 60 + local.minute, local.fold

    def minutes(d: date) -> list[datetime]:
        start, end = naive_day_start(d, zone), naive_day_start(d + timedelta(days=1), zone)
        out = []
        while start < end:
            out.append(start)
            start += MIN
        return out

    observed = []
    for d in days:
        span = minutes(d)
        counts: dict[tuple[int, int], int] = {}
        for a in arrivals:
            if span[0] <= a < span[-1] + MIN:
                counts[cell(a)] = counts.get(cell(a), 0) + 1
        observed.append(({cell(t) for t in span}, counts))

    def mean(c: tuple[int, int]) -> float:
        seen = []
        for cells, counts in observed:
            if c in cells:
                seen.append(counts.get(c, 0))
            elif c[1] == 1 and (c[0], 0) in cells:
                seen.append(counts.get((c[0], 0), 0))
        return sum(seen) / len(seen) if seen else 0.0

    span = minutes(day)
    every = interval // MIN
    rows: list[list[Any]] = []
    for t in span:
        if not rows or cell(t)[0] % every == 0:
            rows.append([t, 0.0])
        rows[-1][1] += mean(cell(t))
    ends = [r[0] for r in rows[1:]] + [span[-1] + MIN]
    return [(r[0], e - r[0], r[1]) for r, e in zip(rows, ends, strict=True)]


@st.composite
def histories(draw: st.DrawFn) -> dict[str, Any]:
    zone = draw(st.sampled_from(ZONES))
    # Around the year's clock changes in both hemispheres.
    day = draw(
        st.sampled_from([date(2026, 3, 29), date(2026, 4, 5), date(2026, 10, 25), date(2026, 9, 6)])
        | st.dates(date(2026, 1, 20), date(2026, 12, 20))
    )
    interval = draw(
        st.sampled_from([timedelta(minutes=m) for m in (15, 30, 45, 60, 90, 120, 360, 1440)])
    )
    lookback = draw(st.integers(1, 4))
    same_weekday = draw(st.booleans())
    first = day - timedelta(days=7 * lookback + 14)
    excl = draw(st.sets(st.dates(first, day), max_size=3))
    offsets = draw(st.lists(st.integers(0, (day - first).days * 86_400 + 86_400), max_size=60))
    base = datetime.combine(first, time(0), UTC)
    # Whole minutes and odd seconds both; some exactly on interval bounds.
    arrivals = [
        (base + timedelta(seconds=o)).astimezone(draw(st.sampled_from([UTC, ZoneInfo(zone)])))
        for o in offsets
    ]
    return {
        "arrivals": arrivals,
        "day": day,
        "zone": zone,
        "interval": interval,
        "lookback": lookback,
        "same_weekday": same_weekday,
        "exclude": excl,
    }


@settings(deadline=None, max_examples=120)
@given(histories())
def test_forecast_matches_a_naive_reference(h: dict[str, Any]) -> None:
    got = forecast_from_history(
        h["arrivals"],
        h["day"],
        timezone=h["zone"],
        interval=h["interval"],
        lookback=h["lookback"],
        same_weekday=h["same_weekday"],
        exclude=h["exclude"],
    )
    want = naive_forecast(
        h["arrivals"],
        h["day"],
        h["zone"],
        h["interval"],
        h["lookback"],
        h["same_weekday"],
        h["exclude"],
    )
    # Compared in UTC: a time in the repeated hour never equals one in another zone (PEP 495).
    assert [(f.start.astimezone(UTC), f.duration, f.arrivals) for f in got] == want
    zone = ZoneInfo(h["zone"])
    assert [(f.start.time(), f.start.fold) for f in got] == [
        (s.astimezone(zone).time(), s.astimezone(zone).fold) for s, _, _ in want
    ]
    # The intervals tile the day, in order, each named in the zone.
    assert all(f.start.tzinfo == ZoneInfo(h["zone"]) for f in got)
    for a, b in zip(got.intervals, got.intervals[1:], strict=False):
        assert a.end == b.start
    assert len(got.days) == h["lookback"]
    assert not set(got.days) & h["exclude"]
    assert got.counted <= len(h["arrivals"])


@settings(deadline=None, max_examples=120)
@given(histories())
def test_a_past_day_forecasts_itself(h: dict[str, Any]) -> None:
    """With one observed day, the forecast of the same weekday a week later has that day's
    counts: on a day of the same length, every arrival of that day is in exactly one row."""
    day = h["day"]
    zone = ZoneInfo(h["zone"])
    past = day - timedelta(days=7)
    got = forecast_from_history(
        h["arrivals"], day, timezone=h["zone"], interval=h["interval"], lookback=1
    )
    start = naive_day_start(past, zone)
    end = naive_day_start(past + timedelta(days=1), zone)
    same_length = end - start == got.intervals[-1].end - got.intervals[0].start
    in_day = sum(1 for a in h["arrivals"] if start <= a < end)
    assert got.counted == in_day
    if same_length:
        assert got.total == in_day


# -- worked examples ---------------------------------------------------------------------------


def test_worked_example_jakarta_mondays() -> None:
    """Three Mondays of a Jakarta desk, 30-minute intervals, counted by hand."""
    at = [
        # Monday 2 March: two at 09:00-09:30, one at 09:30-10:00
        datetime(2026, 3, 2, 9, 0, tzinfo=JKT),
        datetime(2026, 3, 2, 9, 29, 59, tzinfo=JKT),
        datetime(2026, 3, 2, 9, 30, tzinfo=JKT),
        # Monday 9 March: one at 09:00-09:30 (given in UTC: 02:10Z is 09:10 in Jakarta)
        datetime(2026, 3, 9, 2, 10, tzinfo=UTC),
        # Monday 16 March: three at 09:30-10:00
        datetime(2026, 3, 16, 9, 45, tzinfo=JKT),
        datetime(2026, 3, 16, 9, 46, tzinfo=JKT),
        datetime(2026, 3, 16, 9, 59, tzinfo=JKT),
        # Tuesday 17 March and Monday 23 March (the day itself): not counted
        datetime(2026, 3, 17, 9, 5, tzinfo=JKT),
        datetime(2026, 3, 23, 9, 5, tzinfo=JKT),
    ]
    f = forecast_from_history(at, date(2026, 3, 23), timezone="Asia/Jakarta", lookback=3)
    assert len(f) == 48
    by_start = {r.start.time(): r.arrivals for r in f}
    assert by_start[time(9, 0)] == pytest.approx(3 / 3)
    assert by_start[time(9, 30)] == pytest.approx(4 / 3)
    assert sum(by_start.values()) == pytest.approx(7 / 3)
    assert f.counted == 7
    assert f.days == (date(2026, 3, 16), date(2026, 3, 9), date(2026, 3, 2))
    # Leaving out 9 March (an outage) reads 23 February instead, with nothing that day.
    g = forecast_from_history(
        at, date(2026, 3, 23), timezone="Asia/Jakarta", lookback=3, exclude=[date(2026, 3, 9)]
    )
    assert g.days == (date(2026, 3, 16), date(2026, 3, 2), date(2026, 2, 23))
    assert {r.start.time(): r.arrivals for r in g}[time(9, 0)] == pytest.approx(2 / 3)
    # The previous days instead of the same weekday: Sunday 22 back to Friday 20: nothing.
    h = forecast_from_history(
        at, date(2026, 3, 23), timezone="Asia/Jakarta", lookback=3, same_weekday=False
    )
    assert h.total == 0
    assert h.counted == 0


def test_fall_back_day_repeats_its_hour() -> None:
    """Sunday 25 October 2026 in Berlin has 25 hours: 02:00-03:00 twice.  Both read the
    observed Sundays' one 02:00 hour."""
    at = [
        datetime(2026, 10, 18, 2, 30, tzinfo=BERLIN),
        datetime(2026, 10, 11, 2, 10, tzinfo=BERLIN),
        datetime(2026, 10, 11, 2, 50, tzinfo=BERLIN),
        datetime(2026, 10, 11, 2, 55, tzinfo=BERLIN),
    ]
    f = forecast_from_history(
        at, date(2026, 10, 25), timezone="Europe/Berlin", interval=H, lookback=2
    )
    assert len(f) == 25
    twos = [r for r in f if r.start.time() == time(2)]
    assert [r.start.fold for r in twos] == [0, 1]
    assert [r.arrivals for r in twos] == [2.0, 2.0]
    assert twos[1].start.utcoffset() == H  # CET, after the change
    assert f.total == pytest.approx(4.0)


def test_spring_forward_day_has_no_two_oclock() -> None:
    """Sunday 29 March 2026 in Berlin has 23 hours; as an observed day it has no 02:00, so
    the 02:00 forecast of 5 April averages the other days only."""
    at = [
        datetime(2026, 3, 22, 2, 15, tzinfo=BERLIN),
        datetime(2026, 3, 29, 3, 15, tzinfo=BERLIN),
        datetime(2026, 3, 22, 3, 15, tzinfo=BERLIN),
        datetime(2026, 3, 22, 3, 16, tzinfo=BERLIN),
    ]
    spring = forecast_from_history(
        at, date(2026, 3, 29), timezone="Europe/Berlin", interval=H, lookback=1
    )
    assert len(spring) == 23
    assert time(2) not in {r.start.time() for r in spring}
    after = forecast_from_history(
        at, date(2026, 4, 5), timezone="Europe/Berlin", interval=H, lookback=2
    )
    hours = {r.start.time(): r.arrivals for r in after}
    assert hours[time(2)] == 1.0  # 22 March alone had a 02:00
    assert hours[time(3)] == 1.5  # (2 + 1) / 2


def test_feeds_a_staffing_plan() -> None:
    at = [datetime(2026, 3, d, 9, m, tzinfo=JKT) for d in (2, 9) for m in range(0, 60, 2)]
    f = forecast_from_history(
        at, date(2026, 3, 16), timezone="Asia/Jakarta", lookback=2, interval=H
    )
    plan = staffing_plan(f, timedelta(minutes=3), timedelta(seconds=20), 0.8)
    assert len(plan.intervals) == 24
    nine = plan.intervals[9]
    assert nine.start == datetime(2026, 3, 16, 9, tzinfo=JKT)
    assert nine.arrivals == 30.0
    assert (
        plan.peak_agents
        == staffing_plan(
            [ForecastInterval(nine.start, H, 30.0)],
            timedelta(minutes=3),
            timedelta(seconds=20),
            0.8,
        ).peak_agents
    )
    assert isinstance(f, HistoryForecast)


def test_arrivals_read_once_from_a_generator() -> None:
    gen = (datetime(2026, 3, 2, 9, m, tzinfo=JKT) for m in range(10))
    f = forecast_from_history(gen, date(2026, 3, 9), timezone="Asia/Jakarta", lookback=1)
    assert f.counted == 10
    assert f.total == 10.0


# -- bad input ---------------------------------------------------------------------------------

DAY = date(2026, 3, 23)


@pytest.mark.parametrize(
    ("kwargs", "path", "fragment"),
    [
        ({"timezone": "Mars/Olympus"}, None, "Mars/Olympus"),
        ({"timezone": bad(7)}, None, "IANA"),
        ({"interval": timedelta(minutes=7)}, None, "divides a day"),
        ({"interval": timedelta(seconds=30)}, None, "whole number of minutes"),
        ({"interval": timedelta(seconds=90)}, None, "whole number of minutes"),
        ({"interval": bad(30)}, None, "timedelta"),
        ({"lookback": 0}, None, "'lookback'"),
        ({"lookback": 367}, None, "367"),
        ({"lookback": bad(True)}, None, "'lookback'"),
        ({"same_weekday": bad(1)}, None, "'same_weekday'"),
        ({"exclude": bad("2026-03-16")}, None, "'exclude'"),
        ({"exclude": [datetime(2026, 3, 16, tzinfo=UTC)]}, None, "exclude[0]"),
        ({"day": bad(datetime(2026, 3, 23, tzinfo=UTC))}, None, "'day'"),
        ({"arrivals": [datetime(2026, 3, 16, 9)]}, "arrivals[0]", "timezone-aware"),
        ({"arrivals": [datetime(2026, 3, 16, 9, tzinfo=UTC), "09:00"]}, "arrivals[1]", "'09:00'"),
        ({"arrivals": bad(5)}, None, "'arrivals'"),
        ({"day": date(1, 1, 8), "lookback": 2}, "lookback", "expected 2"),
        ({"day": date(9999, 12, 31)}, "day", "9999-12-31"),
    ],
)
def test_bad_input_is_a_config_error(
    kwargs: dict[str, Any], path: str | None, fragment: str
) -> None:
    args: dict[str, Any] = {"arrivals": [], "day": DAY, "timezone": "Asia/Jakarta", **kwargs}
    with pytest.raises(ConfigError) as err:
        forecast_from_history(args.pop("arrivals"), args.pop("day"), **args)
    assert fragment in str(err.value)
    if path is not None:
        assert err.value.path == path


def test_bounds_of_a_day_and_an_interval() -> None:
    """An arrival at an observed day's local midnight is its first interval's; one at the
    next midnight belongs to the next day, and is not counted."""
    at = [
        datetime(2026, 3, 16, 0, 0, tzinfo=JKT),
        datetime(2026, 3, 16, 23, 59, 59, 999_999, tzinfo=JKT),
        datetime(2026, 3, 17, 0, 0, tzinfo=JKT),
        datetime(2026, 3, 16, 0, 30, tzinfo=JKT),
    ]
    f = forecast_from_history(at, date(2026, 3, 23), timezone="Asia/Jakarta", lookback=1)
    assert [r.arrivals for r in f][:2] == [1.0, 1.0]
    assert f.intervals[-1].arrivals == 1.0
    assert f.counted == 3


def test_an_observed_fall_back_day_is_read_at_its_first_repeated_hour() -> None:
    """Observed Sunday 25 October 2026 in Berlin: its second 02:00 hour is not an ordinary
    Sunday's 02:00; the first one is."""
    first = datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN)  # fold=0: CEST
    second = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN)  # an hour later: CET
    assert second.astimezone(UTC) - first.astimezone(UTC) == H
    f = forecast_from_history(
        [second, second.astimezone(UTC) + MIN],
        date(2026, 11, 1),
        timezone="Europe/Berlin",
        interval=H,
        lookback=1,
    )
    hours = {r.start.time(): r.arrivals for r in f}
    assert hours[time(2)] == 0.0
    assert f.counted == 2
    g = forecast_from_history(
        [first], date(2026, 11, 1), timezone="Europe/Berlin", interval=H, lookback=1
    )
    assert {r.start.time(): r.arrivals for r in g}[time(2)] == 1.0


def _hourly_sundays(zone: ZoneInfo, sundays: list[date], per_hour: int = 6) -> list[datetime]:
    """*per_hour* arrivals in every real hour of each Sunday (at :05, :15, ...)."""
    out = []
    for d in sundays:
        t = naive_day_start(d, zone)
        end = naive_day_start(d + timedelta(days=1), zone)
        while t < end:
            out += [t + timedelta(minutes=5 + 10 * k) for k in range(per_hour)]
            t += H
    return out


def test_intervals_that_do_not_fit_the_clock_change_take_their_wall_clock_counterparts() -> None:
    """Berlin springs forward at 02:00 on 29 March 2026.  With two-hour intervals the first
    runs from 00:00 to 04:00 on the wall clock, three real hours, and is forecast as three
    ordinary hours; the day holds 23 hours of traffic.  With 45-minute intervals on the
    25-hour fall-back day (25 October) every interval is forecast too."""
    ordinary = [date(2026, 3, 1), date(2026, 3, 8), date(2026, 3, 15), date(2026, 3, 22)]
    at = _hourly_sundays(BERLIN, ordinary)
    spring = forecast_from_history(
        at, date(2026, 3, 29), timezone="Europe/Berlin", interval=2 * H, lookback=4
    )
    assert [(r.start.hour, r.duration, r.arrivals) for r in spring][:2] == [
        (0, 3 * H, 18.0),
        (4, 2 * H, 12.0),
    ]
    assert len(spring) == 11
    assert spring.total == pytest.approx(6 * 23)
    autumn_days = [date(2026, 10, 4), date(2026, 10, 11), date(2026, 10, 18)]
    autumn = forecast_from_history(
        _hourly_sundays(BERLIN, autumn_days),
        date(2026, 10, 25),
        timezone="Europe/Berlin",
        interval=timedelta(minutes=45),
        lookback=3,
    )
    assert autumn.total == pytest.approx(6 * 25)
    assert all(r.arrivals > 0 for r in autumn)
    # The grid's 02:15 comes twice (CEST, then CET), each an hour of traffic: its 45 minutes
    # and the first quarter hour of the repeated pass.
    twice = [r for r in autumn if r.start.hour == 2]
    assert [(r.start.minute, r.start.fold, r.duration) for r in twice] == [
        (15, 0, H),
        (15, 1, timedelta(minutes=45)),
    ]
    assert [r.arrivals for r in twice] == [6.0, 5.0]  # arrivals at :05, :15 ... :55


@given(st.lists(st.integers(0, 59), min_size=1, max_size=40), st.integers(1, 7))
def test_an_interval_forecast_is_its_count_over_the_days_rounded_once(
    minutes: list[int], lookback: int
) -> None:
    # Arrivals spread over the minutes of one hour of the past Mondays: the forecast is the
    # exact mean, not a sum of per-minute thirds (six over three days is 2.0, not 1.99...).
    jkt = ZoneInfo("Asia/Jakarta")
    past = [
        datetime(2026, 3, 16, 9, m, tzinfo=jkt) - timedelta(weeks=i % lookback)
        for i, m in enumerate(minutes)
    ]
    f = forecast_from_history(
        past, date(2026, 3, 23), timezone="Asia/Jakarta", lookback=lookback,
        interval=timedelta(hours=1),
    )  # fmt: skip
    assert f.intervals[9].arrivals == len(minutes) / lookback

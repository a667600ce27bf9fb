"""`forecast_from_history` against a count by hand, interval by interval.

The reference counts, for each interval of the day forecast and each day averaged, the
arrivals whose local date is that day and whose local time of day falls in the interval, and
takes the mean: on days of one UTC offset, which is every day in Asia/Jakarta.  Days the
clocks change are checked on worked examples.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.staffing import forecast_from_history

ZONES = ["Asia/Jakarta", "Europe/Berlin", "America/New_York"]


def plain(d: date, zone: ZoneInfo) -> bool:
    """The local day *d* has one UTC offset throughout."""
    offsets = {
        datetime.combine(d + timedelta(days=k), time(h), zone).utcoffset()
        for k, h in ((0, 0), (0, 12), (1, 0))
    }
    return len(offsets) == 1


@settings(max_examples=60)
@given(
    st.sampled_from(ZONES),
    st.dates(date(2025, 1, 1), date(2027, 12, 31)),
    st.integers(1, 5),
    st.sampled_from([None, True, False]),
    st.sampled_from([5, 15, 30, 60, 90, 180, 1440]),
    st.lists(
        st.tuples(
            st.sampled_from([1, 2, 3, 4, 5, 7, 14, 21, 28, 35]) | st.integers(0, 40),
            st.integers(-3600, 90_000),
        ),
        max_size=150,
    ),
    st.sets(st.integers(1, 6), max_size=2),
    st.sampled_from(["UTC", "Asia/Tokyo", None]),
)
def test_each_interval_is_the_mean_of_its_counts_on_the_days_averaged(
    zone_name: str,
    day: date,
    lookback: int,
    same_weekday: bool | None,
    minutes: int,
    raw: list[tuple[int, int]],
    left_out: set[int],
    written_in: str | None,
) -> None:
    zone = ZoneInfo(zone_name)
    period = timedelta(days=1 if same_weekday is False else 7)
    exclude = {day - k * period for k in left_out}
    averaged = [d for d in (day - k * period for k in range(1, 12)) if d not in exclude][:lookback]
    shown = zone if written_in is None else ZoneInfo(written_in)
    arrivals = [
        (
            datetime.combine(day - timedelta(days=back), time(0), zone).astimezone(UTC)
            + timedelta(seconds=s)
        ).astimezone(shown)
        for back, s in raw
    ]
    forecast = forecast_from_history(
        arrivals,
        day,
        timezone=zone_name,
        interval=timedelta(minutes=minutes),
        lookback=lookback,
        same_weekday=same_weekday,
        exclude=exclude,
    )
    assert list(forecast.days) == averaged
    local = [a.astimezone(zone) for a in arrivals]
    assert forecast.counted == sum(1 for a in local if a.date() in averaged)
    if not all(plain(d, zone) for d in [day, *averaged]):
        return
    assert len(forecast) == 1440 // minutes
    for j, row in enumerate(forecast.intervals):
        count = sum(
            1
            for a in local
            if a.date() in averaged and j * minutes <= a.hour * 60 + a.minute < (j + 1) * minutes
        )
        assert row.arrivals == float(Fraction(count, len(averaged)))
        assert row.start == datetime.combine(day, time(0), zone) + j * timedelta(minutes=minutes)
        assert row.duration == timedelta(minutes=minutes)


def _hourly_history(zone: ZoneInfo, day: date) -> list[datetime]:
    """Three weeks back from *day*: hour h of each observed day brings h + 1 arrivals."""
    return [
        datetime.combine(day - timedelta(weeks=w), time(h, 7), zone)
        for w in (1, 2, 3)
        for h in range(24)
        for _ in range(h + 1)
    ]


def test_a_spring_forward_day_forecasts_the_hours_it_has() -> None:
    # Berlin, 29 March 2026: 02:00-03:00 skipped.  23 intervals; 03:00 reads the ordinary
    # 03:00 (4 arrivals); the day's total is 300 - 3 (the skipped hour's count).
    zone = ZoneInfo("Europe/Berlin")
    day = date(2026, 3, 29)
    f = forecast_from_history(
        _hourly_history(zone, day),
        day,
        timezone="Europe/Berlin",
        lookback=3,
        interval=timedelta(hours=1),
    )
    assert len(f) == 23
    assert [(r.start.hour, r.arrivals) for r in f.intervals[:4]] == [
        (0, 1.0),
        (1, 2.0),
        (3, 4.0),
        (4, 5.0),
    ]
    assert all(r.duration == timedelta(hours=1) for r in f.intervals)
    assert f.total == 297.0


def test_a_fall_back_day_forecasts_the_repeated_hour_twice() -> None:
    # New York, 1 November 2026: 01:00-02:00 comes twice, each read from ordinary days' 01:00.
    zone = ZoneInfo("America/New_York")
    day = date(2026, 11, 1)
    f = forecast_from_history(
        _hourly_history(zone, day),
        day,
        timezone="America/New_York",
        lookback=3,
        interval=timedelta(hours=1),
    )
    assert len(f) == 25
    assert [(r.start.hour, r.start.fold, r.arrivals) for r in f.intervals[:4]] == [
        (0, 0, 1.0),
        (1, 0, 2.0),
        (1, 1, 2.0),
        (2, 0, 3.0),
    ]
    assert f.total == 302.0
    # Intervals are back to back in real time.
    for a, b in zip(f.intervals, f.intervals[1:], strict=False):
        assert a.end == b.start

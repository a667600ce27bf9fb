"""The last instants of the range of dates: an always-open calendar is open at every one of
them, and ``add_us`` never answers an instant its calendar's zone cannot date.

9999-12-31T23:59:59.999999Z is the last instant a ``datetime`` holds; a calendar open then is
open at it (``is_open``) and opens at it (``next_open``).  East of UTC the zone's last date ends
before it, at local midnight of the year 10000: ``add`` refuses a deadline there, and so must
``add_us``, or ``elapsed_us`` could not measure its own answer back.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import BusinessCalendar
from csflow._time import MAX_US
from csflow.errors import CalendarError

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US = timedelta(microseconds=1)
HOUR_US = 3_600_000_000
LAST = datetime.max.replace(tzinfo=UTC)  # 9999-12-31T23:59:59.999999Z, a Friday


def us_of(value: datetime) -> int:
    return (value - EPOCH) // US


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Etc/GMT+12", "Pacific/Pago_Pago"])
def test_always_open_is_open_at_the_last_instant(zone: str) -> None:
    cal = BusinessCalendar.always_open(zone)
    assert us_of(LAST) == MAX_US
    assert cal.is_open(LAST)
    assert cal.is_open_us(MAX_US)
    assert cal.next_open_us(MAX_US) == MAX_US
    assert cal.next_open(LAST) == LAST
    # The hour before it counts whole, up to the last instant (inside [a, b]).
    assert cal.elapsed_us(MAX_US - HOUR_US, MAX_US) == HOUR_US


def test_a_span_to_midnight_is_open_at_the_last_instant() -> None:
    cal = BusinessCalendar("UTC", weekly={"fri": [("23:00", "24:00")]})
    assert cal.is_open(LAST)
    assert cal.next_open(datetime(9999, 12, 31, 22, tzinfo=UTC)) == datetime(
        9999, 12, 31, 23, tzinfo=UTC
    )
    assert cal.next_open(LAST) == LAST
    # The deadline is the interval's end, which no datetime holds: refused, in both forms.
    start = datetime(9999, 12, 31, 23, tzinfo=UTC)
    with pytest.raises(CalendarError):
        cal.add(start, timedelta(hours=1))
    with pytest.raises(CalendarError):
        cal.add_us(us_of(start), HOUR_US)
    assert cal.add_us(us_of(start), HOUR_US - 1) == MAX_US


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "Asia/Jakarta", "Pacific/Kiritimati"])
def test_add_us_refuses_local_midnight_of_the_year_10000(zone: str) -> None:
    cal = BusinessCalendar.always_open(zone)
    start = datetime(9999, 12, 31, 23, tzinfo=ZoneInfo(zone))
    t = us_of(start)
    with pytest.raises(CalendarError):
        cal.add(start, timedelta(hours=1))
    with pytest.raises(CalendarError, match="outside the supported range of dates"):
        cal.add_us(t, HOUR_US)
    # One µs less is the last instant of 9999-12-31 on the zone's wall clock: an answer.
    u = cal.add_us(t, HOUR_US - 1)
    assert cal.elapsed_us(t, u) == HOUR_US - 1


ZONES = ["Asia/Tokyo", "Asia/Jakarta", "Pacific/Kiritimati", "UTC", "America/New_York"]


@settings(max_examples=150)
@given(
    zone=st.sampled_from(ZONES),
    weekly=st.sampled_from(
        [
            None,
            {"fri": [("22:00", "24:00")], "thu": [("23:00", "24:00")]},
            {"fri": [("00:00", "24:00")]},
        ]
    ),
    back=st.integers(min_value=0, max_value=3 * 24 * HOUR_US),
    d=st.integers(min_value=1, max_value=3 * 24 * HOUR_US),
)
def test_add_us_is_measured_back_near_the_end_of_the_range(
    zone: str, weekly: dict[str, list[tuple[str, str]]] | None, back: int, d: int
) -> None:
    """Whatever ``add_us`` answers, ``elapsed_us`` measures back (the law of the docs)."""
    cal = (
        BusinessCalendar.always_open(zone)
        if weekly is None
        else BusinessCalendar(zone, weekly=weekly)
    )
    # A start the zone dates: up to three days before its last datable instant.
    end = min(us_of(datetime.max.replace(tzinfo=ZoneInfo(zone))), MAX_US)
    t = end - back
    try:
        u = cal.add_us(t, d)
    except CalendarError:
        with pytest.raises(CalendarError):
            cal.add(datetime.fromtimestamp(0, UTC) + t * US, d * US)
        return
    assert cal.elapsed_us(t, u) == d
    assert us_of(cal.add(datetime.fromtimestamp(0, UTC) + t * US, d * US)) == u


def test_add_us_answers_the_midnight_that_ends_a_year() -> None:
    """A deadline at 24:00 on 31 December is the next year's first instant: an answer."""
    cal = BusinessCalendar("Asia/Tokyo", weekly={"thu": [("23:00", "24:00")]})
    start = datetime(2026, 12, 31, 23, tzinfo=ZoneInfo("Asia/Tokyo"))  # a Thursday
    cal.is_open(start)  # the year at hand is 2026 only
    assert (
        cal.add_us(us_of(start), HOUR_US) == us_of(datetime(2027, 1, 1, tzinfo=UTC)) - 9 * HOUR_US
    )

"""BusinessCalendar: construction, validation, plain-data form and edge cases.

The laws against an independent day-by-day reference live in ``test_calendar_reference.py``;
worked desk examples in ``test_calendar_examples.py``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csflow import BusinessCalendar, CalendarError, ConfigError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def office(**kwargs: object) -> BusinessCalendar:
    return BusinessCalendar(
        "Asia/Jakarta",
        weekly={d: [("08:00", "12:00"), ("13:00", "17:00")] for d in WEEKDAYS},
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("weekly", "match"),
    [
        ({"monday": [("09:00", "17:00")]}, r"'weekly' keys must be one of .* got 'monday'"),
        ({"mon": [("17:00", "09:00")]}, r"must start before it ends, got \('17:00', '09:00'\)"),
        ({"mon": [("09:00", "09:00")]}, r"must start before it ends"),
        ({"mon": [("09:00", "25:00")]}, r"'HH:MM' string from '00:00' to '24:00', got '25:00'"),
        ({"mon": [("24:00", "24:00")]}, r"'24:00' is allowed only as the end"),
        ({"mon": [("09:00", "12:00"), ("11:00", "13:00")]}, r"must not overlap"),
        ({"mon": [("13:00", "17:00"), ("09:00", "12:00")]}, r"must be sorted"),
        ({"mon": [("9:00", "12:00")]}, r"got '9:00'"),
        ({"mon": [("09:00",)]}, r"must be a pair"),
        ({"mon": "09:00-17:00"}, r"must be a list of"),
        ({"mon": [(900, 1700)]}, r"must be an 'HH:MM' string, got 900"),
    ],
)
def test_bad_weekly_spans_raise_calendar_error(weekly: object, match: str) -> None:
    with pytest.raises(CalendarError, match=match):
        BusinessCalendar("UTC", weekly=weekly)  # type: ignore[arg-type]


def test_unknown_zone_and_bad_dates_raise() -> None:
    with pytest.raises(CalendarError, match=r"IANA time zone name, got 'Mars/Olympus'"):
        BusinessCalendar("Mars/Olympus")
    with pytest.raises(CalendarError, match=r"IANA time zone name, got '\.\./etc/passwd'"):
        BusinessCalendar("../etc/passwd")
    with pytest.raises(CalendarError, match=r"keys must be datetime.date values, got '2026-01-01'"):
        BusinessCalendar("UTC", holidays=["2026-01-01"])  # type: ignore[list-item]
    with pytest.raises(CalendarError, match=r"keys must be datetime.date values, got datetime"):
        BusinessCalendar("UTC", special_days={datetime(2026, 1, 1, tzinfo=UTC): []})


def test_time_objects_are_accepted_as_bounds() -> None:
    a = BusinessCalendar("UTC", weekly={"mon": [(time(9), "17:00")]})
    b = BusinessCalendar("UTC", weekly={"mon": [("09:00", "17:00")]})
    assert a == b
    assert a.weekly_hours == timedelta(hours=8)


def test_naive_and_non_datetime_inputs_raise() -> None:
    cal = office()
    naive = datetime(2026, 3, 2, 9, 0)
    with pytest.raises(CalendarError, match=r"'at' must be timezone-aware, got datetime"):
        cal.is_open(naive)
    with pytest.raises(CalendarError, match=r"'start' must be timezone-aware"):
        cal.add(naive, timedelta(hours=1))
    with pytest.raises(CalendarError, match=r"'end' must be timezone-aware"):
        cal.elapsed(datetime(2026, 3, 2, tzinfo=UTC), naive)
    with pytest.raises(CalendarError, match=r"'at' must be a timezone-aware datetime, got '2026"):
        cal.next_open("2026-03-02T09:00:00+07:00")  # type: ignore[arg-type]
    with pytest.raises(CalendarError, match=r"'duration' must be a datetime.timedelta, got 3600"):
        cal.add(datetime(2026, 3, 2, tzinfo=UTC), 3600)  # type: ignore[arg-type]
    with pytest.raises(CalendarError, match=r"'duration' must not be negative"):
        cal.add(datetime(2026, 3, 2, tzinfo=UTC), timedelta(seconds=-1))
    with pytest.raises(CalendarError, match=r"'end' must not be before 'start'"):
        cal.elapsed(datetime(2026, 3, 2, 1, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC))


def test_calendar_with_no_hours_never_opens() -> None:
    closed = BusinessCalendar("UTC", special_days={date(2026, 1, 5): [("09:00", "10:00")]})
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert closed.add(start, timedelta(minutes=30)) == datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    assert closed.elapsed(start, datetime(2027, 1, 1, tzinfo=UTC)) == timedelta(hours=1)
    with pytest.raises(CalendarError, match=r"never opens again"):
        closed.add(start, timedelta(hours=2))
    with pytest.raises(CalendarError, match=r"never opens again"):
        closed.next_open(datetime(2026, 1, 6, tzinfo=UTC))
    with pytest.raises(CalendarError, match=r"never opens again"):
        BusinessCalendar("UTC").next_open(start)


def test_special_day_wins_over_holiday_and_empty_special_day_closes() -> None:
    d = date(2026, 12, 12)  # a Saturday: closed on the weekly pattern
    cal = office(holidays={d: "also a holiday"}, special_days={d: [("08:00", "22:00")]})
    wib = cal.zone
    assert cal.is_open(datetime(2026, 12, 12, 21, 59, tzinfo=wib))
    assert not cal.is_open(datetime(2026, 12, 12, 22, 0, tzinfo=wib))
    monday = date(2026, 12, 14)
    closed = office(special_days={monday: []})
    assert not closed.is_open(datetime(2026, 12, 14, 10, tzinfo=wib))
    assert closed.next_open(datetime(2026, 12, 14, 10, tzinfo=wib)) == datetime(
        2026, 12, 15, 8, tzinfo=wib
    )


def test_results_are_in_the_calendar_zone() -> None:
    cal = office()
    got = cal.add(datetime(2026, 3, 2, 1, 0, tzinfo=UTC), timedelta(hours=1))
    assert got.tzinfo is cal.zone
    assert got == datetime(2026, 3, 2, 9, 0, tzinfo=cal.zone)
    assert cal.next_open(datetime(2026, 3, 2, 5, 30, tzinfo=UTC)).tzinfo is cal.zone


def test_holidays_accept_any_mapping_or_iterable_of_dates() -> None:
    lebaran = [date(2026, 3, 20), date(2026, 3, 21)]
    assert office(holidays=lebaran).holidays == dict.fromkeys(lebaran, "holiday")
    named = office(holidays=dict.fromkeys(lebaran, "Idul Fitri"))
    assert named.holidays[date(2026, 3, 20)] == "Idul Fitri"
    with pytest.raises(TypeError):
        named.holidays[date(2026, 1, 1)] = "x"  # type: ignore[index]


def test_from_dict_round_trips_and_reports_paths() -> None:
    cal = office(
        holidays={date(2026, 3, 20): "Idul Fitri"},
        special_days={date(2026, 12, 12): [("08:00", "22:00")]},
    )
    again = BusinessCalendar.from_dict(cal.to_dict())
    assert again == cal
    assert again.to_dict() == cal.to_dict()
    assert BusinessCalendar.from_dict({"timezone": "UTC", "always_open": True}) == (
        BusinessCalendar.always_open("UTC")
    )
    # An always-open flag that is not a boolean is refused at its path: read as "not always
    # open", "true" or 1 from a hand-written file would make a calendar that never opens.
    assert BusinessCalendar.from_dict({"timezone": "UTC", "always_open": False}) == (
        BusinessCalendar("UTC")
    )
    for flag in ("true", 1, None):
        with pytest.raises(
            ConfigError, match=rf"^calendar.always_open: expected true or false, got {flag!r}"
        ):
            BusinessCalendar.from_dict({"timezone": "UTC", "always_open": flag})
    with pytest.raises(ConfigError, match=r"^desk.calendars.office: unknown key 'hours'") as info:
        BusinessCalendar.from_dict({"hours": {}}, path="desk.calendars.office")
    assert info.value.path == "desk.calendars.office"
    with pytest.raises(ConfigError, match=r"^calendar.holidays: expected an ISO date"):
        BusinessCalendar.from_dict({"timezone": "UTC", "holidays": ["20-03-2026"]})
    with pytest.raises(ConfigError, match=r"^calendar.weekly.mon\[0\]: end must"):
        BusinessCalendar.from_dict({"timezone": "UTC", "weekly": {"mon": [["09:00", "99:00"]]}})
    with pytest.raises(ConfigError, match=r"^calendar: expected a mapping, got \[\]"):
        BusinessCalendar.from_dict([])


def test_always_open_counts_wall_time_across_dst() -> None:
    cal = BusinessCalendar.always_open("America/New_York")
    ny = cal.zone
    day = cal.elapsed(datetime(2026, 3, 8, tzinfo=ny), datetime(2026, 3, 9, tzinfo=ny))
    assert day == timedelta(hours=23)
    day = cal.elapsed(datetime(2026, 11, 1, tzinfo=ny), datetime(2026, 11, 2, tzinfo=ny))
    assert day == timedelta(hours=25)


@given(
    st.datetimes(
        min_value=datetime(1990, 1, 1), max_value=datetime(2060, 1, 1), timezones=st.just(UTC)
    ),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3000)),
)
def test_add_and_elapsed_are_inverse_over_decades(start: datetime, d: timedelta) -> None:
    cal = office(
        holidays={date(y, 1, 1): "New Year" for y in range(1990, 2070)},
        special_days={date(2030, 12, 12): [("08:00", "22:00")]},
    )
    end = cal.add(start, d)
    assert end >= start
    assert cal.elapsed(start, end) == d
    if d:
        assert cal.elapsed(start, end - timedelta(microseconds=1)) < d


def test_far_instants_and_year_boundaries() -> None:
    cal = office()
    start = datetime(2026, 12, 31, 16, tzinfo=cal.zone)
    assert cal.add(start, timedelta(hours=2)) == datetime(2027, 1, 1, 9, tzinfo=cal.zone)
    far = datetime(9999, 12, 30, 12, tzinfo=UTC)
    with pytest.raises(CalendarError, match=r"outside the supported range"):
        cal.add(far, timedelta(days=10))


def test_a_digest_changes_with_business_time_and_not_with_names() -> None:
    """The digest a snapshot's clocks record: the same for calendars that count business time
    alike (a holiday renamed, given as a list of dates, special days in another order), and
    different when the hours, a holiday date, a special day or the zone differ."""
    base = office(holidays={date(2026, 3, 20): "Idul Fitri"})
    alike = [
        office(holidays={date(2026, 3, 20): "Hari Raya Idul Fitri"}),
        office(holidays=[date(2026, 3, 20)]),
        # A holiday on a closed Sunday, a special day with its weekday's own hours, and the
        # morning split at 10:00 into two spans that touch: the same business time.
        office(holidays=[date(2026, 3, 20), date(2026, 3, 22)]),
        office(
            holidays=[date(2026, 3, 20)],
            special_days={date(2026, 3, 23): [("08:00", "12:00"), ("13:00", "17:00")]},
        ),
        BusinessCalendar(
            "Asia/Jakarta",
            weekly={
                d: [("08:00", "10:00"), ("10:00", "12:00"), ("13:00", "17:00")] for d in WEEKDAYS
            },
            holidays=[date(2026, 3, 20)],
        ),
    ]
    assert {c.digest for c in alike} == {base.digest}
    assert len(base.digest) == 16
    differ = [
        office(),
        office(holidays={date(2026, 3, 19): "Idul Fitri"}),
        office(
            holidays={date(2026, 3, 20): "Idul Fitri"},
            special_days={date(2026, 12, 12): [("08:00", "22:00")]},
        ),
        BusinessCalendar.from_dict({**base.to_dict(), "timezone": "Asia/Makassar"}),
    ]
    assert len({c.digest for c in differ} | {base.digest}) == len(differ) + 1

"""Calendar fixes: a day lists at most 48 spans and a run of years holds a bounded number of
intervals (a small hostile document stays cheap); zone names that are not IANA ones
(``localtime``, ``posixrules``, ``Factory``, the ``posix/`` and ``right/`` copies) are refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calendar_oracle import Spec
from csflow import BusinessCalendar, CalendarError, ConfigError, DeskConfig
from csflow import calendar as calendar_module
from csflow.calendar import DAY_KEYS
from strategies import DAY, Span, datetime_of, day_spans, hhmm, us_of

#: Half-hour spans all day, with a minute's gap between them: 48 intervals a date.
DENSE: tuple[Span, ...] = tuple((hhmm(m), hhmm(m + 29)) for m in range(0, 1440, 30))


def spans(count: int) -> list[list[str]]:
    return [[hhmm(m), hhmm(m + 1)] for m in range(0, 2 * count, 2)]


# -- at most 48 spans a day --------------------------------------------------------------------


def test_a_day_of_48_spans_is_accepted_everywhere() -> None:
    cal = BusinessCalendar(
        "Europe/Berlin",
        weekly={"mon": DENSE},
        special_days={date(2026, 3, 4): DENSE},
    )
    assert len(cal.weekly["mon"]) == 48
    assert cal.weekly_hours == timedelta(minutes=48 * 29)
    assert BusinessCalendar.from_dict(cal.to_dict()) == cal
    # Wednesday 2026-03-04 opens like a Monday: 48 spans of 29 minutes.
    wed = datetime(2026, 3, 4, tzinfo=ZoneInfo("Europe/Berlin"))
    assert cal.elapsed(wed, wed + timedelta(days=1)) == timedelta(minutes=48 * 29)


@pytest.mark.parametrize("count", [49, 720])
def test_the_constructor_refuses_a_day_of_more_than_48_spans(count: int) -> None:
    with pytest.raises(
        CalendarError, match=rf"^weekly\['tue'\] must list at most 48 spans, got {count}$"
    ):
        BusinessCalendar("UTC", weekly={"tue": spans(count)})
    with pytest.raises(
        CalendarError,
        match=rf"^special_days\[2026-03-04\] must list at most 48 spans, got {count}$",
    ):
        BusinessCalendar("UTC", special_days={date(2026, 3, 4): spans(count)})


def test_an_iterator_of_spans_is_refused_without_reading_it_all() -> None:
    def endless() -> object:
        m = 0
        while True:
            yield (hhmm(m % 1440), hhmm(m % 1440 + 1))
            m += 2

    with pytest.raises(CalendarError, match=r"^weekly\['mon'\] must list at most 48 spans"):
        BusinessCalendar("UTC", weekly={"mon": endless()})  # type: ignore[dict-item]


def test_from_dict_names_the_day_that_lists_too_many_spans() -> None:
    doc = {"timezone": "Asia/Jakarta", "weekly": {"mon": spans(48), "fri": spans(49)}}
    with pytest.raises(ConfigError) as info:
        BusinessCalendar.from_dict(doc, "calendars.office")
    assert info.value.path == "calendars.office.weekly.fri"
    assert "must list at most 48 spans, got 49" in str(info.value)
    doc = {"timezone": "Asia/Jakarta", "special_days": {"2026-03-04": spans(49)}}
    with pytest.raises(ConfigError) as info:
        BusinessCalendar.from_dict(doc)
    assert info.value.path == "calendar.special_days.2026-03-04"


# -- runs hold a bounded number of intervals ----------------------------------------------------


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Jakarta"])
def test_a_dense_calendar_keeps_its_runs_small(zone: str) -> None:
    """48 spans every day: a year is about 17,500 intervals, so a run holds one year, and
    the runs at hand stay within the interval limit however many years are asked about
    (before, a run grew to 32 such years: hundreds of MiB)."""
    cal = BusinessCalendar(zone, weekly=dict.fromkeys(DAY_KEYS, DENSE))
    limit = 32 * 366 * 2  # calendar._RUN_INTERVALS: two spans every date of 32 years
    for year in range(2026, 2032):
        assert cal.is_open(datetime(year, 6, 1, 12, 10, tzinfo=UTC))
        for run in (cal._hot, cal._warm):
            assert len(run.starts) <= limit
    # Answers across the runs are those of the years one by one.
    tz = ZoneInfo(zone)
    new_years = [datetime(year, 1, 1, tzinfo=tz) for year in range(2026, 2032)]
    years = [cal.elapsed(a, b) for a, b in pairwise(new_years)]
    total = sum(years, timedelta(0))
    assert cal.elapsed(new_years[0], new_years[-1]) == total
    assert cal.add(new_years[0], total) == datetime(2030, 12, 31, 23, 59, tzinfo=tz)
    assert limit == calendar_module._RUN_INTERVALS
    if zone == "Asia/Jakarta":  # no DST: 48 x 29 minutes every day
        assert years == [
            (b.date() - a.date()).days * timedelta(minutes=48 * 29) for a, b in pairwise(new_years)
        ]


ZONES = ("America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Jakarta")


@st.composite
def calendars(draw: st.DrawFn) -> Spec:
    zone = draw(st.sampled_from(ZONES))
    weekly: dict[str, tuple[Span, ...]] = {}
    for key in DAY_KEYS:
        weekly[key] = draw(st.one_of(day_spans(15, (0, 120, 150, 180, 1440)), st.just(DENSE)))
    listed = st.dates(date(2025, 1, 1), date(2031, 12, 31))
    holidays = draw(st.frozensets(listed, max_size=3))
    special = draw(st.dictionaries(listed, st.sampled_from(((), DENSE[:3], DENSE)), max_size=3))
    return Spec(zone, weekly, holidays, special)


def mid_year(year: int) -> int:
    return us_of(datetime(year, 7, 1, tzinfo=UTC))


@settings(max_examples=40, deadline=None)
@given(
    data=st.data(),
    spec=calendars(),
    limit=st.sampled_from((0, 400, 3000)),
    touched=st.lists(st.integers(2025, 2031), max_size=6),
)
def test_answers_do_not_depend_on_the_interval_limit(
    data: st.DataObject, spec: Spec, limit: int, touched: list[int]
) -> None:
    """Runs cut short by the interval limit (0: every year its own run) give the answers of a
    calendar with the default limit; a run of more than one year holds at most the limit."""
    fresh = spec.build()
    zone = ZoneInfo(spec.zone)
    asks = []
    for _ in range(3):
        a = mid_year(data.draw(st.integers(2025, 2031), label="year"))
        a += data.draw(st.integers(-200 * DAY, 200 * DAY), label="shift")
        b = a + data.draw(st.integers(0, 4 * 365 * DAY), label="b - a")
        d = data.draw(st.integers(0, 3 * 365 * DAY), label="d")
        for method, args in (
            ("elapsed_us", (a, b)),
            ("add_us", (a, d)),
            ("elapsed", (datetime_of(a, zone), datetime_of(b, zone))),
            ("add", (datetime_of(a, zone), timedelta(microseconds=d))),
        ):
            try:
                want: object = getattr(fresh, method)(*args)
            except CalendarError:
                want = CalendarError
            asks.append((method, args, want))
    with mock.patch.object(calendar_module, "_RUN_INTERVALS", limit):
        used = spec.build()
        for year in touched:
            used.is_open_us(mid_year(year))
        for method, args, want in asks:
            try:
                got: object = getattr(used, method)(*args)
            except CalendarError:
                got = CalendarError
            assert got == want, (method, args)
            for run in (used._hot, used._warm):
                if run.last_year > run.first_year:
                    assert len(run.starts) <= limit


# -- zone names --------------------------------------------------------------------------------

NOT_ZONES = ("localtime", "posixrules", "Factory", "posix/Europe/Berlin", "right/Europe/Berlin")


@pytest.mark.parametrize("name", NOT_ZONES)
def test_names_that_are_no_iana_zone_are_refused(name: str) -> None:
    message = rf"^'timezone' must be an IANA time zone name, got '{name}'$"
    with pytest.raises(CalendarError, match=message):
        BusinessCalendar(name, weekly={"mon": [("09:00", "17:00")]})
    with pytest.raises(CalendarError, match=message):
        BusinessCalendar.always_open(name)
    with pytest.raises(ConfigError) as info:
        BusinessCalendar.from_dict({"timezone": name, "always_open": True}, "calendars.c")
    assert info.value.path == "calendars.c.timezone"
    doc = {
        "calendars": {"c": {"timezone": name, "always_open": True}},
        "sla_policies": [{"name": "p", "calendar": "c", "targets": {"resolution": "PT8H"}}],
    }
    with pytest.raises(ConfigError, match="IANA time zone name"):
        DeskConfig.from_dict(doc)


@pytest.mark.parametrize(
    "name", ["UTC", "Etc/UTC", "Asia/Calcutta", "Asia/Kolkata", "US/Pacific", "Europe/Kiev"]
)
def test_iana_zones_and_their_links_are_accepted(name: str) -> None:
    cal = BusinessCalendar(name, weekly={"mon": [("09:00", "17:00")]})
    assert cal.timezone == name
    assert cal.zone is ZoneInfo(name)
    assert BusinessCalendar.from_dict(cal.to_dict()) == cal

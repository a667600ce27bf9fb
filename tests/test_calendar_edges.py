"""BusinessCalendar at its edges: every form of input, fresh and warm, against a reference.

A calendar converts datetimes in its own zone and in UTC without a zone lookup when their date
is ordinary (``add``, ``elapsed``, ``is_open`` through ``_local``), writes answers back from
per-interval wall-clock offsets (``walls``) instead of a zone lookup, and counts business time
on one scale per run of years.  These tests compare every entry point with a day-by-day
reference (tests/calendar_oracle.py, scanning two days either side of a date), and with
itself: fresh calendar against warm calendar, calendar-zone datetime against the same instant
in UTC, in a fixed-offset zone and as a pendulum ``DateTime``; and they pin the dates that are
24 hours long yet not ordinary (a repeated hour or a gap across midnight), and years 1 and 9999.

An answer is right only if it is the right instant *and* it is written the way converting the
instant to the zone writes it (same wall clock, ``utcoffset`` and ``fold``).  Note that
``result.astimezone(cal.zone)`` is no check of that: ``astimezone`` returns a datetime
unchanged when it already has that tzinfo, so :func:`canonical` goes through UTC.
"""

from __future__ import annotations

import copy
import functools
import pickle
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from calendar_checks import REVIEW, YEAR, canonical, outcome, short_runs, written
from calendar_oracle import NeverOpensError, RefCalendar, Spec
from csflow.calendar import DAY_KEYS, BusinessCalendar
from csflow.errors import CalendarError
from strategies import (
    DAY,
    HOUR,
    MINUTE,
    ONE_US,
    Span,
    datetime_of,
    day_spans,
    us_of,
)

__all__: list[str] = []


def assert_answer(got: datetime, want_us: int, cal: BusinessCalendar) -> None:
    """*got* is instant *want_us*, expressed in the calendar's zone as conversion writes it."""
    assert type(got) is datetime
    assert us_of(got) == want_us, (got, datetime_of(want_us, cal.zone))
    assert got.tzinfo is cal.zone
    assert written(got) == canonical(got, cal.zone), (got, datetime_of(want_us, cal.zone))


# --------------------------------------------------------------------------------------------
# Strategies: zones and years with odd transitions
# --------------------------------------------------------------------------------------------

# (zone, year): transitions at midnight (Santiago, Havana, Beirut), 30 minutes (Lord Howe),
# 2 hours (Troll), a skipped date (Apia 2011), 00:01 transitions whose overlap straddles
# midnight (St Johns, Goose Bay), a 23:30 spring-forward whose gap straddles midnight
# (Toronto 1919), ordinary ones (New York, London) and none (Jakarta, UTC).
SCENES: tuple[tuple[str, int], ...] = (
    ("UTC", 2026),
    ("Asia/Jakarta", 2026),
    ("America/New_York", 2026),
    ("Europe/London", 2026),
    ("Australia/Lord_Howe", 2026),
    ("America/Santiago", 2026),
    ("America/Havana", 2026),
    ("Asia/Beirut", 2026),
    ("Antarctica/Troll", 2026),
    ("Pacific/Apia", 2011),
    ("America/St_Johns", 2009),
    ("America/Goose_Bay", 2009),
    ("America/Toronto", 1919),
)
PLAIN_SCENES = SCENES[:9]


@functools.cache
def transitions(zone_name: str, year: int) -> tuple[int, ...]:
    """Instants in years year-1..year+1 where the zone's UTC offset changes (to the minute)."""
    zone = ZoneInfo(zone_name)
    lo = us_of(datetime(year - 1, 1, 1, tzinfo=UTC))
    hi = us_of(datetime(year + 2, 1, 1, tzinfo=UTC))

    def offset(us: int) -> timedelta | None:
        return datetime_of(us, zone).utcoffset()

    found = []
    t, before = lo, offset(lo)
    while t < hi:
        after = offset(t + DAY)
        if after != before:
            step = t
            for size in (HOUR, MINUTE):
                while offset(step + size) == before:
                    step += size
            found.append(step + MINUTE)
        t, before = t + DAY, after
    return tuple(found)


INTERESTING_MINUTES = (0, 1, 30, 60, 61, 90, 120, 150, 180, 1380, 1410, 1439, 1440)


@st.composite
def specs(draw: st.DrawFn, scenes: tuple[tuple[str, int], ...] = SCENES) -> tuple[Spec, int]:
    zone, year = draw(st.sampled_from(scenes))
    weekly: dict[str, tuple[Span, ...]] = {}
    if draw(st.integers(0, 9)) > 0:
        for key in DAY_KEYS:
            if draw(st.integers(0, 4)):
                weekly[key] = draw(day_spans(15, INTERESTING_MINUTES))
    near = [datetime_of(t, ZoneInfo(zone)).date() for t in transitions(zone, year)]
    dates = st.dates(date(year - 1, 1, 1), date(year + 1, 12, 31))
    if near:
        dates = st.one_of(
            dates,
            st.builds(
                lambda d, k: d + timedelta(days=k), st.sampled_from(near), st.integers(-1, 1)
            ),
        )
    holidays = draw(st.frozensets(dates, max_size=6))
    special = draw(st.dictionaries(dates, day_spans(15, INTERESTING_MINUTES), max_size=4))
    return Spec(zone, weekly, holidays, special), year


@st.composite
def instants(draw: st.DrawFn, ref: RefCalendar, year: int) -> int:
    kind = draw(st.sampled_from(("uniform", "transition", "edge", "new year")))
    marks = transitions(ref.spec.zone, year)
    if kind == "transition" and marks:
        base = draw(st.sampled_from(marks))
    elif kind == "edge":
        day = draw(st.dates(date(year - 1, 1, 1), date(year + 1, 12, 31)))
        listed = sorted(ref.spec.holidays | set(ref.spec.special_days))
        use_listed: bool = bool(listed) and draw(st.booleans())
        if use_listed:
            day = draw(st.sampled_from(listed))
        edges = [b for iv in ref.day_intervals(day) for b in iv] or [ref.wall(day, 0)]
        base = draw(st.sampled_from(edges))
    elif kind == "new year":
        base = ref.wall(date(draw(st.integers(year - 1, year + 1)), 12, 31), 1440)
    else:
        base = draw(
            st.integers(
                us_of(datetime(year - 1, 1, 1, tzinfo=UTC)),
                us_of(datetime(year + 2, 1, 1, tzinfo=UTC)),
            )
        )
    shift = draw(
        st.one_of(
            st.just(0),
            st.integers(-2, 2),
            st.integers(-180, 180).map(lambda m: m * MINUTE),
            st.integers(-3 * HOUR, 3 * HOUR),
        )
    )
    return base + shift


DURATIONS = st.one_of(
    st.just(1),
    st.integers(0, 10),
    st.integers(0, 4 * HOUR),
    st.integers(0, 300).map(lambda h: h * HOUR),
    st.integers(0, 500 * DAY),
)
SPREADS = st.one_of(
    st.integers(0, 5), st.integers(0, 3 * DAY), st.integers(0, 90 * DAY), st.integers(0, 2 * YEAR)
)

FIXED = timezone(timedelta(hours=-3, minutes=-30))


def forms(us: int, cal: BusinessCalendar) -> list[tuple[str, datetime]]:
    """The same instant in the calendar's zone, UTC, a fixed offset and as pendulum."""
    local = datetime_of(us, cal.zone)
    return [
        ("local", local),
        ("utc", datetime_of(us, UTC)),
        ("fixed", datetime_of(us, FIXED)),
        ("pendulum", pendulum.instance(datetime_of(us, UTC)).in_timezone(cal.timezone)),
    ]


# --------------------------------------------------------------------------------------------
# Every entry point, every form of input, fresh and warm, against the reference
# --------------------------------------------------------------------------------------------


def check_against_reference(
    cal: BusinessCalendar,
    ref: RefCalendar,
    a: int,
    b: int,
    d: int,
    fresh: Callable[[], BusinessCalendar],
) -> None:
    want_open = ref.is_open(a)
    want_elapsed = timedelta(microseconds=ref.elapsed(a, b))
    want_add: int | None
    want_next: int | None
    try:
        want_add = ref.add(a, d)
    except NeverOpensError:
        want_add = None
    try:
        want_next = ref.next_open(a)
    except NeverOpensError:
        want_next = None
    duration = timedelta(microseconds=d)
    starts, ends = forms(a, cal), forms(b, cal)
    for c in (fresh(), cal, cal):  # a fresh calendar, then one warm from the calls before
        for (kind, x), (_, y) in zip(starts, ends[1:] + ends[:1], strict=True):
            where = (kind, x, y, d)
            assert c.is_open(x) is want_open, where
            assert c.elapsed(x, y) == want_elapsed, where
            if want_add is None:
                with pytest.raises(CalendarError):
                    c.add(x, duration)
            else:
                assert_answer(c.add(x, duration), want_add, c)
            if want_next is None:
                with pytest.raises(CalendarError):
                    c.next_open(x)
            else:
                assert_answer(c.next_open(x), want_next, c)
        local_a, local_b = starts[0][1], ends[0][1]
        assert c.elapsed(local_a, local_b) == want_elapsed
        assert c.elapsed_us(a, b) == want_elapsed // ONE_US
        if want_add is not None:
            assert c.add_us(a, d) == want_add
            assert_answer(c.add(local_a, duration), want_add, c)


@REVIEW
@given(st.data())
def test_every_form_of_input_matches_reference_in_ordinary_zones(data: st.DataObject) -> None:
    spec, year = data.draw(specs(PLAIN_SCENES), label="spec")
    ref, cal = RefCalendar(spec, margin_days=2, nested_days=False), spec.build()
    a = data.draw(instants(ref, year), label="a")
    b = a + data.draw(SPREADS, label="b - a")
    d = data.draw(DURATIONS, label="d")
    check_against_reference(cal, ref, a, b, d, spec.build)


# --------------------------------------------------------------------------------------------
# History independence: years indexed in any order, on several scales, with the cache evicting
# --------------------------------------------------------------------------------------------


def mid_year(year: int) -> int:
    return us_of(datetime(year, 7, 1, tzinfo=UTC))


Probe = Callable[[BusinessCalendar], object]


def history_probes(a: int, b: int, d: int, zone: ZoneInfo) -> list[tuple[str, Probe]]:
    la, lb = datetime_of(a, zone), datetime_of(b, zone)
    duration = timedelta(microseconds=d)
    return [
        ("elapsed_us", lambda c: c.elapsed_us(a, b)),
        ("add_us", lambda c: c.add_us(a, d)),
        ("next_open_us", lambda c: c.next_open_us(a)),
        ("elapsed local", lambda c: c.elapsed(la, lb)),
        ("elapsed mixed", lambda c: c.elapsed(la, datetime_of(b, UTC))),
        ("add local", lambda c: c.add(la, duration)),
        ("add utc", lambda c: c.add(datetime_of(a, UTC), duration)),
        ("is_open local", lambda c: c.is_open(lb)),
    ]


@REVIEW
@given(
    data=st.data(),
    touched=st.lists(
        st.one_of(
            st.integers(-3, 3),
            st.sampled_from((-150, -101, -100, -99, -60, 60, 99, 100, 101, 150, 199, 200, 201)),
        ),
        max_size=10,
    ),
    limit=st.sampled_from((1, 2, 3, 64)),
    calls=st.integers(1, 4),
)
def test_answers_do_not_depend_on_history(
    data: st.DataObject, touched: list[int], limit: int, calls: int
) -> None:
    spec, year = data.draw(specs(PLAIN_SCENES), label="spec")
    zone = ZoneInfo(spec.zone)
    with short_runs(limit):
        used = spec.build()
        for offset in touched:  # index years in this order, by several entry points
            t = mid_year(year + offset)
            kind = data.draw(st.sampled_from(("is_open", "local", "add", "elapsed")))
            if kind == "is_open":
                used.is_open_us(t)
            elif kind == "local":
                used.is_open(datetime_of(t, zone))
            elif kind == "add":
                outcome(used.add, datetime_of(t, zone), timedelta(days=40))
            else:
                outcome(used.elapsed, datetime_of(t - YEAR, zone), datetime_of(t, zone))
        for _ in range(calls):
            pivot = year + data.draw(st.sampled_from([0, *touched]), label="pivot")
            a = mid_year(pivot) + data.draw(st.integers(-400 * DAY, 400 * DAY), label="a")
            spread = data.draw(
                st.one_of(SPREADS, st.integers(0, 202 * YEAR), st.sampled_from((99, 100, 101))),
                label="b - a",
            )
            b = a + (spread * YEAR if spread < 200 else spread)
            d = data.draw(st.one_of(DURATIONS, st.integers(0, 150 * YEAR)), label="d")
            for name, probe in history_probes(a, b, d, zone):
                want = outcome(probe, spec.build())
                got = outcome(probe, used)
                assert got == want, (name, a, b, d)
                if isinstance(got, datetime):
                    assert isinstance(want, datetime)
                    assert written(got) == written(want), name
                    assert written(got) == canonical(got, zone), name


# --------------------------------------------------------------------------------------------
# Bugs: minimal reproducers
# --------------------------------------------------------------------------------------------

ST_JOHNS = ZoneInfo("America/St_Johns")


def test_fold_1_on_a_24_hour_date_is_the_second_occurrence() -> None:
    """St John's fell back at 00:01 NDT on 1 November 2009, to 23:01 NST on 31 October, so
    31 October (a 24-hour date: 00:00 NDT to 00:00 NDT) has its last hour twice.  With
    ``fold=1`` the wall clock 23:30 is the second one, 03:00 UTC on 1 November, on a fresh
    calendar and on one with 2009 indexed alike: the date is not ordinary, so its instants
    are not its midnight plus the wall clock."""
    second = datetime(2009, 10, 31, 23, 30, fold=1, tzinfo=ST_JOHNS)
    first = second.replace(fold=0)
    assert us_of(second) - us_of(first) == HOUR
    # Open on Saturdays (31 October), closed on Sundays (1 November).
    cal = BusinessCalendar("America/St_Johns", weekly={"sat": [("00:00", "24:00")]})
    assert not BusinessCalendar("America/St_Johns", weekly={"sat": [("00:00", "24:00")]}).is_open(
        second
    )
    cal.is_open_us(us_of(first))  # index 2009
    assert not cal.is_open(second)
    assert cal.is_open(first)
    always = BusinessCalendar.always_open("America/St_Johns")
    always.is_open_us(us_of(first))
    assert_answer(always.add(second, timedelta(0)), us_of(second), always)
    assert_answer(always.add(second, timedelta(hours=1)), us_of(second) + HOUR, always)
    assert always.elapsed(first, second) == timedelta(hours=1)


def test_answers_in_a_gap_that_straddles_midnight_are_written_as_converted() -> None:
    """Toronto sprang forward at 23:30 EST on 30 March 1919 to 00:30 EDT on 31 March, so
    30 March is 24 hours long (00:00 EST to 00:00 EST, which lies in the gap) but its last
    half hour of instants reads 00:30-01:00 EDT.  An answer there must be written as
    converting it writes it (00:45 EDT on 31 March), not from the date's wall clock (the
    nonexistent 23:45 EST on 30 March), whatever the form of the input."""
    toronto = ZoneInfo("America/Toronto")
    cal = BusinessCalendar("America/Toronto", weekly={k: [("00:00", "23:50")] for k in DAY_KEYS})
    start = datetime(1919, 3, 31, 4, 0, tzinfo=UTC)  # 23:00 EST on 30 March
    got = cal.add(start, timedelta(minutes=45))
    assert us_of(got) == us_of(start) + 45 * MINUTE
    want = datetime(1919, 3, 31, 0, 45, tzinfo=toronto)
    assert us_of(want) == us_of(got)
    assert written(got) == written(want)  # got: 1919-03-30 23:45-05:00


def test_fold_1_in_a_gap_that_straddles_midnight() -> None:
    """The same 30 March 1919 in Toronto: 23:45 does not exist; with ``fold=1`` it means the
    offset after the change (03:45 UTC, not 04:45), on a fresh calendar and on one with 1919
    indexed alike."""
    toronto = ZoneInfo("America/Toronto")
    late = datetime(1919, 3, 30, 23, 45, fold=1, tzinfo=toronto)
    assert us_of(late) == us_of(datetime(1919, 3, 31, 3, 45, tzinfo=UTC))
    cal = BusinessCalendar.always_open("America/Toronto")
    cal.is_open(datetime(1919, 7, 1, tzinfo=UTC))  # index 1919
    assert_answer(cal.add(late, timedelta(0)), us_of(late), cal)
    assert cal.elapsed(late, datetime(1919, 3, 31, 4, 45, tzinfo=UTC)) == timedelta(hours=1)


def test_warm_add_past_year_9999_raises_calendar_error() -> None:
    """A deadline past 9999-12-31 23:59:59.999999 UTC is a CalendarError, on a fresh calendar
    and on one with 9999 indexed alike (not an OverflowError, nor a datetime whose instant is
    past the range)."""
    utc = ZoneInfo("UTC")
    start = datetime(9999, 12, 31, 23, 0, tzinfo=utc)
    cal = BusinessCalendar.always_open("UTC")
    with pytest.raises(CalendarError):
        cal.add(start, timedelta(hours=1))
    cal.is_open(datetime(9999, 6, 1, tzinfo=utc))  # index 9999
    with pytest.raises(CalendarError):
        cal.add(start, timedelta(hours=1))


def test_warm_add_past_year_9999_in_a_western_zone_raises() -> None:
    ny = ZoneInfo("America/New_York")
    start = datetime(9999, 12, 31, 18, 0, tzinfo=ny)  # 23:00 UTC: a valid instant
    cal = BusinessCalendar("America/New_York", weekly={"fri": [("00:00", "23:00")]})
    with pytest.raises(CalendarError):
        cal.add(start, timedelta(hours=2))
    cal.is_open(datetime(9999, 6, 1, tzinfo=ny))  # index 9999
    with pytest.raises(CalendarError):
        cal.add(start, timedelta(hours=2))  # 9999-12-31 20:00-05:00 is past UTC's range


def test_add_in_year_1_before_utc_range_does_not_depend_on_history() -> None:
    """In a zone east of Greenwich, 0001-01-01 00:30 local is before 0001-01-01 UTC, so a
    deadline there cannot be converted: a calendar refuses it whether or not year 1 is
    indexed (not 0001-01-01 01:30+09:18:59, whose UTC instant no datetime can hold)."""
    tokyo = ZoneInfo("Asia/Tokyo")
    early = datetime(1, 1, 1, 0, 30, tzinfo=tokyo)
    fresh = BusinessCalendar.always_open("Asia/Tokyo")
    with pytest.raises(CalendarError):
        fresh.add(early, timedelta(hours=1))
    warm = BusinessCalendar.always_open("Asia/Tokyo")
    warm.is_open(datetime(1, 6, 1, tzinfo=UTC))  # index year 1
    with pytest.raises(CalendarError):
        warm.add(early, timedelta(hours=1))


# --------------------------------------------------------------------------------------------
# Edges
# --------------------------------------------------------------------------------------------

NY = ZoneInfo("America/New_York")
OFFICE = {key: [("09:00", "17:00")] for key in DAY_KEYS[:5]}


def raising_calls(cal: BusinessCalendar, zone: ZoneInfo) -> list[Callable[[], object]]:
    here = datetime(2026, 3, 2, 10, 0, tzinfo=zone)
    return [
        lambda: cal.add(here, timedelta(microseconds=-1)),
        lambda: cal.add_us(us_of(here), -1),
        lambda: cal.elapsed(here, here - ONE_US),
        lambda: cal.elapsed(here + timedelta(days=400), here),
        lambda: cal.elapsed_us(us_of(here), us_of(here) - 1),
        lambda: cal.elapsed(here, datetime(2230, 1, 1, tzinfo=zone)),
        lambda: cal.elapsed_us(mid_year(1800), mid_year(2026)),
        lambda: cal.add(here, timedelta(days=365 * 250)),
        lambda: cal.add_us(mid_year(9999), 2 * YEAR),
        lambda: cal.add(datetime(9999, 12, 1, tzinfo=UTC), timedelta(days=60)),
        lambda: cal.next_open_us(us_of(datetime(9999, 12, 31, 23, tzinfo=UTC)) + 10 * DAY),
        lambda: cal.is_open(datetime(2026, 3, 2, 10, 0)),
        lambda: cal.add(datetime(2026, 3, 2, 10, 0), timedelta(hours=1)),
        lambda: cal.elapsed(here, datetime(2026, 3, 2, 10, 0)),
        lambda: cal.add(here, 5),  # type: ignore[arg-type]
    ]


@REVIEW
@given(data=st.data(), order=st.lists(st.integers(0, 14), max_size=8))
def test_raising_calls_leave_the_calendar_answering_as_a_fresh_one(
    data: st.DataObject, order: list[int]
) -> None:
    spec, year = data.draw(specs(PLAIN_SCENES), label="spec")
    zone = ZoneInfo(spec.zone)
    used = spec.build()
    calls = raising_calls(used, zone)
    for index in order:
        with pytest.raises(CalendarError):
            calls[index]()
    ref = RefCalendar(spec, margin_days=2, nested_days=False)
    a = data.draw(instants(ref, year), label="a")
    b = a + data.draw(SPREADS, label="b - a")
    d = data.draw(DURATIONS, label="d")
    probes: list[tuple[str, Probe]] = [
        ("elapsed", lambda c: c.elapsed(datetime_of(a, zone), datetime_of(b, zone))),
        ("add", lambda c: c.add(datetime_of(a, zone), timedelta(microseconds=d))),
        ("next_open", lambda c: c.next_open(datetime_of(a, UTC))),
        ("is_open", lambda c: c.is_open(datetime_of(b, zone))),
    ]
    for name, probe in probes:
        want = outcome(probe, spec.build())
        assert outcome(probe, used) == want, name
        assert outcome(probe, used) == want, name  # and again, warm


@pytest.mark.parametrize("warm", [False, True], ids=["fresh", "warm"])
def test_zero_one_and_negative_durations(warm: bool) -> None:
    cal = BusinessCalendar("America/New_York", OFFICE)
    friday = datetime(2026, 3, 6, 16, 59, 59, 999_999, tzinfo=NY)
    if warm:
        cal.is_open(friday)
    for start in (friday, friday.astimezone(UTC)):
        assert_answer(cal.add(start, timedelta(0)), us_of(friday), cal)
        # The last open microsecond of the week, then its end (an interval end, 17:00).
        assert_answer(cal.add(start, ONE_US), us_of(friday) + 1, cal)
        monday = datetime(2026, 3, 9, 9, 0, tzinfo=NY)  # 8 March: spring forward
        assert_answer(cal.add(start, 2 * ONE_US), us_of(monday) + 1, cal)
        with pytest.raises(CalendarError):
            cal.add(start, -ONE_US)
        assert cal.elapsed(start, start) == timedelta(0)
        with pytest.raises(CalendarError):
            cal.elapsed(start, start - ONE_US)
        with pytest.raises(CalendarError):
            cal.elapsed(start + timedelta(days=400), start)


@pytest.mark.parametrize("warm", [False, True], ids=["fresh", "warm"])
def test_two_hundred_year_limit_is_the_same_fresh_and_warm(warm: bool) -> None:
    cal = BusinessCalendar("America/New_York", OFFICE)
    a = datetime(2026, 7, 1, 12, tzinfo=NY)
    ok = datetime(2226, 7, 1, 12, tzinfo=NY)
    too_far = datetime(2227, 1, 4, 12, tzinfo=NY)
    if warm:
        for year in (2025, 2026, 2027, 2125, 2226, 2227):
            cal.is_open(datetime(year, 7, 1, tzinfo=UTC))
    fresh = BusinessCalendar("America/New_York", OFFICE)
    assert cal.elapsed(a, ok) == fresh.elapsed(a, ok) > timedelta(days=200 * 80)
    with pytest.raises(CalendarError, match="200 years"):
        cal.elapsed(a, too_far)
    whole = fresh.elapsed(a, ok)
    assert_answer(cal.add(a, whole), us_of(fresh.add(a, whole)), cal)
    with pytest.raises(CalendarError, match="200 years"):
        cal.add(a, whole + timedelta(days=400))


@pytest.mark.parametrize("warm", [False, True], ids=["fresh", "warm"])
def test_special_days_only(warm: bool) -> None:
    """No weekly hours: open only on special days, some years apart, one of them empty; a
    year of holidays changes nothing; after the last one the calendar never opens again."""
    special = {
        date(2026, 12, 31): [("22:00", "24:00")],
        date(2027, 6, 1): [],
        date(2030, 1, 1): [("00:00", "01:00")],
        date(2031, 3, 8): [("09:00", "10:00")],
    }
    holidays = [date(2030, 1, 1) + timedelta(days=k) for k in range(365)]
    tokyo = ZoneInfo("Asia/Tokyo")

    def build() -> BusinessCalendar:
        return BusinessCalendar("Asia/Tokyo", {}, holidays, special)

    cal = build()
    start = datetime(2026, 12, 31, 23, 0, tzinfo=tokyo)
    if warm:
        for year in (2026, 2027, 2030, 2031):
            cal.is_open(datetime(year, 5, 1, tzinfo=tokyo))
    assert_answer(
        cal.add(start, timedelta(hours=1)), us_of(datetime(2027, 1, 1, tzinfo=tokyo)), cal
    )
    assert_answer(
        cal.add(start, timedelta(hours=1, minutes=30)),
        us_of(datetime(2030, 1, 1, 0, 30, tzinfo=tokyo)),
        cal,
    )
    assert_answer(
        cal.add(start, timedelta(hours=2, minutes=1)),
        us_of(datetime(2031, 3, 8, 9, 1, tzinfo=tokyo)),
        cal,
    )
    assert cal.elapsed(start, datetime(2032, 1, 1, tzinfo=tokyo)) == timedelta(hours=3)
    with pytest.raises(CalendarError, match="never opens again"):
        cal.add(start, timedelta(hours=3, microseconds=1))
    with pytest.raises(CalendarError, match="never opens again"):
        cal.next_open(datetime(2031, 3, 8, 10, 0, tzinfo=tokyo))
    assert_answer(
        cal.next_open(datetime(2027, 1, 1, tzinfo=tokyo)),
        us_of(datetime(2030, 1, 1, tzinfo=tokyo)),
        cal,
    )
    assert cal.add(start, timedelta(hours=2)) == build().add(start, timedelta(hours=2))


@pytest.mark.parametrize("warm", [False, True], ids=["fresh", "warm"])
def test_a_year_of_holidays_is_skipped(warm: bool) -> None:
    holidays = [date(2027, 1, 1) + timedelta(days=k) for k in range(365)]
    cal = BusinessCalendar("America/New_York", OFFICE, holidays)
    eve = datetime(2026, 12, 31, 16, 0, tzinfo=NY)
    if warm:
        cal.is_open(eve)
        cal.is_open(eve + timedelta(days=200))
    after = datetime(2028, 1, 3, 9, 0, tzinfo=NY)  # Monday
    assert_answer(cal.add(eve, timedelta(hours=1)), us_of(eve) + HOUR, cal)
    assert_answer(cal.add(eve, timedelta(hours=2)), us_of(after) + HOUR, cal)
    assert cal.elapsed(eve, after + timedelta(hours=1)) == timedelta(hours=2)
    assert_answer(cal.next_open(eve + timedelta(hours=1)), us_of(after), cal)


@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo", "America/New_York", "Pacific/Kiritimati"])
def test_first_and_last_years(zone: str) -> None:
    """Years 1 and 9999: the general and the fast path agree on instants that datetime can
    hold in UTC, fresh and warm."""
    tz = ZoneInfo(zone)
    cases = [
        (datetime(1, 1, 2, 9, tzinfo=UTC), datetime(1, 3, 1, tzinfo=UTC), timedelta(hours=30)),
        (
            datetime(9999, 12, 1, tzinfo=UTC),
            datetime(9999, 12, 30, tzinfo=UTC),
            timedelta(hours=80),
        ),
    ]
    for x, y, d in cases:
        answers = []
        for warm in (False, True):
            cal = BusinessCalendar(zone, OFFICE)
            if warm:
                cal.is_open(x)
            for start, end in ((x, y), (x.astimezone(tz), y.astimezone(tz))):
                answers.append(
                    (
                        outcome(cal.elapsed, start, end),
                        outcome(cal.add, start, d),
                        outcome(cal.next_open, start),
                        outcome(cal.is_open, end),
                    )
                )
        assert all(answer == answers[0] for answer in answers), answers
        assert all(not isinstance(v, type) for v in answers[0]), answers[0]


def test_a_date_the_zone_skips_has_no_open_time() -> None:
    """Samoa skipped 2011-12-30 (Pacific/Apia went from UTC-10 to UTC+14 at its midnight).
    Open 09:00-17:00 every day: 29 and 31 December give 8 hours each and the skipped date
    none -- its spans, moved forward by the gap, would land on the 31st's and count twice.
    Worked by hand: from 29 Dec 17:00, 1 open hour is 31 Dec 10:00 and 9 are 1 Jan 10:00."""
    apia = ZoneInfo("Pacific/Apia")
    cal = BusinessCalendar("Pacific/Apia", weekly={d: [("09:00", "17:00")] for d in DAY_KEYS})
    assert cal.elapsed(datetime(2011, 12, 29, tzinfo=apia), datetime(2012, 1, 1, tzinfo=apia)) == (
        timedelta(hours=16)
    )
    evening = datetime(2011, 12, 29, 17, tzinfo=apia)
    assert cal.add(evening, timedelta(hours=1)) == datetime(2011, 12, 31, 10, tzinfo=apia)
    assert cal.add(evening, timedelta(hours=9)) == datetime(2012, 1, 1, 10, tzinfo=apia)
    morning = datetime(2011, 12, 29, 9, tzinfo=apia)
    assert cal.elapsed(morning, cal.add(morning, timedelta(hours=16))) == timedelta(hours=16)
    # A special day on the skipped date opens nothing either.
    special = BusinessCalendar(
        "Pacific/Apia", weekly={}, special_days={date(2011, 12, 30): [("00:00", "24:00")]}
    )
    assert special.elapsed(morning, datetime(2012, 1, 2, tzinfo=apia)) == timedelta(0)


def test_from_dict_reads_hours_given_as_iterators_once() -> None:
    """Spans are checked and then built: an iterator would come to the constructor used up
    and every hour be lost without an error."""
    cal = BusinessCalendar.from_dict(
        {
            "timezone": "UTC",
            "weekly": {"mon": iter([["09:00", "17:00"]])},
            "special_days": {"2026-01-06": (s for s in [["09:00", "10:00"]])},
        }
    )
    assert cal.weekly_hours == timedelta(hours=8)
    assert cal.to_dict()["special_days"] == {"2026-01-06": [["09:00", "10:00"]]}


@pytest.mark.parametrize(
    "data",
    [
        {
            "timezone": "Asia/Jakarta",
            "weekly": {"mon": [["09:00", "12:00"], ["13:00", "17:00"]]},
            "holidays": {"2026-03-20": "Idul Fitri"},
            "special_days": {"2026-03-21": [["10:00", "14:00"]]},
        },
        {"timezone": "Europe/Berlin", "always_open": True},
    ],
)
def test_a_calendar_pickles_and_copies_to_an_equal_one(data: dict[str, object]) -> None:
    """A host sends configs to worker processes and deep-copies them: both rebuild an equal
    calendar that counts business time alike (its holidays' names kept)."""
    cal = BusinessCalendar.from_dict(data)
    t0 = datetime(2026, 3, 16, 1, tzinfo=UTC)
    for again in (pickle.loads(pickle.dumps(cal)), copy.deepcopy(cal), copy.copy(cal)):
        assert again == cal
        assert again.to_dict() == cal.to_dict()
        assert again.digest == cal.digest
        assert again.add(t0, timedelta(hours=30)) == cal.add(t0, timedelta(hours=30))

"""BusinessCalendar against a deliberately simple, day-by-day reference implementation.

The reference is :class:`calendar_oracle.RefCalendar` (its module explains how it works): per
local date, the open intervals from ``fold=0`` wall times, merged, then linear scans.

Hypothesis draws calendars (weekly spans on a minute or 15-minute grid with ``"24:00"`` ends,
holidays, special days including ``[]``) in zones with unusual DST (30-minute and 2-hour shifts,
transitions at midnight, 45-minute offsets) and instants in 2025-2027 concentrated on DST
changes and span edges, with microsecond offsets.  The properties compare ``is_open``,
``next_open``, ``elapsed`` and ``add`` with the reference, and check the laws the spec states.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from unittest import mock
from zoneinfo import ZoneInfo

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calendar_oracle import NeverOpensError, RefCalendar, Spec
from csflow import calendar as calendar_module
from csflow.calendar import BusinessCalendar
from csflow.errors import CalendarError
from strategies import (
    DAY,
    EPOCH,
    HOUR,
    MINUTE,
    ONE_US,
    SECOND,
    Span,
    datetime_of,
    day_spans,
    hhmm,
    us_of,
)

__all__: list[str] = []

DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# Instants are drawn in [2025-01-01, 2028-01-01) UTC.
RANGE_START = (datetime(2025, 1, 1, tzinfo=UTC) - EPOCH) // ONE_US
RANGE_END = (datetime(2028, 1, 1, tzinfo=UTC) - EPOCH) // ONE_US
FIRST_DATE = date(2025, 1, 1)
LAST_DATE = date(2027, 12, 31)

# UTC and Jakarta have no DST; the others are chosen for their odd transitions in 2025-2027:
# New York and London (ordinary 1 h), Lord Howe (30 min), Santiago and Havana (at midnight),
# Troll (2 h), Chatham (+12:45, transitions at 02:45), Casablanca (DST suspended in Ramadan),
# Apia (DST abolished, far east of the date line).
ZONES = (
    "UTC",
    "Asia/Jakarta",
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",
    "America/Santiago",
    "America/Havana",
    "Antarctica/Troll",
    "Pacific/Chatham",
    "Africa/Casablanca",
    "Pacific/Apia",
)


# --------------------------------------------------------------------------------------------
# The reference
# --------------------------------------------------------------------------------------------


#: The longest span, in years from the start's local year, that csflow answers.
SPAN_YEARS = 200


def test_reference_sanity() -> None:
    """The reference itself, on the spec's own New York example (hand-computed)."""
    spec = Spec(
        zone="America/New_York",
        weekly={"sun": (("01:00", "04:00"),)},
        holidays=frozenset(),
        special_days={},
    )
    ref = RefCalendar(spec)
    # 8 March 2026: 01:00 EST (06:00Z) to 04:00 EDT (08:00Z) is 2 h; 1 November: 01:00 EDT
    # (05:00Z) to 04:00 EST (09:00Z) is 4 h.
    assert ref.day_intervals(date(2026, 3, 8)) == [
        (us_of(datetime(2026, 3, 8, 6, tzinfo=UTC)), us_of(datetime(2026, 3, 8, 8, tzinfo=UTC)))
    ]
    assert ref.day_intervals(date(2026, 11, 1)) == [
        (us_of(datetime(2026, 11, 1, 5, tzinfo=UTC)), us_of(datetime(2026, 11, 1, 9, tzinfo=UTC)))
    ]
    gap = RefCalendar(
        Spec("America/New_York", {"sun": (("02:30", "05:00"),)}, frozenset(), {})
    ).day_intervals(date(2026, 3, 8))
    assert gap[0][0] == us_of(datetime(2026, 3, 8, 7, 30, tzinfo=UTC))  # 03:30 EDT


# --------------------------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------------------------


@functools.cache
def transitions(zone_name: str) -> tuple[int, ...]:
    """The instants in the drawing range where *zone_name*'s UTC offset changes (to the minute)."""
    zone = ZoneInfo(zone_name)

    def offset(us: int) -> timedelta | None:
        return datetime_of(us, zone).utcoffset()

    def first_change(lo: int, step: int, before: timedelta | None) -> int:
        while offset(lo + step) == before:
            lo += step
        return lo

    found = []
    t, before = RANGE_START, offset(RANGE_START)
    while t < RANGE_END:  # a day at a time, then an hour, then a minute
        after = offset(t + DAY)
        if after != before:
            hour = first_change(t, HOUR, before)
            found.append(first_change(hour, MINUTE, before) + MINUTE)
        t, before = t + DAY, after
    return tuple(found)


@functools.cache
def transition_dates(zone_name: str) -> tuple[date, ...]:
    zone = ZoneInfo(zone_name)
    return tuple(datetime_of(t, zone).date() for t in transitions(zone_name))


# Wall-clock minutes where DST changes happen in the zones above (00:00, 01:00, 01:30, 02:00,
# 02:30, 02:45, 03:00, 03:45 ...), so spans often start or end in a gap or an overlap.
INTERESTING_MINUTES = (0, 30, 60, 75, 90, 105, 120, 135, 150, 165, 180, 210, 225, 240, 1380, 1440)


@functools.cache
def dates_for(zone: str) -> st.SearchStrategy[date]:
    near = transition_dates(zone)
    plain = st.dates(FIRST_DATE, LAST_DATE)
    if not near:
        return plain
    return st.one_of(
        plain,
        st.builds(lambda d, k: d + timedelta(days=k), st.sampled_from(near), st.integers(-1, 1)),
    )


@st.composite
def specs(draw: st.DrawFn) -> Spec:
    zone = draw(st.sampled_from(ZONES))
    grid = draw(st.sampled_from((15, 1)))
    spans = day_spans(grid, INTERESTING_MINUTES)
    weekly: dict[str, tuple[Span, ...]] = {}
    # About one calendar in ten has no weekly hours at all: only special days can open it.
    if draw(st.integers(0, 9)) > 0:
        for key in DAY_KEYS:
            choice = draw(st.integers(0, 5))
            if choice == 0:
                continue  # a missing key is a closed day
            weekly[key] = () if choice == 1 else draw(spans)
    dates = dates_for(zone)
    holidays = draw(st.frozensets(dates, max_size=8))
    if holidays:  # often make a special day fall on a holiday: the special day must win
        dates = st.one_of(dates, st.sampled_from(sorted(holidays)))
    special = draw(st.dictionaries(dates, spans, max_size=5))
    return Spec(zone, weekly, holidays, special, draw(st.booleans()))


@st.composite
def instants(draw: st.DrawFn, ref: RefCalendar) -> int:
    """An instant in 2025-2027, often on or a hair away from a DST change or a span edge."""
    kind = draw(st.sampled_from(("uniform", "transition", "edge")))
    if kind == "transition" and transitions(ref.spec.zone):
        base = draw(st.sampled_from(transitions(ref.spec.zone)))
    elif kind == "edge":
        listed = sorted(ref.spec.holidays | set(ref.spec.special_days))
        days = dates_for(ref.spec.zone)
        day = draw(st.one_of(days, st.sampled_from(listed)) if listed else days)
        edges = [b for iv in ref.day_intervals(day) for b in iv] or [ref.wall(day, 0)]
        base = draw(st.sampled_from(edges))
    else:
        base = draw(st.integers(RANGE_START, RANGE_END))
    offset = draw(
        st.one_of(
            st.just(0),
            st.integers(-2, 2),
            st.integers(-SECOND, SECOND),
            st.integers(-180, 180).map(lambda m: m * MINUTE),
            st.integers(-3 * HOUR, 3 * HOUR),
        )
    )
    return base + offset


OTHER_ZONES: tuple[tzinfo, ...] = (
    UTC,
    timezone(timedelta(hours=-3)),
    timezone(timedelta(hours=5, minutes=30)),
)


def as_datetime(data: st.DataObject, us: int, ref: RefCalendar) -> datetime:
    """*us* as an aware stdlib datetime, in the calendar's zone or another one."""
    tz = data.draw(st.sampled_from((ref.zone, *OTHER_ZONES)))
    return datetime_of(us, tz)


DURATIONS = st.one_of(
    st.just(0),
    st.integers(1, 10),
    st.integers(0, 4 * HOUR),
    st.integers(0, 200).map(lambda h: h * HOUR),
    st.integers(0, 40 * 24 * 60).map(lambda m: m * MINUTE),
)

SPREADS = st.one_of(
    st.integers(0, 5),
    st.integers(0, 3 * DAY),
    st.integers(0, 60 * DAY),
    st.integers(0, 3 * 365 * DAY),
)


def assert_in_zone(result: datetime, zone: str) -> None:
    """*result* is aware and expressed in *zone* (same wall clock and offset as converting)."""
    assert isinstance(result, datetime)
    assert result.utcoffset() is not None
    local = result.astimezone(ZoneInfo(zone))
    assert result.replace(tzinfo=None) == local.replace(tzinfo=None)
    assert result.utcoffset() == local.utcoffset()


def case(data: st.DataObject) -> tuple[BusinessCalendar, RefCalendar]:
    spec = data.draw(specs(), label="spec")
    return spec.build(), RefCalendar(spec, horizon_years=SPAN_YEARS)


# --------------------------------------------------------------------------------------------
# Against the reference
# --------------------------------------------------------------------------------------------


@settings(max_examples=200)
@given(st.data())
def test_is_open_and_next_open_match_reference(data: st.DataObject) -> None:
    cal, ref = case(data)
    t = data.draw(instants(ref), label="t")
    at = as_datetime(data, t, ref)
    assert cal.is_open(at) is ref.is_open(t)
    try:
        expected = ref.next_open(t)
    except NeverOpensError:
        with pytest.raises(CalendarError):
            cal.next_open(at)
        return
    got = cal.next_open(at)
    assert us_of(got) == expected, (datetime_of(expected, ref.zone), got)
    assert_in_zone(got, ref.spec.zone)


@settings(max_examples=200)
@given(st.data())
def test_elapsed_matches_reference(data: st.DataObject) -> None:
    cal, ref = case(data)
    a = data.draw(instants(ref), label="a")
    b = a + data.draw(SPREADS, label="b - a")
    got = cal.elapsed(as_datetime(data, a, ref), as_datetime(data, b, ref))
    assert got == timedelta(microseconds=ref.elapsed(a, b))


@settings(max_examples=200)
@given(st.data())
def test_add_matches_reference(data: st.DataObject) -> None:
    cal, ref = case(data)
    a = data.draw(instants(ref), label="a")
    d = data.draw(DURATIONS, label="d")
    check_add(cal, ref, as_datetime(data, a, ref), d)


def check_add(cal: BusinessCalendar, ref: RefCalendar, start: datetime, d: int) -> None:
    """``cal.add(start, d µs)`` is the reference's answer, in the calendar's zone, or both
    refuse."""
    try:
        expected = ref.add(us_of(start), d)
    except NeverOpensError:
        with pytest.raises(CalendarError):
            cal.add(start, timedelta(microseconds=d))
        return
    got = cal.add(start, timedelta(microseconds=d))
    assert us_of(got) == expected, (datetime_of(expected, ref.zone), got)
    assert_in_zone(got, ref.spec.zone)


def dst_span_sets(g1: int, g2: int) -> list[tuple[tuple[int, int], ...]]:
    """Span sets (minutes) placed around a DST change whose gap or overlap is [g1, g2)."""
    mid = (g2 - g1) // 2
    candidates = [
        ((g1 - 60, g2 + 60),),  # across the change
        ((g1, g2),),  # exactly the gap / overlap
        ((g1 + mid, g2 + 60),),  # starts inside
        ((g1 - 60, g1 + mid),),  # ends inside
        ((g1 - 60, g1 + mid), (g2, g2 + 60)),  # gap: mapped spans overlap, union needed
        ((g1 + 1, g1 + mid),),  # both bounds inside
        ((g1 + mid, g2 + mid // 2),),  # gap: the start moves past the end -> empty
        ((0, g1 + mid), (g2 + 15, 1440)),
        ((0, 1440),),
    ]
    out = []
    for spans in candidates:
        flat = [m for span in spans for m in span]
        if all(0 <= m <= 1440 for m in flat) and flat == sorted(set(flat)):
            out.append(spans)
    return out


def dst_cases() -> list[tuple[str, date, int, int]]:
    """(zone, local date, g1, g2) for each 2026 DST change of the zones with one."""
    cases = []
    for zone_name in ZONES:
        zone = ZoneInfo(zone_name)
        for t in transitions(zone_name):
            after = datetime_of(t, zone)
            before = datetime_of(t - 1, zone)
            if after.year != 2026:
                continue
            shift = (after.utcoffset() or timedelta(0)) - (before.utcoffset() or timedelta(0))
            w_new = after.hour * 60 + after.minute
            w_old = w_new - shift // timedelta(minutes=1)
            cases.append((zone_name, after.date(), min(w_old, w_new), max(w_old, w_new)))
    return cases


@pytest.mark.parametrize(
    ("zone", "day", "g1", "g2"), [pytest.param(*c, id=f"{c[0]}-{c[1]}") for c in dst_cases()]
)
def test_dst_days_match_reference_minute_by_minute(zone: str, day: date, g1: int, g2: int) -> None:
    """Exhaustive sweep of each 2026 DST day, for span sets placed on the change itself."""
    key = DAY_KEYS[day.weekday()]
    for spans in dst_span_sets(g1, g2):
        text = tuple((hhmm(lo), hhmm(hi)) for lo, hi in spans)
        office = (("09:00", "17:00"),)
        for spec in (
            Spec(zone, {key: text, DAY_KEYS[(day.weekday() + 1) % 7]: office}, frozenset(), {}),
            # The same spans as a special day that also is a holiday: the special day wins.
            Spec(
                zone,
                dict.fromkeys(DAY_KEYS, office),
                frozenset({day}),
                {day: text},
                holidays_as_mapping=True,
            ),
        ):
            cal, ref = spec.build(), RefCalendar(spec, horizon_years=SPAN_YEARS)
            origin = ref.wall(day, 0) - 2 * HOUR
            points = {origin + k * 20 * MINUTE for k in range(3 * 30)}
            for lo, hi in ref.day_intervals(day):
                points |= {lo - 1, lo, lo + 1, hi - 1, hi, hi + 1}
            start = datetime_of(origin, ref.zone)
            for t in sorted(p for p in points if p >= origin):
                at = datetime_of(t, ref.zone)
                where = (spec, at)
                assert cal.is_open(at) is ref.is_open(t), where
                assert us_of(cal.next_open(at)) == ref.next_open(t), where
                spent = ref.elapsed(origin, t)
                assert cal.elapsed(start, at) == timedelta(microseconds=spent), where
                assert us_of(cal.add(start, timedelta(microseconds=spent))) == ref.add(
                    origin, spent
                ), where


# --------------------------------------------------------------------------------------------
# Laws (implementation only)
# --------------------------------------------------------------------------------------------


@settings(max_examples=150)
@given(st.data())
def test_add_is_the_earliest_instant_with_that_elapsed(data: st.DataObject) -> None:
    cal, ref = case(data)
    a = data.draw(instants(ref), label="a")
    start = as_datetime(data, a, ref)
    assert us_of(cal.add(start, timedelta(0))) == a
    d = timedelta(microseconds=data.draw(DURATIONS.filter(bool), label="d"))
    try:
        end = cal.add(start, d)
    except CalendarError:
        # Only a calendar that never opens again may refuse; the reference agrees.
        with pytest.raises(NeverOpensError):
            ref.add(a, d // ONE_US)
        return
    assert us_of(end) >= a
    assert cal.elapsed(start, end) == d
    # Earliest: a microsecond sooner, less business time has elapsed.  (Step back through UTC:
    # arithmetic on an aware datetime is wall-clock arithmetic and would drop `fold`.)
    assert cal.elapsed(start, datetime_of(us_of(end) - 1, UTC)) < d


@settings(max_examples=150)
@given(st.data())
def test_elapsed_is_additive_and_monotone(data: st.DataObject) -> None:
    cal, ref = case(data)
    a = data.draw(instants(ref), label="a")
    b = a + data.draw(SPREADS, label="b - a")
    c = b + data.draw(SPREADS, label="c - b")
    da, db, dc = (as_datetime(data, x, ref) for x in (a, b, c))
    ab, bc, ac = cal.elapsed(da, db), cal.elapsed(db, dc), cal.elapsed(da, dc)
    assert ac == ab + bc
    assert timedelta(0) <= ab <= ac
    assert bc <= ac
    assert ac // ONE_US <= c - a  # never more than the real time
    assert cal.elapsed(da, da) == timedelta(0)


@settings(max_examples=150)
@given(st.data())
def test_is_open_agrees_with_elapsed_over_a_microsecond(data: st.DataObject) -> None:
    cal, ref = case(data)
    t = data.draw(instants(ref), label="t")
    at = as_datetime(data, t, ref)
    tiny = cal.elapsed(at, datetime_of(t + 1, UTC))
    assert tiny in (timedelta(0), ONE_US)
    assert cal.is_open(at) is (tiny == ONE_US)
    # next_open is open, and nothing between `at` and it is.
    try:
        nxt = cal.next_open(at)
    except CalendarError:
        assert not cal.is_open(at)
        return
    assert cal.is_open(nxt)
    assert cal.elapsed(at, nxt) == timedelta(0)
    assert (us_of(nxt) == t) is cal.is_open(at)


@settings(max_examples=100)
@given(st.data())
def test_pendulum_and_stdlib_inputs_agree(data: st.DataObject) -> None:
    cal, ref = case(data)
    a = data.draw(instants(ref), label="a")
    b = a + data.draw(SPREADS, label="b - a")
    d = timedelta(microseconds=data.draw(DURATIONS, label="d"))
    std_a, std_b = as_datetime(data, a, ref), as_datetime(data, b, ref)
    pen_a = pendulum.instance(std_a.astimezone(UTC)).in_timezone(ref.spec.zone)
    pen_b = pendulum.instance(std_b.astimezone(UTC)).in_timezone("UTC")
    assert (us_of(pen_a), us_of(pen_b)) == (a, b)  # same instants, different types
    assert cal.is_open(pen_a) is cal.is_open(std_a)
    assert cal.elapsed(pen_a, pen_b) == cal.elapsed(std_a, std_b)
    for method in (cal.next_open, lambda x: cal.add(x, d)):
        try:
            want = us_of(method(std_a))
        except CalendarError:
            with pytest.raises(CalendarError):
                method(pen_a)
            continue
        got = method(pen_a)
        assert us_of(got) == want
        assert_in_zone(got, ref.spec.zone)


@settings(max_examples=100)
@given(st.data())
def test_integer_fast_paths_agree_with_datetime_methods(data: st.DataObject) -> None:
    cal, ref = case(data)
    a = data.draw(instants(ref), label="a")
    b = a + data.draw(SPREADS, label="b - a")
    d = data.draw(DURATIONS, label="d")
    da, db = datetime_of(a, ref.zone), datetime_of(b, ref.zone)
    assert cal.is_open_us(a) is cal.is_open(da)
    assert cal.elapsed_us(a, b) == cal.elapsed(da, db) // ONE_US
    try:
        want = us_of(cal.add(da, timedelta(microseconds=d)))
    except CalendarError:
        with pytest.raises(CalendarError):
            cal.add_us(a, d)
    else:
        assert cal.add_us(a, d) == want
    try:
        want = us_of(cal.next_open(da))
    except CalendarError:
        with pytest.raises(CalendarError):
            cal.next_open_us(a)
    else:
        assert cal.next_open_us(a) == want


@settings(max_examples=50)
@given(st.data())
def test_to_dict_round_trip_keeps_every_answer(data: st.DataObject) -> None:
    cal, ref = case(data)
    again = BusinessCalendar.from_dict(cal.to_dict())
    assert again.to_dict() == cal.to_dict()
    assert again.timezone == cal.timezone == ref.spec.zone
    a = data.draw(instants(ref), label="a")
    b = a + data.draw(SPREADS, label="b - a")
    assert again.is_open_us(a) is cal.is_open_us(a)
    assert again.elapsed_us(a, b) == cal.elapsed_us(a, b)


# --------------------------------------------------------------------------------------------
# Warm calendars: the datetime fast paths and runs of years on one business-time scale
# --------------------------------------------------------------------------------------------
#
# A fresh calendar answers its first call on the general path: the fast paths of add, elapsed
# and is_open need the years at hand.  These tests call each method twice on a calendar whose
# years are indexed, so the second call takes the fast path when the datetimes are in the
# calendar's zone or in UTC, and both answers must be the reference's.


@settings(max_examples=200)
@given(st.data())
def test_warm_datetime_calls_match_reference(data: st.DataObject) -> None:
    cal, ref = case(data)
    cal.elapsed_us(RANGE_START, RANGE_END)  # index every year of the range
    for _ in range(3):
        a = data.draw(instants(ref), label="a")
        b = a + data.draw(SPREADS, label="b - a")
        d = data.draw(DURATIONS, label="d")
        # In the calendar's zone or in UTC (both have fast paths), or each in one of them.
        zones = data.draw(st.sampled_from([(ref.zone, ref.zone), (UTC, UTC), (ref.zone, UTC)]))
        start, end = datetime_of(a, zones[0]), datetime_of(b, zones[1])
        for _repeat in range(2):
            assert cal.is_open(start) is ref.is_open(a)
            assert cal.elapsed(start, end) == timedelta(microseconds=ref.elapsed(a, b))
            check_add(cal, ref, start, d)


def mid_year(year: int) -> int:
    return (datetime(year, 7, 1, tzinfo=UTC) - EPOCH) // ONE_US


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    touched=st.lists(
        st.one_of(st.integers(2022, 2031), st.sampled_from((2100, 2140, 2180, 2230))),
        max_size=8,
    ),
    limit=st.sampled_from((2, 3, 64)),
)
def test_answers_do_not_depend_on_which_years_were_indexed_first(
    data: st.DataObject, touched: list[int], limit: int
) -> None:
    """Years indexed in any order, in runs of at most 2, 3 or 64 years, runs at hand
    replaced as others are needed: every answer equals a fresh calendar's, or both refuse."""
    spec = data.draw(specs(), label="spec")
    with mock.patch.object(calendar_module, "_RUN_YEARS", limit):
        used, fresh = spec.build(), spec.build()
        for year in touched:
            used.is_open_us(mid_year(year))
        for _ in range(4):
            a = data.draw(st.sampled_from(touched or [2026]).map(mid_year), label="a")
            a += data.draw(st.integers(-400 * DAY, 400 * DAY), label="a shift")
            b = a + data.draw(st.one_of(SPREADS, st.integers(0, 250 * 365 * DAY)), label="b - a")
            d = data.draw(st.one_of(DURATIONS, st.integers(0, 150 * 365 * DAY)), label="d")
            zone = ZoneInfo(spec.zone)
            for method, args in (
                ("elapsed_us", (a, b)),
                ("add_us", (a, d)),
                ("elapsed", (datetime_of(a, zone), datetime_of(b, zone))),
                ("add", (datetime_of(a, zone), timedelta(microseconds=d))),
            ):
                try:
                    want = getattr(fresh, method)(*args)
                except CalendarError:
                    with pytest.raises(CalendarError):
                        getattr(used, method)(*args)
                    continue
                got = getattr(used, method)(*args)
                assert got == want, (method, args)
                if method == "add":
                    assert_in_zone(got, spec.zone)


def test_years_indexed_backwards_share_a_run() -> None:
    """A year indexed before its predecessor: the predecessor joins its run below it, and
    the business time across New Year is one difference on the run's scale."""
    cal = BusinessCalendar(
        "America/New_York", {k: [("09:00", "17:00")] for k in ("mon", "tue", "wed", "thu", "fri")}
    )
    eve = datetime(2026, 12, 31, 16, 0, tzinfo=ZoneInfo("America/New_York"))
    cal.is_open(eve + timedelta(days=7))  # 2027 first
    cal.is_open(eve)  # then 2026
    # 16:00-17:00 on Thursday 31 December, then Friday 1 January 2027 09:00-16:00.
    assert cal.elapsed(eve, eve + timedelta(days=1)) == timedelta(hours=8)
    # and the whole Friday, nothing at the weekend.
    assert cal.elapsed(eve, eve + timedelta(days=3)) == timedelta(hours=9)
    assert cal.add(eve, timedelta(hours=8)) == eve + timedelta(days=1)


# --------------------------------------------------------------------------------------------
# 24/7 calendars
# --------------------------------------------------------------------------------------------


@settings(max_examples=100)
@given(
    zone=st.sampled_from(ZONES),
    a=st.integers(RANGE_START, RANGE_END),
    spread=SPREADS,
    d=DURATIONS,
)
def test_always_open_is_wall_time(zone: str, a: int, spread: int, d: int) -> None:
    cal = BusinessCalendar.always_open(timezone=zone)
    assert cal.timezone == zone
    start = datetime_of(a, ZoneInfo(zone))
    # Aware arithmetic in one zone is wall-clock arithmetic, so build `end` from the instant.
    end = datetime_of(a + spread, UTC)
    assert cal.is_open(start)
    assert us_of(cal.next_open(start)) == a
    assert cal.elapsed(start, end) == timedelta(microseconds=spread)
    got = cal.add(start, timedelta(microseconds=d))
    assert us_of(got) == a + d
    assert_in_zone(got, zone)


def test_always_open_defaults_to_utc() -> None:
    cal = BusinessCalendar.always_open()
    assert cal.timezone == "UTC"
    at = datetime(2026, 3, 8, 7, 0, tzinfo=UTC)
    assert cal.add(at, timedelta(hours=1)) == datetime(2026, 3, 8, 8, 0, tzinfo=UTC)


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------

NY_DESK = {day: [("09:00", "17:00")] for day in DAY_KEYS[:5]}
NAIVE = datetime(2026, 3, 2, 10, 0)
AWARE = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("America/New_York"))


def ny_desk() -> BusinessCalendar:
    return BusinessCalendar(timezone="America/New_York", weekly=NY_DESK)


def test_pendulum_datetimes_are_accepted() -> None:
    """Regression: ``pendulum.DateTime - datetime`` is a pendulum ``Interval`` whose
    ``// timedelta`` raises AttributeError (pendulum 3.3), so ``(at - EPOCH) // ONE_US`` fails."""
    cal = ny_desk()
    at = pendulum.datetime(2026, 3, 2, 10, 0, tz="America/New_York")  # a Monday, EST
    assert cal.is_open(at)
    assert us_of(cal.next_open(at)) == us_of(at)
    assert cal.elapsed(at, at.add(hours=2)) == timedelta(hours=2)
    # 10:00 + 1 h = 11:00 EST = 16:00 UTC
    assert us_of(cal.add(at, timedelta(hours=1))) == us_of(datetime(2026, 3, 2, 16, tzinfo=UTC))


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda cal: cal.is_open(NAIVE), id="is_open"),
        pytest.param(lambda cal: cal.next_open(NAIVE), id="next_open"),
        pytest.param(lambda cal: cal.add(NAIVE, timedelta(hours=1)), id="add"),
        pytest.param(lambda cal: cal.elapsed(NAIVE, AWARE), id="elapsed-start"),
        pytest.param(lambda cal: cal.elapsed(AWARE, NAIVE), id="elapsed-end"),
    ],
)
def test_naive_datetimes_raise(call: Callable[[BusinessCalendar], object]) -> None:
    with pytest.raises(CalendarError, match=re.escape(repr(NAIVE))):
        call(ny_desk())


def test_naive_datetimes_raise_on_24_7_calendars_too() -> None:
    with pytest.raises(CalendarError, match="aware"):
        BusinessCalendar.always_open().is_open(NAIVE)


def test_end_before_start_raises() -> None:
    with pytest.raises(CalendarError, match=r"2026"):
        ny_desk().elapsed(AWARE, AWARE - ONE_US)
    with pytest.raises(CalendarError):
        ny_desk().elapsed_us(10, 9)


@pytest.mark.parametrize(
    ("weekly", "special_days"),
    [
        pytest.param({}, {}, id="nothing"),
        pytest.param({"mon": []}, {}, id="empty-monday"),
        pytest.param({}, {date(2025, 12, 24): [("09:00", "12:00")]}, id="special-day-in-past"),
        pytest.param({}, {date(2026, 12, 24): []}, id="closed-special-day"),
    ],
)
def test_a_calendar_that_never_opens_again_raises(
    weekly: dict[str, list[Span]], special_days: dict[date, list[Span]]
) -> None:
    cal = BusinessCalendar(timezone="Asia/Jakarta", weekly=weekly, special_days=special_days)
    at = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    with pytest.raises(CalendarError):
        cal.next_open(at)
    with pytest.raises(CalendarError):
        cal.add(at, timedelta(minutes=1))
    with pytest.raises(CalendarError):
        cal.next_open_us(us_of(at))
    # Questions that need no future opening still have answers.
    assert not cal.is_open(at)
    assert cal.elapsed(at, at + timedelta(days=400)) == timedelta(0)
    assert us_of(cal.add(at, timedelta(0))) == us_of(at)


def test_a_future_special_day_is_found_far_ahead() -> None:
    cal = BusinessCalendar(
        timezone="Asia/Jakarta", weekly={}, special_days={date(2031, 6, 2): [("09:00", "10:00")]}
    )
    at = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    opens = datetime(2031, 6, 2, 2, 0, tzinfo=UTC)  # 09:00 WIB
    assert us_of(cal.next_open(at)) == us_of(opens)
    assert us_of(cal.add(at, timedelta(minutes=30))) == us_of(opens + timedelta(minutes=30))
    with pytest.raises(CalendarError):
        cal.add(at, timedelta(minutes=61))


@pytest.mark.parametrize(
    ("weekly", "special_days", "named"),
    [
        pytest.param({"mon": [("09:00", "12:00"), ("11:00", "13:00")]}, {}, "11:00", id="overlap"),
        pytest.param({"tue": [("13:00", "17:00"), ("09:00", "12:00")]}, {}, "09:00", id="unsorted"),
        pytest.param({"wed": [("12:00", "12:00")]}, {}, "12:00", id="empty-span"),
        pytest.param({"wed": [("17:00", "09:00")]}, {}, "17:00", id="start-after-end"),
        pytest.param({"thu": [("09:00", "25:00")]}, {}, "25:00", id="hour-25"),
        pytest.param({"thu": [("09:00", "12:60")]}, {}, "12:60", id="minute-60"),
        pytest.param({"thu": [("09:00", "24:30")]}, {}, "24:30", id="after-midnight"),
        pytest.param({"fri": [("24:00", "24:00")]}, {}, "24:00", id="24-as-start"),
        pytest.param({"fri": [("ab:cd", "12:00")]}, {}, "ab:cd", id="not-a-time"),
        pytest.param({"fri": [(900, 1200)]}, {}, "900", id="not-a-string"),
        pytest.param({"sat": [("09:00", "10:00", "11:00")]}, {}, "11:00", id="not-a-pair"),
        pytest.param({"monday": [("09:00", "12:00")]}, {}, "monday", id="long-day-key"),
        pytest.param({"xyz": [("09:00", "12:00")]}, {}, "xyz", id="unknown-day-key"),
        pytest.param(
            {}, {date(2026, 12, 12): [("22:00", "08:00")]}, "22:00", id="special-day-span"
        ),
        pytest.param(
            {},
            {date(2026, 12, 12): [("08:00", "12:00"), ("10:00", "22:00")]},
            "10:00",
            id="special-day-overlap",
        ),
    ],
)
def test_bad_spans_raise_naming_the_value(
    weekly: dict[str, list[Span]], special_days: dict[date, list[Span]], named: str
) -> None:
    with pytest.raises(CalendarError, match=re.escape(named)):
        BusinessCalendar(timezone="UTC", weekly=weekly, special_days=special_days)


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "Asia/Djakarta_"])
def test_unknown_zone_raises_naming_it(zone: str) -> None:
    with pytest.raises(CalendarError, match=re.escape(repr(zone))):
        BusinessCalendar(timezone=zone, weekly=NY_DESK)
    with pytest.raises(CalendarError, match=re.escape(repr(zone))):
        BusinessCalendar.always_open(timezone=zone)


def test_long_spans_add_up_across_scales() -> None:
    """Years far apart are indexed in runs of their own; spans across them add up whole
    years by their totals, agree with a split at any point, and stop at the 200-year limit."""
    weekly = {k: [("09:00", "12:00"), ("13:00", "17:30")] for k in DAY_KEYS[:5]}
    holidays = [date(2100, 1, 1), date(2150, 12, 25)]

    def cal() -> BusinessCalendar:
        return BusinessCalendar("America/New_York", weekly, holidays)

    a, m, b = mid_year(2026), mid_year(2150), mid_year(2200)
    far = cal()
    far.is_open_us(b)  # 2200 first: a run of its own, far from 2026's
    whole = far.elapsed_us(a, b)
    assert whole == cal().elapsed_us(a, m) + cal().elapsed_us(m, b)
    due = far.add_us(a, whole)
    assert due == cal().add_us(a, whole)
    assert due <= b  # 2200-06-30 20:00 EDT is after hours: the deadline is that day's 17:30
    assert cal().elapsed_us(a, due) == whole
    with pytest.raises(CalendarError, match="200 years"):
        cal().elapsed_us(a, mid_year(2230))
    with pytest.raises(CalendarError, match="200 years"):
        cal().add_us(a, 2 * whole)

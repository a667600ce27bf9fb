"""Review probes for the year-index rewrite of ``BusinessCalendar`` (commit e54e001).

The rewrite added fast paths for stdlib datetimes in the calendar's own zone (``add``,
``elapsed``, ``is_open`` through ``_local``), wrote answers back from per-interval wall-clock
offsets (``walls``) instead of a zone lookup, and counted business time on scales shared by
neighbouring years.  These tests compare every entry point with a day-by-day reference
(:class:`Ref`, the same idea as ``test_calendar_reference.RefCalendar``), and with itself:
fresh calendar against warm calendar, calendar-zone datetime against the same instant in UTC,
in a fixed-offset zone and as a pendulum ``DateTime``.

An answer is right only if it is the right instant *and* it is written the way converting the
instant to the zone writes it (same wall clock, ``utcoffset`` and ``fold``).  Note that
``result.astimezone(cal.zone)`` is no check of that: ``astimezone`` returns a datetime
unchanged when it already has that tzinfo, so :func:`canonical` goes through UTC.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from unittest import mock
from zoneinfo import ZoneInfo

import pendulum
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csflow import calendar as calendar_module
from csflow.calendar import DAY_KEYS, BusinessCalendar
from csflow.errors import CalendarError

__all__: list[str] = []

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_US = timedelta(microseconds=1)
SECOND = 1_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR
YEAR = 365 * DAY

Span = tuple[str, str]
Interval = tuple[int, int]

REVIEW = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def us_of(value: datetime) -> int:
    """Microseconds since the epoch, from the UTC fields (works for pendulum too)."""
    u = value.astimezone(UTC)
    days = u.toordinal() - EPOCH.toordinal()
    return (((days * 24 + u.hour) * 60 + u.minute) * 60 + u.second) * SECOND + u.microsecond


def datetime_of(us: int, tz: tzinfo) -> datetime:
    return (EPOCH + timedelta(microseconds=us)).astimezone(tz)


def canonical(value: datetime, zone: tzinfo) -> tuple[object, ...]:
    """How converting *value*'s instant to *zone* writes it: fields, fold and offset."""
    local = value.astimezone(UTC).astimezone(zone)
    return (*local.timetuple()[:6], local.microsecond, local.fold, local.utcoffset())


def written(value: datetime) -> tuple[object, ...]:
    return (*value.timetuple()[:6], value.microsecond, value.fold, value.utcoffset())


def assert_answer(got: datetime, want_us: int, cal: BusinessCalendar) -> None:
    """*got* is instant *want_us*, expressed in the calendar's zone as conversion writes it."""
    assert type(got) is datetime
    assert us_of(got) == want_us, (got, datetime_of(want_us, cal.zone))
    assert got.tzinfo is cal.zone
    assert written(got) == canonical(got, cal.zone), (got, datetime_of(want_us, cal.zone))


def hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def minute_of(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


# --------------------------------------------------------------------------------------------
# A day-by-day reference (as in test_calendar_reference.RefCalendar)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    zone: str
    weekly: Mapping[str, tuple[Span, ...]]
    holidays: frozenset[date]
    special_days: Mapping[date, tuple[Span, ...]]

    def build(self) -> BusinessCalendar:
        return BusinessCalendar(
            self.zone,
            weekly={key: list(spans) for key, spans in self.weekly.items()},
            holidays=sorted(self.holidays),
            special_days={day: list(spans) for day, spans in self.special_days.items()},
        )


class NeverOpensError(Exception):
    pass


class Ref:
    """Per-date intervals from ``fold=0`` wall times, then linear scans day after day."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.zone = ZoneInfo(spec.zone)
        self._days: dict[date, list[Interval]] = {}
        self.last_open_day: date | None = None
        if not any(spec.weekly.values()):
            self.last_open_day = max(
                (day for day, spans in spec.special_days.items() if spans), default=date(2, 1, 1)
            )

    def spans_of(self, day: date) -> tuple[Span, ...]:
        if day in self.spec.special_days:
            return self.spec.special_days[day]
        if day in self.spec.holidays:
            return ()
        return self.spec.weekly.get(DAY_KEYS[day.weekday()], ())

    def wall(self, day: date, minute: int) -> int:
        day += timedelta(days=minute // 1440)
        minute %= 1440
        local = datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=self.zone)
        return us_of(local)

    def day_intervals(self, day: date) -> list[Interval]:
        if day in self._days:
            return self._days[day]
        raw = []
        for start, end in self.spans_of(day):
            lo, hi = self.wall(day, minute_of(start)), self.wall(day, minute_of(end))
            if lo < hi:
                raw.append((lo, hi))
        merged: list[Interval] = []
        for lo, hi in sorted(raw):
            if merged and lo <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
            else:
                merged.append((lo, hi))
        self._days[day] = merged
        return merged

    def local_date(self, us: int) -> date:
        return datetime_of(us, self.zone).date()

    def intervals(self, first: date, last: date) -> Iterator[Interval]:
        day = first
        while day <= last:
            yield from self.day_intervals(day)
            day += timedelta(days=1)

    def is_open(self, t: int) -> bool:
        day = self.local_date(t)
        return any(
            lo <= t < hi for lo, hi in self.intervals(day - timedelta(days=2), day + timedelta(2))
        )

    def elapsed(self, a: int, b: int) -> int:
        first = self.local_date(a) - timedelta(days=2)
        last = self.local_date(b) + timedelta(days=2)
        return sum(max(0, min(hi, b) - max(lo, a)) for lo, hi in self.intervals(first, last))

    def add(self, a: int, d: int) -> int:
        if d == 0:
            return a
        day = self.local_date(a) - timedelta(days=2)
        while True:
            if self.last_open_day is not None and day > self.last_open_day + timedelta(days=2):
                raise NeverOpensError
            for lo, hi in self.day_intervals(day):
                lo = max(lo, a)
                if lo < hi:
                    if hi - lo >= d:
                        return lo + d
                    d -= hi - lo
            day += timedelta(days=1)

    def next_open(self, t: int) -> int:
        if self.is_open(t):
            return t
        day = self.local_date(t) - timedelta(days=2)
        while True:
            if self.last_open_day is not None and day > self.last_open_day + timedelta(days=2):
                raise NeverOpensError
            starts = [lo for lo, _ in self.day_intervals(day) if lo > t]
            if starts:
                return min(starts)
            day += timedelta(days=1)


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
def day_spans(draw: st.DrawFn) -> tuple[Span, ...]:
    point = st.one_of(
        st.sampled_from(INTERESTING_MINUTES), st.integers(0, 96).map(lambda k: k * 15)
    )
    ordered = sorted(set(draw(st.lists(point, max_size=6))))
    return tuple((hhmm(ordered[i]), hhmm(ordered[i + 1])) for i in range(0, len(ordered) - 1, 2))


@st.composite
def specs(draw: st.DrawFn, scenes: tuple[tuple[str, int], ...] = SCENES) -> tuple[Spec, int]:
    zone, year = draw(st.sampled_from(scenes))
    weekly: dict[str, tuple[Span, ...]] = {}
    if draw(st.integers(0, 9)) > 0:
        for key in DAY_KEYS:
            if draw(st.integers(0, 4)):
                weekly[key] = draw(day_spans())
    near = [datetime_of(t, ZoneInfo(zone)).date() for t in transitions(zone, year)]
    dates = st.dates(date(year - 1, 1, 1), date(year + 1, 12, 31))
    if near:
        dates = st.one_of(
            dates,
            st.builds(lambda d, k: d + timedelta(days=k), st.sampled_from(near), st.integers(-1, 1)),
        )
    holidays = draw(st.frozensets(dates, max_size=6))
    special = draw(st.dictionaries(dates, day_spans(), max_size=4))
    return Spec(zone, weekly, holidays, special), year


@st.composite
def instants(draw: st.DrawFn, ref: Ref, year: int) -> int:
    kind = draw(st.sampled_from(("uniform", "transition", "edge", "new year")))
    marks = transitions(ref.spec.zone, year)
    if kind == "transition" and marks:
        base = draw(st.sampled_from(marks))
    elif kind == "edge":
        day = draw(st.dates(date(year - 1, 1, 1), date(year + 1, 12, 31)))
        listed = sorted(ref.spec.holidays | set(ref.spec.special_days))
        if listed and draw(st.booleans()):
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


@contextlib.contextmanager
def small_year_cache(limit: int) -> Iterator[None]:
    """The year cache patched small (the module's knob, whichever name it has)."""
    for name in ("_YEAR_CACHE_LIMIT", "_RUN_YEARS"):
        if hasattr(calendar_module, name):
            with mock.patch.object(calendar_module, name, limit):
                yield
            return
    yield


def outcome(call: Callable[[], object]) -> object:
    """The answer, or the fact that the call raised CalendarError (anything else propagates)."""
    try:
        return call()
    except CalendarError:
        return CalendarError

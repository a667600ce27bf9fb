"""BusinessCalendar against a naive reference written from the docs, in zones that change
their clocks in awkward ways.

The reference (:class:`NaiveCalendar`) reads the rules of docs/explanation/dst.md and
docs/how-to/business-hours.md literally: each local date's spans (its special day's, else
none on a holiday, else its weekday's) become real intervals by building each bound as a
``zoneinfo`` wall time with ``fold=0`` (a bound in a gap moves forward by the gap, a bound in
an overlap is its first occurrence), ``"24:00"`` being the next date's midnight; each date's
open time is the union of its intervals within its own midnight and the next one's (so a
date the zone skips, Pacific/Apia's 2011-12-30, has none).  Every question is then a linear
scan over dates.  The instants asked about cluster around each zone's offset changes.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import BusinessCalendar
from csflow.calendar import DAY_KEYS
from csflow.errors import CalendarError

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US = timedelta(microseconds=1)
MINUTE_US = 60_000_000
HOUR_US = 60 * MINUTE_US
DAY_US = 24 * HOUR_US

Spans = Sequence[tuple[int, int]]  # minutes since local midnight, end exclusive, up to 1440

#: Zones with every kind of change: ordinary DST (New York, London), a 30-minute DST
#: (Lord Howe), none at all (Jakarta), a skipped date (Apia, 2011-12-30), changes at
#: midnight (Tehran until 2022, Havana, Santiago's 24:00), a negative "DST" suspended in
#: Ramadan (Casablanca), a two-hour DST (Troll), a half-hour zone (St John's) and Chatham's
#: 45-minute offset.
ZONES = (
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",
    "Asia/Jakarta",
    "Pacific/Apia",
    "Asia/Tehran",
    "Africa/Casablanca",
    "America/Havana",
    "America/Santiago",
    "Antarctica/Troll",
    "America/St_Johns",
    "Pacific/Chatham",
)
YEARS = (2011, 2012, 2019, 2021, 2024, 2026)


def us_of(value: datetime) -> int:
    return datetime.__sub__(value, EPOCH) // US


def at_us(t: int, zone: ZoneInfo) -> datetime:
    return (EPOCH + t * US).astimezone(zone)


class NaiveCalendar:
    """Day-by-day reference; see the module docstring."""

    def __init__(
        self,
        zone: str,
        weekly: Mapping[str, Spans],
        holidays: frozenset[date],
        special: Mapping[date, Spans],
    ) -> None:
        self.zone = ZoneInfo(zone)
        self.weekly = weekly
        self.holidays = holidays
        self.special = special

    def spans(self, day: date) -> Spans:
        if day in self.special:
            return self.special[day]
        if day in self.holidays:
            return ()
        return self.weekly.get(DAY_KEYS[day.weekday()], ())

    def wall(self, day: date, minute: int) -> int:
        if minute == 1440:
            day, minute = day + timedelta(days=1), 0
        local = datetime(day.year, day.month, day.day, minute // 60, minute % 60)
        return us_of(local.replace(tzinfo=self.zone, fold=0))

    @functools.cache  # noqa: B019 - one reference per example, dropped with it
    def day(self, day: date) -> tuple[tuple[int, int], ...]:
        lo, hi = self.wall(day, 0), self.wall(day, 1440)
        raw = sorted(
            (max(self.wall(day, s), lo), min(self.wall(day, e), hi)) for s, e in self.spans(day)
        )
        out: list[tuple[int, int]] = []
        for s, e in raw:
            if s >= e:
                continue
            if out and s <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], e))
            else:
                out.append((s, e))
        return tuple(out)

    def local_date(self, t: int) -> date:
        return at_us(t, self.zone).date()

    def intervals_from(self, t: int, days: int = 800) -> Iterator[tuple[int, int]]:
        day = self.local_date(t) - timedelta(days=2)
        for _ in range(days):
            yield from self.day(day)
            day += timedelta(days=1)

    def elapsed(self, a: int, b: int) -> int:
        total = 0
        for s, e in self.intervals_from(a):
            if s >= b:
                break
            total += max(0, min(e, b) - max(s, a))
        return total

    def is_open(self, t: int) -> bool:
        return any(s <= t < e for s, e in self.intervals_from(t, 5))

    def next_open(self, t: int) -> int | None:
        for s, e in self.intervals_from(t):
            if e > t:
                return max(s, t)
        return None

    def add(self, t: int, d: int) -> int | None:
        if d == 0:
            return t
        for s, e in self.intervals_from(t):
            if e <= t:
                continue
            s = max(s, t)
            if e - s >= d:
                return s + d
            d -= e - s
        return None


@functools.cache
def offset_changes(zone: str, year: int) -> tuple[int, ...]:
    """The instants (µs) at which *zone* changes its UTC offset in *year* (to 30 minutes)."""
    tz = ZoneInfo(zone)
    out = []
    t = us_of(datetime(year, 1, 1, tzinfo=UTC)) - DAY_US
    end = us_of(datetime(year + 1, 1, 1, tzinfo=UTC)) + DAY_US
    before = at_us(t, tz).utcoffset()
    step = 30 * MINUTE_US
    while t < end:
        t += step
        now = at_us(t, tz).utcoffset()
        if now != before:
            lo = t - step  # find the exact minute
            while t - lo > MINUTE_US:
                mid = (lo + t) // 2 // MINUTE_US * MINUTE_US
                if at_us(mid, tz).utcoffset() == before:
                    lo = mid
                else:
                    t = mid
            out.append(t)
            before = now
    return tuple(out)


def fmt(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@st.composite
def day_spans(draw: st.DrawFn) -> tuple[tuple[int, int], ...]:
    step = draw(st.sampled_from([1, 15, 30, 60]))
    points = draw(st.lists(st.integers(0, 1440 // step), max_size=6, unique=True))
    points = sorted(p * step for p in points)
    spans = [(points[i], points[i + 1]) for i in range(0, len(points) - 1, 2)]
    touching: bool = draw(st.booleans())
    if spans and touching and spans[-1][1] < 1440:
        spans.append((spans[-1][1], 1440))  # touching spans, up to midnight
    return tuple(spans)


@st.composite
def cases(draw: st.DrawFn) -> tuple[BusinessCalendar, NaiveCalendar, int, tuple[int, ...]]:
    zone = draw(st.sampled_from(ZONES))
    year = draw(st.sampled_from(YEARS))
    changes = offset_changes(zone, year)
    tz = ZoneInfo(zone)
    weekly = {}
    for key in DAY_KEYS:
        spans = draw(day_spans())
        closed_kept: bool = draw(st.booleans())
        if spans or closed_kept:
            weekly[key] = spans
    near = [at_us(t, tz).date() for t in changes] or [date(year, 6, 1)]
    some_dates = st.builds(
        lambda d, k: d + timedelta(days=k), st.sampled_from(near), st.integers(-2, 2)
    )
    holidays = frozenset(draw(st.lists(some_dates, max_size=3)))
    special = draw(st.dictionaries(some_dates, day_spans(), max_size=3))
    cal = BusinessCalendar(
        zone,
        weekly={k: [(fmt(s), fmt(e)) for s, e in v] for k, v in weekly.items()},
        holidays=sorted(holidays),
        special_days={d: [(fmt(s), fmt(e)) for s, e in v] for d, v in special.items()},
    )
    ref = NaiveCalendar(zone, weekly, holidays, special)
    instants = []
    for _ in range(3):
        near_change: bool = draw(st.booleans())
        if changes and near_change:
            base = draw(st.sampled_from(changes))
            shift = draw(
                st.sampled_from([0, 1, -1, MINUTE_US, -MINUTE_US, 30 * MINUTE_US])
                | st.integers(-2 * DAY_US, 2 * DAY_US)
            )
            instants.append(base + shift)
        else:
            start = us_of(datetime(year, 1, 1, tzinfo=UTC))
            instants.append(start + draw(st.integers(0, 365 * DAY_US)))
    return cal, ref, year, tuple(instants)


def ways_to_write(t: int, zone: ZoneInfo) -> list[datetime]:
    """The instant *t* as the datetimes a host may pass: in the zone, in UTC, at a fixed
    offset, and as pendulum datetimes."""
    local = at_us(t, zone)
    return [
        local,
        local.astimezone(UTC),
        local.astimezone(ZoneInfo.no_cache(zone.key)),
        pendulum.instance(local),
    ]


@settings(max_examples=120)
@given(case=cases(), data=st.data())
def test_calendar_agrees_with_the_naive_reference(
    case: tuple[BusinessCalendar, NaiveCalendar, int, tuple[int, ...]], data: st.DataObject
) -> None:
    cal, ref, _, instants = case
    tz = ref.zone
    for a in instants:
        b = a + data.draw(st.sampled_from([0, 1, HOUR_US]) | st.integers(0, 10 * DAY_US))
        want = ref.elapsed(a, b)
        assert cal.elapsed_us(a, b) == want, (a, b)
        for x, y in zip(ways_to_write(a, tz), ways_to_write(b, tz), strict=True):
            assert cal.elapsed(x, y) == want * US, (x, y)
        assert cal.is_open_us(a) == ref.is_open(a), a
        assert cal.is_open(at_us(a, tz)) == ref.is_open(a), a
        opens = ref.next_open(a)
        if opens is not None:
            assert cal.next_open_us(a) == opens, a
            found = cal.next_open(at_us(a, tz))
            assert us_of(found) == opens
            assert found.utcoffset() == at_us(opens, tz).utcoffset()
        d = data.draw(st.sampled_from([1, MINUTE_US, HOUR_US]) | st.integers(1, 60 * HOUR_US))
        due = ref.add(a, d)
        if due is None:
            continue
        assert cal.add_us(a, d) == due, (a, d)
        for x in ways_to_write(a, tz):
            got = cal.add(x, d * US)
            assert us_of(got) == due, (x, d)
            # In the calendar's zone, with the offset and fold of that instant.
            shown = at_us(due, tz)
            assert (got.tzinfo, got.fold, got.utcoffset()) == (tz, shown.fold, shown.utcoffset())
        assert cal.elapsed_us(a, due) == d


@settings(max_examples=60)
@given(case=cases(), data=st.data())
def test_wall_clock_input_reads_as_its_pep495_instant(
    case: tuple[BusinessCalendar, NaiveCalendar, int, tuple[int, ...]], data: st.DataObject
) -> None:
    """A datetime written from wall-clock fields, even in a gap or an overlap (either fold),
    means the instant its ``utcoffset()`` gives it."""
    cal, ref, _, instants = case
    for t in instants:
        wall = at_us(t, ref.zone).replace(tzinfo=None)
        fold = data.draw(st.sampled_from([0, 1]))
        given_at = wall.replace(tzinfo=ref.zone, fold=fold)
        u = us_of(given_at)
        assert cal.is_open(given_at) == ref.is_open(u)
        due = ref.add(u, HOUR_US)
        if due is not None:
            assert us_of(cal.add(given_at, timedelta(hours=1))) == due


def test_apia_skipped_day_has_no_hours() -> None:
    """Pacific/Apia went from 2011-12-29 23:59:59 (UTC-10) to 2011-12-31 00:00 (UTC+14): the
    30th never happened, so its spans count nothing and a 24/7 day lasts 24 real hours."""
    apia = ZoneInfo("Pacific/Apia")
    office = BusinessCalendar("Pacific/Apia", weekly={d: [("09:00", "17:00")] for d in DAY_KEYS})
    thu = datetime(2011, 12, 29, 16, tzinfo=apia)
    assert office.add(thu, timedelta(hours=2)) == datetime(2011, 12, 31, 10, tzinfo=apia)
    assert office.elapsed(thu, datetime(2011, 12, 31, 10, tzinfo=apia)) == timedelta(hours=2)
    always = BusinessCalendar.always_open("Pacific/Apia")
    late = datetime(2011, 12, 29, 23, tzinfo=apia)
    assert always.add(late, timedelta(hours=2)) == datetime(2011, 12, 31, 1, tzinfo=apia)


def test_lord_howe_half_hour_change() -> None:
    """Lord Howe goes from 02:00 to 02:30 on 2026-10-04 and from 02:00 back to 01:30 on
    2026-04-05: a desk open 01:00-03:00 is open 1.5 real hours on the first and 2.5 on the
    second (a bound in the overlap, 01:30-02:00, is its first occurrence)."""
    cal = BusinessCalendar("Australia/Lord_Howe", weekly={"sun": [("01:00", "03:00")]})
    lh = ZoneInfo("Australia/Lord_Howe")
    october = datetime(2026, 10, 4, tzinfo=lh)
    april = datetime(2026, 4, 5, tzinfo=lh)
    assert cal.elapsed(october, october + timedelta(days=1)) == timedelta(hours=1, minutes=30)
    assert cal.elapsed(april, april + timedelta(days=1)) == timedelta(hours=2, minutes=30)
    half = BusinessCalendar("Australia/Lord_Howe", weekly={"sun": [("01:30", "02:00")]})
    opens = half.next_open(april)
    assert (opens.hour, opens.minute, opens.fold) == (1, 30, 0)
    # 02:00 comes once, after the change (+10:30): 01:30 +11 to 02:00 +10:30 is an hour.
    assert half.elapsed(april, april + timedelta(days=1)) == timedelta(hours=1)


def test_tehran_midnight_gap() -> None:
    """Tehran's clocks went from 00:00 to 01:00 on 2021-03-22 (no DST since 2022): the date
    starts at 01:00, so a desk open from midnight on that date opens at 01:00 +04:30."""
    teh = ZoneInfo("Asia/Tehran")
    cal = BusinessCalendar("Asia/Tehran", weekly={"mon": [("00:00", "02:00")]})
    sunday = datetime(2021, 3, 21, 12, tzinfo=teh)
    opens = cal.next_open(sunday)
    assert opens == datetime(2021, 3, 22, 1, tzinfo=teh)
    assert opens.utcoffset() == timedelta(hours=4, minutes=30)
    assert cal.elapsed(sunday, sunday + timedelta(days=2)) == timedelta(hours=1)


def test_casablanca_ramadan_change() -> None:
    """Casablanca leaves +01 for +00 during Ramadan: on 2026-02-15 at 03:00 the clocks go back
    to 02:00 and on 2026-03-22 at 02:00 forward to 03:00."""
    casa = ZoneInfo("Africa/Casablanca")
    changes = offset_changes("Africa/Casablanca", 2026)
    assert [at_us(t, casa).utcoffset() for t in changes] == [timedelta(0), timedelta(hours=1)]
    cal = BusinessCalendar("Africa/Casablanca", weekly={"sun": [("00:00", "24:00")]})
    for t, hours in zip(changes, (25, 23), strict=True):
        day = at_us(t, casa).replace(hour=0, minute=0)
        assert cal.elapsed(day, day + timedelta(days=1)) == timedelta(hours=hours)


def test_jakarta_needs_no_dst_and_counts_wall_time() -> None:
    cal = BusinessCalendar(
        "Asia/Jakarta",
        weekly={d: [("08:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")},
    )
    jkt = ZoneInfo("Asia/Jakarta")
    # Minute by minute through a week of wall time: the same as the calendar.
    start = datetime(2026, 3, 2, tzinfo=jkt)
    minutes = sum(
        1
        for m in range(7 * 1440)
        if cal.is_open(start + timedelta(minutes=m)) and (m % 1440) // 60 in range(8, 17)
    )
    assert minutes == 5 * 9 * 60
    assert cal.elapsed(start, start + timedelta(days=7)) == timedelta(minutes=minutes)


@pytest.mark.parametrize("zone", ZONES)
def test_offset_changes_found(zone: str) -> None:
    """The instants the properties cluster around exist where the zone changes its clocks."""
    found = [offset_changes(zone, y) for y in YEARS]
    if zone == "Asia/Jakarta":
        assert not any(found)
    elif zone != "Antarctica/Troll":
        assert any(found)
    with pytest.raises(CalendarError):
        BusinessCalendar(zone).add(datetime(2026, 1, 1, tzinfo=UTC), timedelta(hours=1))

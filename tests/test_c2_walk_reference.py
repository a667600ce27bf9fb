"""BusinessCalendar against a naive interval-list walk written from the documented rules.

The walk builds each local date's open intervals on its own: every ``"HH:MM"`` bound becomes
``datetime(y, m, d, hh, mm, tzinfo=ZoneInfo(zone))`` (``fold=0``: a bound in a gap moves forward
by the gap, a bound in an overlap means its first occurrence), ``"24:00"`` is the next date's
midnight, the spans are clipped to the date's own midnight and the next one's (a date the zone
skips has no open time) and joined.  A special day replaces its weekday's spans and wins over a
holiday; a holiday closes its date.  Every question is then a linear scan of the intervals.

Zones: Jakarta (no DST), London, New York, Lord Howe (a 30-minute shift), Santiago (DST in
the southern summer, changes at midnight), Apia (skipped 2011-12-30), and calendars with half
days, Ramadan-style shortened hours, night shifts over midnight and holidays on DST days.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.calendar import DAY_KEYS, BusinessCalendar
from csflow.errors import CalendarError

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US = timedelta(microseconds=1)
MIN = 60_000_000
HOUR = 60 * MIN
FIXED = timezone(timedelta(hours=-3, minutes=-30))

# Each zone with a window of dates that holds its clock changes (or its skipped date).
WINDOWS: dict[str, tuple[date, date]] = {
    "Asia/Jakarta": (date(2026, 3, 10), date(2026, 4, 10)),
    "Europe/London": (date(2026, 3, 22), date(2026, 4, 5)),
    "America/New_York": (date(2026, 10, 25), date(2026, 11, 8)),
    "Australia/Lord_Howe": (date(2026, 3, 29), date(2026, 4, 12)),
    "America/Santiago": (date(2026, 4, 1), date(2026, 4, 12)),
    "Pacific/Apia": (date(2011, 12, 24), date(2012, 1, 6)),
}
# The other change of each DST zone, for a second window.
WINDOWS_2: dict[str, tuple[date, date]] = {
    "Europe/London": (date(2026, 10, 20), date(2026, 11, 1)),
    "America/New_York": (date(2026, 3, 3), date(2026, 3, 14)),
    "Australia/Lord_Howe": (date(2026, 9, 30), date(2026, 10, 10)),
    "America/Santiago": (date(2026, 9, 1), date(2026, 9, 12)),
}


def us_of(value: datetime) -> int:
    return (value - EPOCH) // US


def dt_of(us: int, tz: ZoneInfo) -> datetime:
    """The instant *us* in zone *tz* (through UTC: aware arithmetic is wall-clock arithmetic)."""
    return (EPOCH + US * us).astimezone(tz)


class Walk:
    """The documented rules, one date at a time, as a sorted list of [start, end) intervals."""

    def __init__(
        self,
        zone: str,
        weekly: dict[str, list[tuple[str, str]]],
        holidays: set[date],
        special: dict[date, list[tuple[str, str]]],
        first: date,
        last: date,
    ) -> None:
        self.tz = ZoneInfo(zone)
        self.weekly, self.holidays, self.special = weekly, holidays, special
        self.intervals: list[tuple[int, int]] = []
        day = first
        while day <= last:
            for s, e in self.day(day):
                if self.intervals and self.intervals[-1][1] >= s:
                    self.intervals[-1] = (self.intervals[-1][0], max(e, self.intervals[-1][1]))
                else:
                    self.intervals.append((s, e))
            day += timedelta(days=1)
        self.lo = us_of(datetime.combine(first, datetime.min.time(), self.tz))
        self.hi = us_of(datetime.combine(last + timedelta(days=1), datetime.min.time(), self.tz))

    def wall(self, day: date, hhmm: str) -> int:
        h, m = map(int, hhmm.split(":"))
        if h == 24:
            day, h = day + timedelta(days=1), 0
        return us_of(datetime(day.year, day.month, day.day, h, m, tzinfo=self.tz))

    def day(self, day: date) -> list[tuple[int, int]]:
        if day in self.special:
            spans = self.special[day]
        elif day in self.holidays:
            spans = []
        else:
            spans = self.weekly.get(DAY_KEYS[day.weekday()], [])
        lo, hi = self.wall(day, "00:00"), self.wall(day, "24:00")
        out: list[tuple[int, int]] = []
        for a, b in spans:
            s, e = max(self.wall(day, a), lo), min(self.wall(day, b), hi)
            if s < e:
                if out and out[-1][1] >= s:
                    out[-1] = (out[-1][0], max(e, out[-1][1]))
                else:
                    out.append((s, e))
        return out

    def is_open(self, t: int) -> bool:
        return any(s <= t < e for s, e in self.intervals)

    def elapsed(self, a: int, b: int) -> int:
        return sum(max(0, min(e, b) - max(s, a)) for s, e in self.intervals)

    def next_open(self, t: int) -> int | None:
        for s, e in self.intervals:
            if t < e:
                return max(s, t)
        return None

    def next_close(self, t: int) -> int | None:
        """The first instant at or after t at which the desk is closed."""
        for s, e in self.intervals:
            if s <= t < e:
                return e
        return t

    def add(self, t: int, d: int) -> int | None:
        if d == 0:
            return t
        for s, e in self.intervals:
            if e <= t:
                continue
            s = max(s, t)
            if d <= e - s:
                return s + d
            d -= e - s
        return None


HHMM = [f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 30)] + ["24:00"]
# Minutes around the clock changes: 00:00-03:00 in half hours and quarter hours.
NIGHT = ["00:00", "00:30", "01:00", "01:15", "01:30", "01:45", "02:00", "02:15", "02:30", "03:00"]


@st.composite
def day_spans(draw: st.DrawFn) -> list[tuple[str, str]]:
    picks = sorted(set(draw(st.lists(st.sampled_from(HHMM + NIGHT), max_size=6))))
    if len(picks) % 2:
        picks = picks[:-1]
    return [(picks[i], picks[i + 1]) for i in range(0, len(picks), 2)]


@st.composite
def setups(draw: st.DrawFn) -> tuple[BusinessCalendar, Walk, int, int, list[int]]:
    zone = draw(st.sampled_from(sorted(WINDOWS)))
    first, last = WINDOWS[zone]
    if zone in WINDOWS_2 and draw(st.booleans()):
        first, last = WINDOWS_2[zone]
    kind = draw(st.sampled_from(["random", "office", "night", "always"]))
    if kind == "office":
        weekly = {k: [("08:00", "12:00"), ("13:00", "17:00")] for k in DAY_KEYS[:5]}
        weekly["sat"] = [("08:00", "12:00")]
    elif kind == "night":  # 22:00-06:00 every night, each half on its own date
        weekly = {k: [("00:00", "06:00"), ("22:00", "24:00")] for k in DAY_KEYS}
    elif kind == "always":
        weekly = {k: [("00:00", "24:00")] for k in DAY_KEYS}
    else:
        weekly = {k: draw(day_spans()) for k in DAY_KEYS}
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    holidays = set(draw(st.lists(st.sampled_from(days), max_size=4)))
    # Half days and shortened (Ramadan-style) hours, or a date closed by [].
    short = st.sampled_from(
        [
            [("08:00", "12:00")],
            [("08:00", "15:00")],
            [("08:00", "11:30"), ("12:30", "15:00")],
            [("01:00", "02:00")],
            [("00:00", "24:00")],
            [],
        ]
    )
    special = draw(st.dictionaries(st.sampled_from(days), short | day_spans(), max_size=3))
    cal = BusinessCalendar(zone, weekly=weekly, holidays=sorted(holidays), special_days=special)
    ref = Walk(zone, weekly, holidays, special, first, last)
    # Instants: interval bounds (and a µs either side), midnights, and anywhere in the window.
    inner_lo, inner_hi = ref.lo + 2 * 86_400_000_000, ref.hi - 2 * 86_400_000_000
    bounds = [x for s, e in ref.intervals for x in (s, e) if inner_lo <= x <= inner_hi]
    pool = st.integers(inner_lo, inner_hi)
    if bounds:
        pool = pool | st.sampled_from(bounds) | st.sampled_from(bounds).map(lambda x: x - 1)
    points = draw(st.lists(pool, min_size=2, max_size=6))
    return cal, ref, inner_lo, inner_hi, points


@settings(max_examples=150)
@given(setups())
def test_every_question_agrees_with_the_walk(
    setup: tuple[BusinessCalendar, Walk, int, int, list[int]],
) -> None:
    cal, ref, _lo, hi, points = setup
    tz = ref.tz
    for t in points:
        assert cal.is_open_us(t) == ref.is_open(t)
        at = dt_of(t, tz)
        assert cal.is_open(at) == ref.is_open(t)
        # The same instant in UTC and at a fixed offset: the same answers.
        for other in (dt_of(t, ZoneInfo("UTC")), (EPOCH + US * t).astimezone(FIXED)):
            assert cal.is_open(other) == ref.is_open(t)
            want = ref.add(t, HOUR)
            if want is not None and want <= hi:
                assert us_of(cal.add(other, HOUR * US)) == want
        nxt = ref.next_open(t)
        if nxt is not None and nxt <= hi:
            assert cal.next_open_us(t) == nxt
            assert us_of(cal.next_open(at)) == nxt
        for u in points:
            if u >= t:
                assert cal.elapsed_us(t, u) == ref.elapsed(t, u)
                assert cal.elapsed(at, dt_of(u, tz)) == US * ref.elapsed(t, u)
        for d in {0, 1, 30 * MIN, HOUR, 5 * HOUR, ref.elapsed(t, hi), ref.elapsed(t, hi) - 1}:
            if d < 0:
                continue
            want = ref.add(t, d)
            if want is None or want > hi:
                continue
            assert cal.add_us(t, d) == want, (t, d)
            got = cal.add(at, US * d)
            assert us_of(got) == want
            assert got.tzinfo is cal.zone
            # The answer is written with the right offset: its wall clock reads back the instant.
            assert got.utcoffset() == tz.utcoffset(got)


def ny(month: int, day: int, hour: int = 0, minute: int = 0, fold: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=ZoneInfo("America/New_York"), fold=fold)


def test_worked_examples_new_york_fall_back_and_spring_forward() -> None:
    night = BusinessCalendar(
        "America/New_York", weekly={k: [("00:00", "06:00"), ("22:00", "24:00")] for k in DAY_KEYS}
    )
    # Saturday 22:00 EDT to Sunday 06:00 EST over the fall-back night: 9 real hours.
    assert night.elapsed(ny(10, 31, 22), ny(11, 1, 6)) == timedelta(hours=9)
    # Saturday 22:00 EST to Sunday 06:00 EDT over the spring-forward night: 7 real hours.
    assert night.elapsed(ny(3, 7, 22), ny(3, 8, 6)) == timedelta(hours=7)
    # 8 hours from Saturday 22:00 in March end at Sunday 22:00 (7 h that night, 1 h the next).
    assert night.add(ny(3, 7, 22), timedelta(hours=8)) == ny(3, 8, 23)
    # The second 01:30 (fold=1, EST) is open: 4.5 real hours to 06:00 EST.
    second = ny(11, 1, 1, 30, fold=1)
    assert night.is_open(second)
    assert night.elapsed(second, ny(11, 1, 6)) == timedelta(hours=4, minutes=30)


def test_adding_exactly_up_to_closing_time_ends_at_the_closing_instant() -> None:
    office = BusinessCalendar("Asia/Jakarta", weekly={"mon": [("09:00", "17:00")]})
    jkt = ZoneInfo("Asia/Jakarta")
    start = datetime(2026, 3, 2, 9, 0, tzinfo=jkt)
    # The earliest instant with eight hours elapsed is 17:00 itself, not next Monday's 09:00.
    assert office.add(start, timedelta(hours=8)) == datetime(2026, 3, 2, 17, 0, tzinfo=jkt)
    assert office.add(start, timedelta(hours=8, microseconds=1)) == datetime(
        2026, 3, 9, 9, 0, 0, 1, tzinfo=jkt
    )
    # Adding zero inside a closed period answers the start itself (in the calendar's zone).
    closed = datetime(2026, 3, 3, 3, 0, tzinfo=UTC)
    assert office.add(closed, timedelta(0)) == closed
    assert office.add(closed, timedelta(0)).tzinfo is office.zone


def test_apia_skipped_date_counts_nothing() -> None:
    apia = BusinessCalendar.always_open("Pacific/Apia")
    tz = ZoneInfo("Pacific/Apia")
    # 2011-12-29 local midnight to 2011-12-31 local midnight: 24 real hours (the 30th is gone).
    a = datetime(2011, 12, 29, tzinfo=tz)
    b = datetime(2011, 12, 31, tzinfo=tz)
    assert apia.elapsed(a, b) == timedelta(hours=24)
    office = BusinessCalendar("Pacific/Apia", weekly={"fri": [("09:00", "17:00")]})
    # Friday 30 December 2011 did not happen: the next Friday hours are on 6 January 2012.
    assert office.next_open(a) == datetime(2012, 1, 6, 9, 0, tzinfo=tz)


def test_lord_howe_half_hour_shift() -> None:
    cal = BusinessCalendar.always_open("Australia/Lord_Howe")
    tz = ZoneInfo("Australia/Lord_Howe")
    # 5 April 2026: clocks go back 30 minutes at 02:00, so the date lasts 24.5 hours.
    assert cal.elapsed(
        datetime(2026, 4, 5, tzinfo=tz), datetime(2026, 4, 6, tzinfo=tz)
    ) == timedelta(hours=24, minutes=30)


def test_holiday_on_a_dst_day_closes_its_whole_date() -> None:
    cal = BusinessCalendar(
        "Europe/London",
        weekly={k: [("00:00", "24:00")] for k in DAY_KEYS},
        holidays={date(2026, 3, 29): "spring-forward Sunday"},
    )
    tz = ZoneInfo("Europe/London")
    a, b = datetime(2026, 3, 28, 12, tzinfo=tz), datetime(2026, 3, 30, 12, tzinfo=tz)
    assert cal.elapsed(a, b) == timedelta(hours=24)
    assert cal.next_open(datetime(2026, 3, 29, 5, tzinfo=tz)) == datetime(2026, 3, 30, tzinfo=tz)


def test_bad_input_names_the_value() -> None:
    cal = BusinessCalendar("Asia/Jakarta", weekly={"mon": [("09:00", "17:00")]})
    with pytest.raises(CalendarError, match="-1"):
        cal.add_us(0, -1)
    with pytest.raises(CalendarError, match="'t'"):
        cal.add_us(1.5, 1)  # type: ignore[arg-type]

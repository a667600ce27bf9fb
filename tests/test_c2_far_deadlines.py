"""Far deadlines: whole 400-year cycles are skipped, and the answers are those of the year walk.

Past the zone's last listed transition and the calendar's last listed date, a year's open time
depends only on the weekday of its 1 January and on whether it and the next year are leap
years, so 400 years hold the same open time wherever they start.  These tests check the
answers against a count by hand (one open hour every Monday) and against the year-by-year
walk the calendar does without the shortcut, and that a far deadline costs a bounded number
of years worked out.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow._time import NO_RULES_YEAR
from csflow.calendar import DAY_KEYS, BusinessCalendar
from csflow.errors import CalendarError
from csflow.sla import Metric, SlaClock, SlaTarget

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US = timedelta(microseconds=1)
HOUR = 3_600_000_000
ZONES = [
    "Asia/Jakarta",
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",
    "America/Santiago",
    "Africa/Casablanca",
    "Pacific/Apia",
]


def us_of(value: datetime) -> int:
    return (value - EPOCH) // US


def slow(cal: BusinessCalendar) -> BusinessCalendar:
    """The same calendar, made to work out every year date by date (no cycle, no kinds)."""
    twin = BusinessCalendar.from_dict(cal.to_dict())
    twin._rules = NO_RULES_YEAR
    return twin


def nth_open_monday(first: date, n: int, holidays: set[date]) -> date:
    """The date of the n-th Monday from *first* (a Monday, counted as the first) not a holiday."""
    skipped = 0
    while True:
        day = first + timedelta(weeks=n - 1 + skipped)
        now = sum(1 for h in holidays if first <= h <= day and h.weekday() == 0)
        if now == skipped:
            return day
        skipped = now


MONDAY_HOLIDAYS = {date(2026, 3, 9), date(2030, 1, 7), date(3001, 1, 5)}


@pytest.mark.parametrize("zone", ["Asia/Jakarta", "America/New_York", "Africa/Casablanca"])
@pytest.mark.parametrize("hours", [1, 52 * 150, 52 * 1000 + 7, 7900 * 52])
def test_far_deadline_is_the_hand_counted_monday(zone: str, hours: int) -> None:
    assert all(h.weekday() == 0 for h in MONDAY_HOLIDAYS)
    cal = BusinessCalendar(zone, weekly={"mon": [("09:00", "10:00")]}, holidays=MONDAY_HOLIDAYS)
    tz = ZoneInfo(zone)
    start = datetime(2026, 3, 2, tzinfo=tz)  # a Monday, before its open hour
    due = nth_open_monday(date(2026, 3, 2), hours, MONDAY_HOLIDAYS)
    want = us_of(datetime(due.year, due.month, due.day, 10, 0, tzinfo=tz))
    assert cal._reach_us(us_of(start), hours * HOUR) == want
    clock = SlaClock("T-1", SlaTarget(Metric.RESOLUTION, timedelta(hours=hours), cal), start)
    assert clock.due_at is not None
    assert us_of(clock.due_at) == want


def test_a_far_deadline_works_out_a_bounded_number_of_years(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    walked: list[int] = []
    midnights = BusinessCalendar._midnights

    def counting(self: BusinessCalendar, year: int) -> tuple[list[int], list[bool]]:
        walked.append(year)
        return midnights(self, year)

    monkeypatch.setattr(BusinessCalendar, "_midnights", counting)
    for zone in ("America/New_York", "Asia/Jakarta", "Australia/Lord_Howe"):
        cal = BusinessCalendar(zone, weekly={"mon": [("09:00", "10:00")]})
        t = us_of(datetime(2026, 3, 2, tzinfo=ZoneInfo(zone)))  # a Monday, before 09:00
        walked.clear()
        u = cal._reach_us(t, 7900 * 52 * HOUR)  # about the year 9900
        due = nth_open_monday(date(2026, 3, 2), 7900 * 52, set())
        assert u == us_of(datetime(due.year, due.month, due.day, 10, tzinfo=ZoneInfo(zone)))
        # The years up to the zone's rule year, one of each kind, the answer's: not 7,900.
        assert len(walked) <= 80, (zone, len(walked))
        walked.clear()
        with pytest.raises(CalendarError, match="outside the supported range"):
            cal._reach_us(t, 8100 * 52 * HOUR)  # past the year 9999
        assert len(walked) <= 80, (zone, len(walked))


HHMM = [f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 30)] + ["24:00", "01:15", "02:45"]


@st.composite
def calendars(draw: st.DrawFn, zone: str) -> BusinessCalendar:
    weekly = {}
    for key in DAY_KEYS:
        picks = sorted(set(draw(st.lists(st.sampled_from(HHMM), max_size=4))))
        picks = picks[: len(picks) // 2 * 2]
        weekly[key] = [(picks[i], picks[i + 1]) for i in range(0, len(picks), 2)]
    if not any(weekly.values()):
        weekly["wed"] = [("00:00", "24:00")]
    dates = st.dates(date(2026, 1, 1), date(2200, 12, 31))
    holidays = draw(st.lists(dates, max_size=4))
    special = draw(
        st.dictionaries(dates, st.sampled_from([[], [("01:00", "03:00")], [("08:00", "12:00")]]))
    )
    return BusinessCalendar(zone, weekly=weekly, holidays=holidays, special_days=special)


@pytest.mark.parametrize("zone", ZONES)
@settings(max_examples=5)
@given(data=st.data())
def test_year_totals_of_a_kind_are_the_walked_totals(zone: str, data: st.DataObject) -> None:
    cal = data.draw(calendars(zone))
    steady = cal._steady_from()
    assert steady < NO_RULES_YEAR
    years = data.draw(st.lists(st.integers(cal._rules_from(), 9998), min_size=1, max_size=4))
    for year in [steady, *years]:
        assert cal._year_total(year) == cal._walk_total(year), year


@pytest.mark.parametrize("zone", ZONES)
@settings(max_examples=1)
@given(data=st.data())
def test_far_answers_are_those_of_the_year_walk(zone: str, data: st.DataObject) -> None:
    """Targets whose answers lie past the calendar's steady year and one whole cycle of 400
    years on, and spans within the public limit of 200 years: the same instants as the
    year-by-year walk's, to the µs."""
    cal = data.draw(calendars(zone))
    walk = slow(cal)
    t = us_of(datetime(2026, 1, 1, tzinfo=UTC)) + data.draw(st.integers(0, 400 * 86_400 * 10**6))
    years = cal._steady_from() - 2026 + data.draw(st.integers(420, 460))
    # Business time of about that many years (52 weeks each, so somewhat fewer years).
    d = cal.weekly_hours // US * 52 * years
    assert cal._reach_us(t, d) == walk._reach_us(t, d)
    assert cal._reach_us(t, 0) == walk._reach_us(t, 0)
    short = data.draw(st.integers(1, cal.weekly_hours // US * 52 * 150))
    got = cal.add_us(t, short)
    assert got == walk.add_us(t, short)
    assert cal.elapsed_us(t, got) == walk.elapsed_us(t, got) == short

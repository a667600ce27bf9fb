"""SLA deadlines centuries away, against a walk window by window.

A clock's target is reached wherever its calendar reaches it, however far on, as long as the
zone can date the instant (``docs/explanation/sla-semantics.md``); the calendar's public
``add`` and ``elapsed`` still refuse spans of more than 200 years.  The calendars are sparse
(one short window a week, holidays, special days only), the reference walks their windows one
by one, and the clocks are paused, resumed, written and read back on the way.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import BusinessCalendar
from csflow.errors import CalendarError
from csflow.events import SlaBreached, SlaWarning
from csflow.sla import Metric, SlaClock, SlaTarget

M = timedelta(minutes=1)
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _windows(
    weekday: int, hour: int, width: int, first: date, holidays: set[date]
) -> Iterator[tuple[datetime, datetime]]:
    """The calendar's open windows (start, end), from the week of *first* on, skipping
    *holidays*, until the range of dates ends."""
    day = first + timedelta(days=(weekday - first.weekday()) % 7)
    while True:
        if day not in holidays:
            start = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
            yield start, start + width * M
        if day > date.max - timedelta(days=7):  # (the last week: a week more overflows)
            return
        day += timedelta(days=7)


def _reach(
    windows: Iterable[tuple[datetime, datetime]], start: datetime, amount: timedelta
) -> datetime | None:
    """The instant business time from *start* reaches *amount*, walking the windows."""
    left = amount
    for s, e in windows:
        if e <= start:
            continue
        s = max(s, start)
        if e - s >= left:
            return s + left
        left -= e - s
    return None


@settings(max_examples=25, deadline=None)
@given(
    weekday=st.integers(0, 6),
    hour=st.integers(0, 22),
    width=st.sampled_from([1, 30, 60]),
    year=st.sampled_from([2026, 2400, 9700, 9790]),
    weeks=st.integers(1, 16_000),
    extra=st.integers(0, 59),
    holidays=st.lists(st.integers(0, 400), max_size=4),
    pause=st.tuples(st.integers(0, 3), st.integers(0, 4_000)),
)
def test_a_sparse_weekly_calendar_reaches_far_targets(
    weekday: int,
    hour: int,
    width: int,
    year: int,
    weeks: int,
    extra: int,
    holidays: list[int],
    pause: tuple[int, int],
) -> None:
    first = date(year, 1, 1)
    off = {first + timedelta(weeks=w, days=(weekday - first.weekday()) % 7) for w in holidays}
    cal = BusinessCalendar(
        "UTC",
        weekly={
            DAYS[weekday]: [
                (
                    f"{hour:02d}:00",
                    f"{hour:02d}:{width:02d}" if width < 60 else f"{hour + 1:02d}:00",
                )
            ]
        },
        holidays=sorted(off),
    )
    start = datetime(year, 1, 1, tzinfo=UTC)
    target = min(weeks * width + extra, (weeks + 1) * width) * M
    clock = SlaClock("t", SlaTarget(Metric.RESOLUTION, target, cal, (0.5,)), start)
    due = _reach(_windows(weekday, hour, width, first, off), start, target)
    assert clock.due_at == due
    half = _reach(_windows(weekday, hour, width, first, off), start, target / 2)
    assert clock.next_event_at == (half if due is not None else None)
    # Written and read back, the clock is the same clock.
    again = SlaClock.from_dict(clock.to_dict(), cal)
    assert again.due_at == due
    assert again.next_event_at == clock.next_event_at
    # Paused after some of its business time and resumed much later: the rest from there.
    used_minutes, away_weeks = pause
    used = min(used_minutes * width * M, target - M)
    if used <= timedelta(0) or due is None:
        return
    paused_at = _reach(_windows(weekday, hour, width, first, off), start, used)
    assert paused_at is not None
    resumed_at = paused_at + away_weeks * timedelta(weeks=1) + timedelta(hours=1)
    if resumed_at >= due:
        return
    clock.pause(paused_at)
    clock.resume(resumed_at)
    later = _reach(_windows(weekday, hour, width, first, off), resumed_at, target - used)
    assert clock.due_at == later
    back = SlaClock.from_dict(clock.to_dict(), cal)
    assert back.due_at == later
    if later is not None:
        events = back.advance(later)
        assert isinstance(events[-1], SlaBreached)
        assert events[-1].at == later
        assert [type(e) for e in events[:-1]] in ([], [SlaWarning])


@settings(max_examples=15, deadline=None)
@given(
    gap_years=st.integers(150, 7_000),
    hours=st.integers(1, 12),
    used=st.integers(0, 59),
)
def test_a_popup_desk_breaches_on_its_next_day_centuries_on(
    gap_years: int, hours: int, used: int
) -> None:
    first = date(2026, 1, 5)
    later = date(2026 + gap_years, 3, 1)
    cal = BusinessCalendar(
        "UTC",
        special_days={first: [("09:00", "10:00")], later: [("08:00", "20:00")]},
    )
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    target = timedelta(hours=hours)
    clock = SlaClock("t", SlaTarget(Metric.RESOLUTION, target, cal, ()), start)
    opens = datetime(later.year, later.month, later.day, 8, tzinfo=UTC)
    want = opens + target - timedelta(hours=1) if hours > 1 else start + target
    assert clock.due_at == want
    if hours > 1 and used:
        clock.pause(start + used * M)
        clock.resume(start + timedelta(days=1))
        want = opens + target - used * M  # the rest of the first hour is lost
        assert clock.due_at == want
    (breach,) = [e for e in clock.advance(want + timedelta(days=1)) if isinstance(e, SlaBreached)]
    assert breach.at == want


def test_the_public_calls_still_refuse_spans_of_more_than_200_years() -> None:
    cal = BusinessCalendar("UTC", weekly={"mon": [("09:00", "10:00")]})
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    with pytest.raises(CalendarError, match="spans longer than 200 years are not supported"):
        cal.add(start, timedelta(hours=53 * 202))
    with pytest.raises(CalendarError, match="spans longer than 200 years are not supported"):
        cal.elapsed(start, datetime(2230, 1, 1, tzinfo=UTC))
    # The clock finds what the calendar refuses to walk in one call.
    clock = SlaClock("t", SlaTarget(Metric.RESOLUTION, timedelta(hours=53 * 202), cal, ()), start)
    assert clock.due_at is not None
    assert clock.due_at.year > 2226

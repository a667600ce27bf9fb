"""A clock whose deadline is more than 200 years of calendar time away still has one.

The calendar walks at most 200 years in one call (a bound on the cost of a hostile duration),
but a clock's target is reached wherever its calendar reaches it: a running clock breaches when
its business time reaches the target, however far away that is, as long as its zone can date
the instant.  Found in pieces, the deadline agrees with a walk a year at a time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from csflow import BusinessCalendar
from csflow.events import SlaBreached, SlaWarning
from csflow.sla import Metric, SlaClock, SlaTarget

# One hour a week: 52 or 53 business hours a year.
WEEKLY = BusinessCalendar("UTC", weekly={"mon": [("09:00", "10:00")]})
START = datetime(2026, 1, 5, 9, tzinfo=UTC)  # a Monday, as the hour opens
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def mondays_from(start: datetime, hours: int) -> datetime:
    """The end of the *hours*-th Monday hour from *start* (a Monday 09:00), counted by hand."""
    return start + timedelta(weeks=hours - 1, hours=1)


def test_a_deadline_210_years_away_is_found() -> None:
    hours = 52 * 210
    due = mondays_from(START, hours)
    assert due.year == 2235
    clock = SlaClock("T-1", SlaTarget(Metric.RESOLUTION, timedelta(hours=hours), WEEKLY), START)
    assert clock.due_at == due
    assert clock.next_event_at == mondays_from(START, hours // 2)  # 50 % (105 years)
    events = clock.advance(datetime(2300, 1, 1, tzinfo=UTC))
    assert [type(e) for e in events] == [SlaWarning, SlaWarning, SlaWarning, SlaBreached]
    assert events[-1].at == due
    assert str(clock.state) == "breached"
    assert clock.late_by(datetime(2300, 1, 1, tzinfo=UTC)) > timedelta(0)


def test_a_far_deadline_after_a_pause() -> None:
    hours = 52 * 400
    clock = SlaClock("T-2", SlaTarget(Metric.RESOLUTION, timedelta(hours=hours), WEEKLY, ()), START)
    clock.pause(START + timedelta(minutes=30))
    resumed = datetime(2026, 1, 12, 9, 30, tzinfo=UTC)
    clock.resume(resumed)
    # Half an hour used; the rest from Monday 12 January 09:30.
    assert clock.due_at == resumed + timedelta(weeks=hours - 1, minutes=30)
    assert clock.due_at is not None
    assert clock.due_at.year == 2424


def test_a_deadline_past_the_range_of_dates_is_never_reached() -> None:
    """350 years of Monday hours from 9700: past 9999, so no instant, in pieces or not."""
    start = datetime(9700, 1, 4, 9, tzinfo=UTC)  # a Monday
    target = SlaTarget(Metric.RESOLUTION, timedelta(hours=52 * 350), WEEKLY, ())
    clock = SlaClock("T-3", target, start)
    assert clock.due_at is None
    assert clock.next_event_at is None
    assert clock.advance(datetime(9999, 12, 31, tzinfo=UTC)) == []
    assert clock.elapsed(datetime(9999, 12, 31, tzinfo=UTC)) < target.duration


def test_special_days_only_with_the_next_one_far_away() -> None:
    """A pop-up desk whose next day is 250 years on: the deadline is on that day."""
    popup = BusinessCalendar(
        "UTC",
        special_days={
            datetime(2026, 1, 5).date(): [("09:00", "10:00")],
            datetime(2276, 1, 6).date(): [("09:00", "17:00")],
        },
    )
    clock = SlaClock("T-4", SlaTarget(Metric.RESOLUTION, timedelta(hours=3), popup, ()), START)
    assert clock.due_at == datetime(2276, 1, 6, 11, tzinfo=UTC)
    # Paused exactly as the first hour ends, the clock has used an hour: nothing is due.
    clock.pause(START + timedelta(hours=1))
    clock.resume(START + timedelta(hours=2))
    assert clock.due_at == datetime(2276, 1, 6, 11, tzinfo=UTC)


def test_a_target_reached_at_a_pause_resumes_at_a_far_opening() -> None:
    """Paused exactly as the target is reached, the breach is due at the first open instant
    from the resume (docs: reference/sla.md): here 250 years on."""
    popup = BusinessCalendar(
        "UTC",
        special_days={
            datetime(2026, 1, 5).date(): [("09:00", "10:00")],
            datetime(2276, 1, 6).date(): [("09:00", "17:00")],
        },
    )
    clock = SlaClock("T-5", SlaTarget(Metric.RESOLUTION, timedelta(hours=1), popup, ()), START)
    assert clock.pause(START + timedelta(hours=1)) == []
    assert clock.resume(START + timedelta(hours=2)) == []
    opens = datetime(2276, 1, 6, 9, tzinfo=UTC)
    assert clock.next_event_at == opens
    (breach,) = clock.advance(opens)
    assert isinstance(breach, SlaBreached)
    assert breach.at == opens


def test_a_snapshot_without_the_far_deadline_restores_armed() -> None:
    """Before clocks found deadlines past the calendar's 200-year limit, a running clock's
    snapshot said it had none (``next`` and ``due`` null): it restores, with its deadline."""
    hours = 52 * 210
    target = SlaTarget(Metric.RESOLUTION, timedelta(hours=hours), WEEKLY, ())
    clock = SlaClock("T-6", target, START)
    data = clock.to_dict()
    data["next"] = data["due"] = None
    restored = SlaClock.from_dict(data, WEEKLY)
    assert restored.due_at == mondays_from(START, hours)
    assert restored.next_event_at == restored.due_at
    (breach,) = restored.advance(datetime(2300, 1, 1, tzinfo=UTC))
    assert isinstance(breach, SlaBreached)
    assert breach.at == mondays_from(START, hours)

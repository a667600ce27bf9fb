"""A week's days-off roster with ``cover``: every agent works five days in a row and has two
consecutive days off, the week a circle of seven one-day intervals.  The fewest agents against
a reference worked out independently (a walk around the week over who starts their days off
on each day), and a week worked by hand."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.staffing.roster import cover
from csflow.staffing.shifts import ShiftTemplate

DAY = timedelta(days=1)
MONDAY = datetime(2026, 3, 16, tzinfo=UTC)
FIVE_ON = ShiftTemplate("five on, two off", 5 * DAY)  # may start on any day of the week


def _fewest(required: tuple[int, ...]) -> int:
    """The fewest agents for *required* (Monday first), by the book: with ``off[d]`` agents
    starting their two days off on day *d*, day *d* has ``n - off[d] - off[d - 1]`` on duty;
    find the least *n* for which some ``off`` (summing to *n*) leaves each day enough."""

    def feasible(n: int) -> bool:
        @functools.cache
        def walk(day: int, before: int, first: int, total: int) -> bool:
            # Days 0..day-1 are chosen, ``before`` agents start their days off on day-1.
            if day == 7:
                # The circle closes: day 0 is off for those who start on day 6 (``before``).
                return total == n and n - first - before >= required[0]
            for here in range(n - total + 1):
                if day > 0 and n - here - before < required[day]:
                    break  # more off here only leaves day *day* shorter
                if walk(day + 1, here, first if day else here, total + here):
                    return True
            return False

        return walk(0, 0, 0, 0)

    n = max(required)
    while not feasible(n):
        n += 1
    return n


def test_a_week_worked_by_hand() -> None:
    # Monday to Sunday; 92 agent-days at five days each need at least 19 agents (18.4), and
    # 19 are enough: Friday's 13 get three more than they need, every other day exactly it.
    required = [10, 12, 12, 11, 13, 18, 16]
    roster = cover(required, [FIVE_ON], interval=DAY, origin=MONDAY, wraps=True)
    assert roster.gap == 0
    assert sum(row.agents for row in roster.rows) == 19
    assert [c.scheduled for c in roster.intervals] == [10, 12, 12, 11, 16, 18, 16]
    for row in roster.rows:
        assert row.end - row.start == 5 * DAY
        assert timedelta(0) <= row.start < 7 * DAY
    assert roster.cost == 19 * 120  # a template's cost is its length in hours


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 9), min_size=7, max_size=7))
def test_the_fewest_agents_with_two_consecutive_days_off(required: list[int]) -> None:
    roster = cover(required, [FIVE_ON], interval=DAY, origin=MONDAY, wraps=True)
    agents = sum(row.agents for row in roster.rows)
    assert roster.gap == 0
    assert agents == _fewest(tuple(required))
    # Each day's agents on duty, counted from the rows: those not on their days off.
    on_duty = [0] * 7
    for row in roster.rows:
        first = row.start // DAY
        for k in range(5):
            on_duty[(first + k) % 7] += row.agents
    assert on_duty == [c.scheduled for c in roster.intervals]
    assert all(have >= need for have, need in zip(on_duty, required, strict=True))

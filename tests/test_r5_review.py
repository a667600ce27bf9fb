"""Reading a running clock's next event asks the calendar once per stretch of running.

The desk's timers read a ticket's next deadline after every command, so a clock whose next
event is a warning works out its target's instant (to know whether the warning will come at
all) once, not on every read; what it answers is the same as a clock that worked it out
afresh (one restored from its snapshot).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.calendar import BusinessCalendar
from csflow.sla import Metric, SlaClock, SlaTarget

T0 = datetime(2026, 3, 2, 8, tzinfo=UTC)  # a Monday
M = timedelta(minutes=1)
OFFICE = BusinessCalendar(
    "Asia/Jakarta",
    weekly={
        d: [("08:00", "12:00"), ("13:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")
    },
    holidays=[date(2026, 3, 19), date(2026, 3, 20)],
)
# Open on two days only, and never again: a target past its 16 hours has no instant.
POPUP = BusinessCalendar(
    "UTC",
    special_days={date(2026, 3, 2): [("09:00", "17:00")], date(2026, 3, 3): [("09:00", "17:00")]},
)


def _count_reach(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls = [0]
    reach = BusinessCalendar._reach_us

    def counted(self: BusinessCalendar, t: int, d: int) -> int:
        calls[0] += 1
        return reach(self, t, d)

    monkeypatch.setattr(BusinessCalendar, "_reach_us", counted)
    return calls


def test_reading_the_next_event_again_asks_the_calendar_no_more(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 8 business hours with warnings at 50% and 75%: started 08:00 UTC Monday (15:00 in
    # Jakarta, two business hours left that day), the first warning (4 h) is due at 10:00
    # Jakarta on Tuesday, 03:00 UTC; the breach at 14:00 Jakarta Tuesday.
    clock = SlaClock("t", SlaTarget(Metric.RESOLUTION, 480 * M, OFFICE, (0.5, 0.75)), T0)
    first = clock.next_event_at
    assert first == datetime(2026, 3, 3, 3, tzinfo=UTC)
    calls = _count_reach(monkeypatch)
    for _ in range(50):
        assert clock.next_event_at == first
        assert clock.next_event_us is not None
    assert calls[0] == 0
    clock.pause(T0 + 30 * M)
    clock.resume(T0 + 90 * M)  # a new stretch: its instants are worked out again, once
    for _ in range(50):
        clock.next_event_us  # noqa: B018 (the read is what is measured)
    assert calls[0] <= 2
    assert clock.next_event_at == datetime(2026, 3, 3, 4, tzinfo=UTC)  # an hour later


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    popup=st.booleans(),
    target_min=st.integers(1, 1500),
    steps=st.lists(
        st.tuples(st.sampled_from(["pause", "resume", "advance", "read"]), st.integers(1, 600)),
        max_size=12,
    ),
)
def test_a_read_next_event_is_the_one_worked_out_afresh(
    popup: bool, target_min: int, steps: list[tuple[str, int]]
) -> None:
    cal = POPUP if popup else OFFICE
    clock = SlaClock("t", SlaTarget(Metric.RESOLUTION, target_min * M, cal, (0.5, 0.9)), T0)
    t = T0
    for kind, minutes in steps:
        t += minutes * M
        if kind == "pause" and clock.state.name == "RUNNING":
            clock.pause(t)
        elif kind == "resume" and clock.state.name == "PAUSED":
            clock.resume(t)
        elif kind == "advance":
            clock.advance(t)
        else:
            clock.next_event_us  # noqa: B018 (a read between commands)
        fresh = SlaClock.from_dict(clock.to_dict(), cal)
        assert clock.next_event_us == fresh.next_event_us
        assert clock.next_event_at == fresh.next_event_at

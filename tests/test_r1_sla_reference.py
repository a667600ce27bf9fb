"""SLA clocks against a naive reference written from the docs, on calendars that change their
clocks, with holidays, pauses and snapshots.

The reference (:class:`NaiveClock`) follows docs/reference/sla.md and the clock's theory of
operation: business time counts only while running, on the naive calendar of
tests/test_r1_calendar_reference.py; a threshold (each fraction of the target, rounded to the
µs, then the target itself) is due at the first instant the running time reaches it, or --
reached exactly as the clock paused -- at the first open instant from the resume; a command
returns what was due strictly before its instant, applies, then (resume and advance) what is
due at its instant; a reply at the due instant meets the target.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import BusinessCalendar
from csflow.events import SlaBreached, SlaEvent, SlaMet, SlaWarning
from csflow.sla import Metric, SlaClock, SlaTarget
from test_r1_calendar_reference import (
    DAY_US,
    HOUR_US,
    MINUTE_US,
    NaiveCalendar,
    at_us,
    cases,
    us_of,
)

Event = tuple[object, ...]


class NaiveClock:
    def __init__(self, cal: NaiveCalendar, target: int, fractions: tuple[float, ...], t: int):
        self.cal = cal
        self.target = target
        self.amounts = sorted(round(target * w) for w in fractions)
        self.k = sum(1 for a in self.amounts if a <= 0)
        self.state = "running"
        self.used = 0
        self.mark = t

    def instant(self, amount: int) -> int | None:
        d = amount - self.used
        return self.cal.add(self.mark, d) if d > 0 else self.cal.next_open(self.mark)

    def due(self) -> int | None:
        return self.instant(self.target)

    def poll(self, limit: int, out: list[Event]) -> None:
        while self.state == "running":
            last = self.k == len(self.amounts)
            u = self.instant(self.target if last else self.amounts[self.k])
            if u is None or u > limit:
                return
            if last:
                out.append(("breached", u))
                self.state = "breached"
            else:
                out.append(("warning", u))
                self.k += 1

    def counting(self) -> bool:
        return self.state in ("running", "breached")

    def used_at(self, t: int) -> int:
        return self.used + (self.cal.elapsed(self.mark, t) if self.counting() else 0)

    def command(self, name: str, t: int) -> list[Event]:
        out: list[Event] = []
        if name == "advance":
            self.poll(t, out)
        elif name == "pause":
            self.poll(t - 1, out)
            self.used, self.mark = self.used_at(t), t
            self.state = "paused" if self.state == "running" else "breached_paused"
        elif name == "resume":
            self.mark = t
            self.state = "running" if self.state == "paused" else "breached"
            self.poll(t, out)
        else:  # stop
            self.poll(t - 1, out)
            self.used, self.mark = self.used_at(t), t
            late = self.state in ("breached", "breached_paused")
            self.state = "met_late" if late else "met"
            out.append(("met", t, self.used, late))
        return out


def seen(events: list[SlaEvent]) -> list[Event]:
    out: list[Event] = []
    for e in events:
        if isinstance(e, SlaWarning):
            out.append(("warning", us_of(e.at)))
        elif isinstance(e, SlaBreached):
            out.append(("breached", us_of(e.at)))
            assert e.due_at == e.at
        elif isinstance(e, SlaMet):
            out.append(("met", us_of(e.at), e.elapsed // timedelta(microseconds=1), e.breached))
    return out


@settings(max_examples=100)
@given(case=cases(), data=st.data())
def test_clock_agrees_with_the_naive_reference(
    case: tuple[BusinessCalendar, NaiveCalendar, int, tuple[int, ...]], data: st.DataObject
) -> None:
    cal, ref, _, instants = case
    if cal.weekly_hours == timedelta(0):
        return
    tz: ZoneInfo = ref.zone
    target = data.draw(
        st.sampled_from([MINUTE_US, HOUR_US, 8 * HOUR_US]) | st.integers(1, 3 * DAY_US)
    )
    fractions = data.draw(st.sampled_from([(0.5, 0.75, 0.9), (), (0.25,)]))
    t = instants[0]
    spec = SlaTarget(Metric.RESOLUTION, timedelta(microseconds=target), cal, fractions)
    clock = SlaClock("T-1", spec, at_us(t, tz))
    want = NaiveClock(ref, target, fractions, t)
    copy: SlaClock | None = None
    for _ in range(data.draw(st.integers(1, 6))):
        if want.state in ("met", "met_late"):
            break
        nxt = clock.next_event_us
        if nxt is not None and data.draw(st.booleans()):
            t = max(t, nxt + data.draw(st.sampled_from([0, 0, -1, 1])))  # on a due instant
        else:
            t += data.draw(st.sampled_from([0, 1, HOUR_US]) | st.integers(0, 2 * DAY_US))
        allowed = ["advance", "stop"]
        allowed.append("pause" if want.counting() else "resume")
        name = data.draw(st.sampled_from(allowed))
        expected = want.command(name, t)
        assert seen(getattr(clock, name)(at_us(t, tz))) == expected, (name, t)
        if copy is not None:  # a snapshot taken before this command sends the same events
            assert seen(getattr(copy, name)(at_us(t, tz))) == expected
        assert str(clock.state) == want.state
        assert clock.elapsed(at_us(t, tz)) == timedelta(microseconds=want.used_at(t))
        if want.state == "running":
            assert clock.due_us == want.due()
        copy = SlaClock.from_dict(clock.to_dict(at_us=t), cal) if data.draw(st.booleans()) else None

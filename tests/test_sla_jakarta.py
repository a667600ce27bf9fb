"""Worked SLA example on the sample desk of ``csflow.samples`` across the Lebaran 2026 closing.

The desk (``jakarta_office_calendar()``): Monday-Friday 08:00-12:00 and 13:00-17:00, Saturday
08:00-12:00, Asia/Jakarta (UTC+7, no DST), closed on ``JAKARTA_HOLIDAYS_2026``; around Lebaran
that is Wednesday 18 to Saturday 21 March and Monday 23 to Tuesday 24 March (Sunday the 22nd is
closed anyway).  So a ticket written on Tuesday 17 March in the afternoon waits until Wednesday
25 March for the desk to open again.  Every figure below can be checked with a wall calendar.
"""

from __future__ import annotations

from datetime import timedelta

from csflow._time import ONE_US
from csflow.samples import JAKARTA_HOLIDAYS_2026, jakarta_office_calendar
from csflow.sla import (
    ClockState,
    Metric,
    SlaBreached,
    SlaEvent,
    SlaMet,
    SlaPolicy,
    TicketSla,
)
from sla_events import summary, wib

H = timedelta(hours=1)
DESK = jakarta_office_calendar()
REGULAR_EMAIL = SlaPolicy(
    "regular-email", DESK, {Metric.FIRST_RESPONSE: 8 * H, Metric.RESOLUTION: 40 * H}
)


def assert_business_instants(events: list[SlaEvent]) -> None:
    for e in events:
        # Open at the instant, or the very end of an open span (12:00 before lunch, 17:00).
        assert DESK.is_open(e.at) or DESK.is_open(e.at - ONE_US), e
        assert e.at.date() not in JAKARTA_HOLIDAYS_2026, e


def test_the_lebaran_closing_is_what_the_example_assumes() -> None:
    closed = [wib(3, d, 10) for d in (18, 19, 20, 21, 22, 23, 24)]
    assert not any(DESK.is_open(t) for t in closed)
    assert DESK.next_open(wib(3, 17, 17)) == wib(3, 25, 8)
    assert DESK.elapsed(wib(3, 17, 15), wib(3, 25, 8)) == 2 * H


def test_regular_email_across_lebaran_on_the_sample_desk() -> None:
    created = wib(3, 17, 15)  # Tuesday 15:00, two office hours before the closing
    ts = TicketSla("mail-1", REGULAR_EMAIL, "normal", created)
    fr = ts.clock(Metric.FIRST_RESPONSE)
    res = ts.clock(Metric.RESOLUTION)
    assert fr is not None
    assert res is not None
    # First response, 8 h: 2 h on the 17th, then Wednesday the 25th 08-12 and 13-15.
    assert fr.due_at == wib(3, 25, 15)
    # Resolution, 40 h: 2 (17th) + 8 (25th) + 8 (26th) + 8 (27th) + 4 (Saturday 28th)
    # + 8 (Monday 30th) = 38 h, and 2 h more on Tuesday the 31st.
    assert res.due_at == wib(3, 31, 10)
    assert ts.next_deadline() == wib(3, 25, 10)  # FR 50 %: 2 h + 08:00-10:00

    # A host that wakes every hour through the closing hears nothing.
    t = created
    while t + H < wib(3, 25, 10):
        t += H
        assert ts.advance(t) == [], t

    events = ts.agent_reply(wib(3, 25, 11))
    assert summary(events) == [
        ("warning 0.5", "first_response", wib(3, 25, 10)),
        ("SlaMet", "first_response", wib(3, 25, 11)),
    ]
    met = events[-1]
    assert isinstance(met, SlaMet)
    assert (met.elapsed, met.breached) == (5 * H, False)

    events = ts.advance(wib(4, 1, 0))
    assert summary(events) == [
        ("warning 0.5", "resolution", wib(3, 27, 10)),  # 20 h: 18 h by Thursday evening + 2 h
        ("warning 0.75", "resolution", wib(3, 28, 12)),  # 30 h: the end of Saturday's hours
        ("warning 0.9", "resolution", wib(3, 30, 15)),  # 36 h: Monday 08-12 and 13-15
        ("SlaBreached", "resolution", wib(3, 31, 10)),
    ]
    assert_business_instants(events)
    assert res.state is ClockState.BREACHED
    assert res.late_by(wib(4, 1, 0)) == 6 * H  # 10-12 and 13-17 on Tuesday


def test_first_response_warnings_skip_lunch_and_the_closing() -> None:
    ts = TicketSla("mail-2", REGULAR_EMAIL, "normal", wib(3, 17, 15))
    events = ts.advance(wib(3, 25, 17))
    assert summary(events) == [
        ("warning 0.5", "first_response", wib(3, 25, 10)),  # 4 h
        ("warning 0.75", "first_response", wib(3, 25, 12)),  # 6 h: the start of lunch
        ("warning 0.9", "first_response", wib(3, 25, 14, 12)),  # 7.2 h: 1.2 h after lunch
        ("SlaBreached", "first_response", wib(3, 25, 15)),
    ]
    assert_business_instants(events)
    breach = events[-1]
    assert isinstance(breach, SlaBreached)
    assert breach.due_at == breach.at == wib(3, 25, 15)


def test_pending_on_the_customer_over_lebaran() -> None:
    ts = TicketSla("mail-3", REGULAR_EMAIL, "normal", wib(3, 17, 15))
    ts.agent_reply(wib(3, 17, 15, 30))
    assert ts.set_status("pending", wib(3, 17, 16)) == []  # 1 h of resolution used
    res = ts.clock(Metric.RESOLUTION)
    assert res is not None
    assert res.due_at is None
    assert ts.next_deadline() is None
    # The customer answers during the holidays; the desk re-opens the ticket on Thursday 09:00.
    assert ts.advance(wib(3, 26, 8, 59)) == []
    assert ts.set_status("open", wib(3, 26, 9)) == []
    assert res.elapsed(wib(3, 26, 9)) == H
    # 39 h left: 7 (26th) + 8 (27th) + 4 (28th) + 8 (30th) + 8 (31st) = 35, then 08-12 on
    # Wednesday 1 April.
    assert res.due_at == wib(4, 1, 12)
    assert res.pause_history == ((wib(3, 17, 16), wib(3, 26, 9)),)
    events = ts.set_status("solved", wib(3, 31, 16))
    assert summary(events)[-1] == ("SlaMet", "resolution", wib(3, 31, 16))
    assert_business_instants(events)
    met = events[-1]
    assert isinstance(met, SlaMet)
    assert (met.elapsed, met.breached) == (1 * H + 34 * H, False)

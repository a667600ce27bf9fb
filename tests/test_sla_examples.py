"""Worked SLA examples: numbers a person can check by hand against a wall calendar.

Holiday set used for Jakarta (a plausible 2026 set, stated here because the official decree can
change): 18 March (cuti bersama Nyepi), 19 March (Nyepi), 20 March (cuti bersama Idul Fitri), 21 March (Idul Fitri 1447 H),
23-24 March (cuti bersama Idul Fitri).  Office hours: Monday-Friday 08:00-17:00 and Saturday
08:00-12:00, Asia/Jakarta (UTC+7, no DST).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from csflow._time import ONE_US
from csflow.calendar import BusinessCalendar
from csflow.model import Priority
from csflow.sla import (
    ClockState,
    Metric,
    RecalcMode,
    SlaBreached,
    SlaClock,
    SlaEvent,
    SlaMet,
    SlaPolicy,
    TicketSla,
)
from sla_events import WIB, summary, wib

CET = ZoneInfo("Europe/Berlin")
H = timedelta(hours=1)
M = timedelta(minutes=1)
S = timedelta(seconds=1)

LEBARAN_2026 = {
    date(2026, 3, 18): "Cuti bersama Hari Suci Nyepi",
    date(2026, 3, 19): "Hari Suci Nyepi (Tahun Baru Saka 1948)",
    date(2026, 3, 20): "Cuti bersama Idul Fitri",
    date(2026, 3, 21): "Idul Fitri 1447 H",
    date(2026, 3, 23): "Cuti bersama Idul Fitri",
    date(2026, 3, 24): "Cuti bersama Idul Fitri",
}
JAKARTA_OFFICE = BusinessCalendar(
    "Asia/Jakarta",
    weekly={d: [("08:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")}
    | {"sat": [("08:00", "12:00")]},
    holidays=LEBARAN_2026,
)
BERLIN_OFFICE = BusinessCalendar(
    "Europe/Berlin", weekly={d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")}
)


def cet(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=CET)


# -- a platinum chat on a 24/7 calendar ------------------------------------------------------

PLATINUM_CHAT = SlaPolicy(
    "platinum-chat",
    BusinessCalendar.always_open("Asia/Jakarta"),
    {Metric.FIRST_RESPONSE: M, Metric.RESOLUTION: {Priority.NORMAL: 4 * H, Priority.URGENT: H}},
)


def test_platinum_chat_first_reply_within_one_minute() -> None:
    created = wib(3, 22, 3, 0)  # a Sunday night, during Lebaran: a 24/7 channel does not care
    ts = TicketSla("chat-1", PLATINUM_CHAT, "normal", created)
    assert ts.next_deadline() == created + 30 * S
    fr = ts.clock(Metric.FIRST_RESPONSE)
    assert fr is not None
    assert fr.due_at == created + M
    events = ts.agent_reply(created + 52 * S)
    assert summary(events) == [
        ("warning 0.5", "first_response", created + 30 * S),
        ("warning 0.75", "first_response", created + 45 * S),
        ("SlaMet", "first_response", created + 52 * S),
    ]
    met = events[-1]
    assert isinstance(met, SlaMet)
    assert (met.elapsed, met.breached, met.late_by) == (52 * S, False, timedelta(0))
    assert all(e.at.tzinfo == WIB for e in events)


def test_platinum_chat_without_a_reply_breaches_at_exactly_one_minute() -> None:
    created = wib(3, 22, 3, 0)
    ts = TicketSla("chat-2", PLATINUM_CHAT, "normal", created)
    assert summary(ts.advance(created + M - ONE_US)) == [
        ("warning 0.5", "first_response", created + 30 * S),
        ("warning 0.75", "first_response", created + 45 * S),
        ("warning 0.9", "first_response", created + 54 * S),
    ]
    assert summary(ts.advance(created + M)) == [("SlaBreached", "first_response", created + M)]
    fr = ts.clock(Metric.FIRST_RESPONSE)
    assert fr is not None
    assert fr.late_by(created + 3 * M) == 2 * M
    events = ts.agent_reply(created + 3 * M)
    assert isinstance(events[0], SlaMet)
    assert events[0].breached
    assert events[0].late_by == 2 * M
    assert fr.state is ClockState.MET_LATE


# -- a regular e-mail on Jakarta office hours across the Lebaran closing --------------------

REGULAR_EMAIL = SlaPolicy(
    "regular-email",
    JAKARTA_OFFICE,
    {Metric.FIRST_RESPONSE: 8 * H, Metric.RESOLUTION: {Priority.NORMAL: 40 * H}},
)


def test_regular_email_across_lebaran() -> None:
    created = wib(3, 17, 15, 0)  # Tuesday 15:00, two office hours before the closing
    ts = TicketSla("mail-1", REGULAR_EMAIL, "normal", created)
    fr = ts.clock(Metric.FIRST_RESPONSE)
    res = ts.clock(Metric.RESOLUTION)
    assert fr is not None
    assert res is not None
    # 2 h on the 17th, closed 18-24 March (and Sunday 22nd), 6 h on Wednesday the 25th.
    assert fr.due_at == wib(3, 25, 14, 0)
    # 2 + 9 (25th) + 9 (26th) + 9 (27th) + 4 (Saturday 28th) + 7 (Monday 30th) = 40 h.
    assert res.due_at == wib(3, 30, 15, 0)
    assert fr.due_at - created == timedelta(days=7, hours=23)  # 8 business hours

    # A host that polls every hour through the holidays hears nothing.
    t = created
    while t < wib(3, 25, 10, 0):
        t += H
        if t < wib(3, 25, 10, 0):
            assert ts.advance(t) == [], t
    events = ts.agent_reply(wib(3, 25, 11, 0))
    assert summary(events) == [
        ("warning 0.5", "first_response", wib(3, 25, 10, 0)),
        ("SlaMet", "first_response", wib(3, 25, 11, 0)),
    ]
    events = ts.advance(wib(4, 1, 0, 0))
    assert summary(events) == [
        ("warning 0.5", "resolution", wib(3, 26, 17, 0)),  # the last instant of Thursday
        ("warning 0.75", "resolution", wib(3, 28, 9, 0)),  # Saturday morning hours
        ("warning 0.9", "resolution", wib(3, 30, 11, 0)),
        ("SlaBreached", "resolution", wib(3, 30, 15, 0)),
    ]
    for e in events:
        # Every instant is business time (or the very end of it), never during the closing.
        assert JAKARTA_OFFICE.is_open(e.at) or JAKARTA_OFFICE.is_open(e.at - ONE_US)
        assert e.at.date() not in LEBARAN_2026


def test_a_warning_never_fires_on_a_sunday_night_for_a_weekday_desk() -> None:
    friday = wib(3, 27, 16, 0)
    clock = SlaClock("mail-2", REGULAR_EMAIL.target(Metric.FIRST_RESPONSE, "normal"), friday)  # type: ignore[arg-type]
    # 4 h (50 %): Friday 16-17, Saturday 08-11.  6 h (75 %): Saturday gives 4 h, so Monday
    # 09:00.  7.2 h (90 %): Monday 10:12.  8 h: Monday 11:00.  Nothing on Sunday.
    assert [e.at for e in clock.advance(wib(3, 31, 0, 0))] == [
        wib(3, 28, 11, 0),
        wib(3, 30, 9, 0),
        wib(3, 30, 10, 12),
        wib(3, 30, 11, 0),
    ]


# -- a ticket pending on the customer over a weekend ----------------------------------------

SUPPORT = SlaPolicy(
    "support",
    BERLIN_OFFICE,
    {
        Metric.FIRST_RESPONSE: 4 * H,
        Metric.NEXT_RESPONSE: 4 * H,
        Metric.RESOLUTION: {Priority.NORMAL: 16 * H},
    },
)


def test_pending_on_the_customer_over_a_weekend() -> None:
    ts = TicketSla("t-1", SUPPORT, "normal", cet(3, 6, 9, 0))  # Friday 09:00
    assert summary(ts.agent_reply(cet(3, 6, 10, 0))) == [
        ("SlaMet", "first_response", cet(3, 6, 10, 0))
    ]
    assert ts.set_status("pending", cet(3, 6, 15, 0)) == []  # 6 h of resolution used
    res = ts.clock(Metric.RESOLUTION)
    assert res is not None
    assert res.due_at is None  # paused: the deadline moves
    assert ts.next_deadline() is None
    for t in (cet(3, 7, 0, 0), cet(3, 8, 0, 0), cet(3, 9, 9, 59)):  # Saturday, Sunday, Monday
        assert ts.advance(t) == []
    # The customer answers on Monday 10:00: the ticket is open again, a next-response cycle starts.
    assert ts.set_status("open", cet(3, 9, 10, 0)) == []
    assert ts.customer_message(cet(3, 9, 10, 0)) == []
    assert res.elapsed(cet(3, 9, 10, 0)) == 6 * H
    assert res.due_at == cet(3, 10, 12, 0)  # 7 h on Monday from 10:00, 3 h on Tuesday
    nr = ts.clock(Metric.NEXT_RESPONSE)
    assert nr is not None
    assert nr.due_at == cet(3, 9, 14, 0)
    events = ts.advance(cet(3, 10, 18, 0))
    assert summary(events) == [
        ("warning 0.5", "next_response", cet(3, 9, 12, 0)),  # ties come in metric order
        ("warning 0.5", "resolution", cet(3, 9, 12, 0)),
        ("warning 0.75", "next_response", cet(3, 9, 13, 0)),
        ("warning 0.9", "next_response", cet(3, 9, 13, 36)),
        ("SlaBreached", "next_response", cet(3, 9, 14, 0)),
        ("warning 0.75", "resolution", cet(3, 9, 16, 0)),
        ("warning 0.9", "resolution", cet(3, 10, 10, 24)),
        ("SlaBreached", "resolution", cet(3, 10, 12, 0)),
    ]
    assert res.pause_history == ((cet(3, 6, 15, 0), cet(3, 9, 10, 0)),)

    # Had pending not paused resolution, Monday 09:00-10:00 would have counted too.
    unpaused = SlaPolicy("x", BERLIN_OFFICE, SUPPORT.targets, pause_on={})
    other = TicketSla("t-2", unpaused, "normal", cet(3, 6, 9, 0))
    other.set_status("pending", cet(3, 6, 15, 0))
    other_res = other.clock(Metric.RESOLUTION)
    assert other_res is not None
    assert other_res.due_at == cet(3, 9, 17, 0)


# -- a priority raised from normal to urgent halfway through --------------------------------


def _halfway(urgent: timedelta, mode: RecalcMode) -> tuple[TicketSla, list[SlaEvent]]:
    policy = SlaPolicy(
        "desk",
        BERLIN_OFFICE,
        {Metric.RESOLUTION: {Priority.NORMAL: 8 * H, Priority.URGENT: urgent}},
    )
    ts = TicketSla("t-3", policy, "normal", cet(3, 9, 9, 0))  # Monday 09:00, due 17:00
    # 13:00 is 4 h in, halfway.  The change comes before the 50 % warning due at that instant.
    return ts, ts.change_priority(Priority.URGENT, cet(3, 9, 13, 0), mode)


@pytest.mark.parametrize("mode", [RecalcMode.KEEP_ELAPSED, RecalcMode.RETROACTIVE])
def test_priority_raised_halfway_keep_elapsed_and_retroactive(mode: RecalcMode) -> None:
    ts, events = _halfway(6 * H, mode)
    assert events == []
    res = ts.clock(Metric.RESOLUTION)
    assert res is not None
    assert res.elapsed(cet(3, 9, 13, 0)) == 4 * H
    assert res.due_at == cet(3, 9, 15, 0)  # 6 h after 09:00
    # 50 % of 6 h (3 h) is already used: not emitted.  75 % and 90 % are re-armed.
    assert summary(ts.advance(cet(3, 9, 17, 0))) == [
        ("warning 0.75", "resolution", cet(3, 9, 13, 30)),
        ("warning 0.9", "resolution", cet(3, 9, 14, 24)),
        ("SlaBreached", "resolution", cet(3, 9, 15, 0)),
    ]


def test_priority_raised_halfway_restart() -> None:
    ts, events = _halfway(6 * H, RecalcMode.RESTART)
    assert events == []
    res = ts.clock(Metric.RESOLUTION)
    assert res is not None
    assert res.elapsed(cet(3, 9, 13, 0)) == timedelta(0)
    assert res.due_at == cet(3, 10, 11, 0)  # 4 h on Monday, 2 h on Tuesday
    assert summary(ts.advance(cet(3, 10, 17, 0))) == [
        ("warning 0.5", "resolution", cet(3, 9, 16, 0)),
        ("warning 0.75", "resolution", cet(3, 10, 9, 30)),
        ("warning 0.9", "resolution", cet(3, 10, 10, 24)),
        ("SlaBreached", "resolution", cet(3, 10, 11, 0)),
    ]


@pytest.mark.parametrize(
    ("mode", "due_at"),
    [
        (RecalcMode.KEEP_ELAPSED, cet(3, 9, 13, 0)),  # history stands: late from the change
        (RecalcMode.RETROACTIVE, cet(3, 9, 12, 0)),  # history rewritten: late since 12:00
    ],
)
def test_priority_raised_halfway_to_a_target_already_used(
    mode: RecalcMode, due_at: datetime
) -> None:
    ts, events = _halfway(3 * H, mode)
    change = cet(3, 9, 13, 0)
    assert events == [
        SlaBreached(
            at=change, ticket_id="t-3", metric=Metric.RESOLUTION, due_at=due_at, target=3 * H
        )
    ]
    res = ts.clock(Metric.RESOLUTION)
    assert res is not None
    assert res.state is ClockState.BREACHED
    assert res.due_at == due_at
    assert res.late_by(change) == H
    assert res.late_by(cet(3, 9, 14, 0)) == 2 * H


def test_priority_raised_halfway_to_a_target_already_used_restart() -> None:
    ts, events = _halfway(3 * H, RecalcMode.RESTART)
    assert events == []
    res = ts.clock(Metric.RESOLUTION)
    assert res is not None
    assert res.due_at == cet(3, 9, 16, 0)


@pytest.mark.parametrize(
    ("mode", "elapsed", "due_at"),
    [
        # Office time already used (Friday 15-17, Monday 09-10) counts; 69 h more around the clock.
        (RecalcMode.KEEP_ELAPSED, 3 * H, cet(3, 12, 7, 0)),
        # Recomputed around the clock from Friday 15:00: 67 h used, 5 h left.
        (RecalcMode.RETROACTIVE, 67 * H, cet(3, 9, 15, 0)),
        # A fresh 72 h from Monday 10:00.
        (RecalcMode.RESTART, timedelta(0), cet(3, 12, 10, 0)),
    ],
)
def test_policy_change_to_a_24_7_calendar(
    mode: RecalcMode, elapsed: timedelta, due_at: datetime
) -> None:
    office = SlaPolicy("office", BERLIN_OFFICE, {Metric.RESOLUTION: 16 * H})
    around_the_clock = SlaPolicy(
        "vip", BusinessCalendar.always_open("Europe/Berlin"), {Metric.RESOLUTION: 72 * H}
    )
    ts = TicketSla("t-4", office, "normal", cet(3, 6, 15, 0))  # Friday 15:00
    change = cet(3, 9, 10, 0)  # Monday 10:00
    ts.change_policy(around_the_clock, change, mode)
    res = ts.clock(Metric.RESOLUTION)
    assert res is not None
    assert res.elapsed(change) == elapsed
    assert res.due_at == due_at
    assert ts.policy is around_the_clock

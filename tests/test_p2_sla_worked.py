"""SLA clocks at a desk, checked the way a support lead checks a helpdesk: by hand.

Each test drives a real :class:`~csflow.desk.Desk` through a ticket's life on a
business-hours calendar and compares every SLA event (warning, breach, met) and every due
instant its ``clocks`` view shows with figures worked out by hand in the comments, from
the documented semantics (docs/explanation/sla-semantics.md, docs/how-to/pausing.md,
docs/explanation/desk-contract.md, docs/explanation/dst.md).  No expected value is
computed by csflow.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from csflow import AgentProfile, Customer, Desk, DeskConfig, Ticket
from csflow.events import Event, SlaBreached, SlaCancelled, SlaMet, SlaWarning
from csflow.samples import JAKARTA_HOLIDAYS_2026
from test_h5_sla_reported import desk_for, due

JAKARTA = ZoneInfo("Asia/Jakarta")
NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
H = timedelta(hours=1)
M = timedelta(minutes=1)
S = timedelta(seconds=1)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
NINE_TO_FIVE = {d: [["09:00", "17:00"]] for d in WEEKDAYS}


def arrive(
    desk: Desk, at: datetime, *, channel: str = "email", tier: str = "regular"
) -> list[Event]:
    """Agent ``a`` logs in at *at*, and ticket ``T-1`` arrives then (and goes to ``a``)."""
    desk.add_agent(AgentProfile("a", languages={"en"}, capacity={channel: 5}), at=at)
    desk.set_presence("a", "available", at=at)
    customer = Customer("c", desk.config.tiers[tier], language="en")
    return desk.submit(Ticket("T-1", customer, channel, at), at=at)


def sla(events: list[Event]) -> list[tuple[str, str, datetime]]:
    """The SLA events as (kind and threshold or verdict, metric, instant in UTC)."""
    out: list[tuple[str, str, datetime]] = []
    for e in events:
        if isinstance(e, SlaWarning):
            kind = f"warn {e.threshold:g}"
        elif isinstance(e, SlaBreached):
            kind = "breached"
        elif isinstance(e, SlaMet):
            kind = "met late" if e.breached else "met"
        elif isinstance(e, SlaCancelled):
            kind = "cancelled"
        else:
            continue
        out.append((kind, str(e.metric), e.at.astimezone(UTC)))
    return out


def jkt(month: int, day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """An instant in Jakarta (UTC+7 all year), in UTC for comparisons."""
    return datetime(2026, month, day, hour, minute, second, tzinfo=JAKARTA).astimezone(UTC)


# -- Friday afternoon before a Monday holiday --------------------------------------------------

# Indonesia's 2026 holidays and cuti bersama (the sample list): Monday 1 June is Hari Lahir
# Pancasila; none falls between 2 and 15 June.
PANCASILA = {
    "timezone": "Asia/Jakarta",
    "weekly": NINE_TO_FIVE,
    "holidays": {day.isoformat(): name for day, name in JAKARTA_HOLIDAYS_2026.items()},
}


def test_friday_1630_before_a_monday_holiday() -> None:
    # First reply within 4 business hours, Mon-Fri 09:00-17:00 in Jakarta, Monday 1 June 2026
    # a public holiday (Hari Lahir Pancasila). The ticket arrives on Friday 29 May at 16:30.
    #   Friday 16:30-17:00 counts 30 min; Saturday, Sunday and Monday are closed;
    #   Tuesday 2 June from 09:00 the 3 h 30 left run out at 12:30.
    # Warnings at 50 % (2 h: 30 min Friday + 1 h 30 Tuesday = 10:30), 75 % (3 h: 11:30),
    # 90 % (3 h 36: 12:06); the breach at 12:30.
    desk = desk_for(PANCASILA, {"first_response": "PT4H"})
    arrive(desk, datetime(2026, 5, 29, 16, 30, tzinfo=JAKARTA))
    assert due(desk, "first_response") == jkt(6, 2, 12, 30)
    assert desk.next_wakeup() == datetime(2026, 6, 2, 10, 30, tzinfo=JAKARTA)
    # Nothing fires over the weekend or the holiday.
    assert desk.advance(at=datetime(2026, 6, 1, 23, 59, tzinfo=JAKARTA)) == []
    assert sla(desk.advance(at=datetime(2026, 6, 2, 12, 0, tzinfo=JAKARTA))) == [
        ("warn 0.5", "first_response", jkt(6, 2, 10, 30)),
        ("warn 0.75", "first_response", jkt(6, 2, 11, 30)),
    ]
    # The view at noon: 3 h 30 used (30 min Friday, 09:00-12:00 Tuesday), 30 min left.
    view = desk.clocks("T-1", at=datetime(2026, 6, 2, 12, 0, tzinfo=JAKARTA))["first_response"]
    assert (view.state, view.elapsed, view.remaining) == ("running", 3 * H + 30 * M, 30 * M)
    # The agent replies at the due instant itself: the reply first catches up the 90 %
    # warning of 12:06, then meets the target (a command counts before what falls due at
    # its instant), with exactly 4 h used.
    events = desk.reply("T-1", "a", at=datetime(2026, 6, 2, 12, 30, tzinfo=JAKARTA))
    assert sla(events) == [
        ("warn 0.9", "first_response", jkt(6, 2, 12, 6)),
        ("met", "first_response", jkt(6, 2, 12, 30)),
    ]
    met = events[-1]
    assert isinstance(met, SlaMet)
    assert met.elapsed == 4 * H
    assert desk.clocks("T-1")["first_response"].state == "met"


def test_friday_1630_unanswered_breaches_on_tuesday() -> None:
    # The same ticket, nobody answers: the 90 % warning at 12:06 and the breach at 12:30 on
    # Tuesday, not on Friday evening or Monday. A reply at 13:00 meets it 30 minutes late
    # (4 h 30 of business time used).
    desk = desk_for(PANCASILA, {"first_response": "PT4H"})
    arrive(desk, datetime(2026, 5, 29, 16, 30, tzinfo=JAKARTA))
    events = desk.advance(at=datetime(2026, 6, 2, 12, 45, tzinfo=JAKARTA))
    assert sla(events)[2:] == [
        ("warn 0.9", "first_response", jkt(6, 2, 12, 6)),
        ("breached", "first_response", jkt(6, 2, 12, 30)),
    ]
    view = desk.clocks("T-1")["first_response"]
    assert (view.state, view.due_at) == ("breached", datetime(2026, 6, 2, 12, 30, tzinfo=JAKARTA))
    (late,) = desk.reply("T-1", "a", at=datetime(2026, 6, 2, 13, 0, tzinfo=JAKARTA))
    assert isinstance(late, SlaMet)
    assert late.breached
    assert late.elapsed == 4 * H + 30 * M


def test_the_due_instant_in_the_two_orders() -> None:
    # The reply at 12:30 on Tuesday, the due instant, meets the target when it comes before
    # the breach is delivered (above). A host that wakes at next_wakeup and advances to
    # 12:30 first receives the breach, due then; the reply at 12:30 after it meets the
    # target late (still with exactly 4 h used).
    desk = desk_for(PANCASILA, {"first_response": "PT4H"})
    arrive(desk, datetime(2026, 5, 29, 16, 30, tzinfo=JAKARTA))
    at = datetime(2026, 6, 2, 12, 30, tzinfo=JAKARTA)
    while (wake := desk.next_wakeup()) is not None and wake <= at:
        desk.advance(at=wake)
    assert desk.clocks("T-1")["first_response"].state == "breached"
    (late,) = desk.reply("T-1", "a", at=at)
    assert isinstance(late, SlaMet)
    assert late.breached
    assert late.elapsed == 4 * H


# -- pending and on hold -------------------------------------------------------------------------

WAITING = {"pending": ["next_response", "resolution"], "on_hold": ["resolution"]}


def test_pending_pauses_next_reply_and_resolution_not_first_reply() -> None:
    # Mon-Fri 09:00-17:00 in Jakarta; first reply 4 h, next reply 2 h, resolution 16 h.
    # Pending (waiting on the customer) pauses the next reply and the resolution; on hold
    # (waiting on a third party) pauses the resolution only; nothing pauses the first reply.
    desk = desk_for(
        PANCASILA,
        {"first_response": "PT4H", "next_response": "PT2H", "resolution": "PT16H"},
        pause_on=WAITING,
    )
    arrive(desk, datetime(2026, 6, 8, 9, 0, tzinfo=JAKARTA))  # Monday 09:00

    # 10:00, set pending before any reply: the first reply still runs (due 13:00), the
    # resolution pauses with 1 h used and has no deadline.
    assert sla(desk.set_status("T-1", "pending", at=datetime(2026, 6, 8, 10, tzinfo=JAKARTA))) == []
    assert due(desk, "first_response") == jkt(6, 8, 13)
    view = desk.clocks("T-1")["resolution"]
    assert (view.state, view.due_at, view.elapsed) == ("paused", None, H)

    # 11:00, the owner replies while the ticket waits: the first reply is met after 2 h.
    # Its 50 % warning falls due at 11:00 too, and the reply counts first: no warning.
    assert sla(desk.reply("T-1", "a", at=datetime(2026, 6, 8, 11, tzinfo=JAKARTA))) == [
        ("met", "first_response", jkt(6, 8, 11))
    ]

    # 14:00, the customer answers: the ticket resumes. A next reply is due within 2 h
    # (16:00); the resolution resumes with 15 h left: 14:00-17:00 Monday (3 h), Tuesday
    # (8 h), Wednesday 09:00-13:00 (4 h).
    assert sla(desk.customer_message("T-1", at=datetime(2026, 6, 8, 14, tzinfo=JAKARTA))) == []
    assert due(desk, "next_response") == jkt(6, 8, 16)
    assert due(desk, "resolution") == jkt(6, 10, 13)

    # 15:00, the agent answers (next reply met after 1 h) and waits on the customer again:
    # the resolution pauses with 2 h used.
    assert sla(desk.reply("T-1", "a", at=datetime(2026, 6, 8, 15, tzinfo=JAKARTA))) == [
        ("met", "next_response", jkt(6, 8, 15))
    ]
    desk.set_status("T-1", "pending", at=datetime(2026, 6, 8, 15, tzinfo=JAKARTA))

    # Tuesday 10:00, the customer writes: next reply due 12:00; the resolution has 14 h left:
    # Tuesday 10:00-17:00 (7 h), Wednesday 09:00-16:00 (7 h).
    desk.customer_message("T-1", at=datetime(2026, 6, 9, 10, tzinfo=JAKARTA))
    assert due(desk, "next_response") == jkt(6, 9, 12)
    assert due(desk, "resolution") == jkt(6, 10, 16)

    # 11:00, the agent sets it pending again without answering: the next reply pauses with
    # 1 h used -- exactly its 50 % threshold, which a clock paused at it fires on resuming --
    # and the resolution with 3 h used.
    assert sla(desk.set_status("T-1", "pending", at=datetime(2026, 6, 9, 11, tzinfo=JAKARTA))) == []
    assert desk.clocks("T-1")["next_response"].state == "paused"
    assert desk.advance(at=datetime(2026, 6, 9, 13, 59, tzinfo=JAKARTA)) == []

    # 14:00, the customer writes again: the same unanswered cycle resumes with 1 h left
    # (due 15:00) and its 50 % warning fires now; the resolution has 13 h left: Tuesday
    # 14:00-17:00 (3 h), Wednesday (8 h), Thursday 09:00-11:00 (2 h).
    assert sla(desk.customer_message("T-1", at=datetime(2026, 6, 9, 14, tzinfo=JAKARTA))) == [
        ("warn 0.5", "next_response", jkt(6, 9, 14))
    ]
    assert due(desk, "next_response") == jkt(6, 9, 15)
    assert due(desk, "resolution") == jkt(6, 11, 11)

    # 14:30, on hold (waiting on the courier): the resolution pauses with 3 h 30 used, the
    # next reply does not. It has used 1 h 30 then, its 75 % threshold, which fires after
    # the command; 90 % (1 h 48) at 14:48 and the breach at 15:00.
    assert sla(
        desk.set_status("T-1", "on_hold", at=datetime(2026, 6, 9, 14, 30, tzinfo=JAKARTA))
    ) == [("warn 0.75", "next_response", jkt(6, 9, 14, 30))]
    assert desk.clocks("T-1")["resolution"].state == "paused"
    assert sla(desk.advance(at=datetime(2026, 6, 9, 15, 30, tzinfo=JAKARTA))) == [
        ("warn 0.9", "next_response", jkt(6, 9, 14, 48)),
        ("breached", "next_response", jkt(6, 9, 15)),
    ]
    # 15:30, the answer comes while on hold: met 30 minutes late, 2 h 30 used.
    (late,) = desk.reply("T-1", "a", at=datetime(2026, 6, 9, 15, 30, tzinfo=JAKARTA))
    assert isinstance(late, SlaMet)
    assert late.breached
    assert late.elapsed == 2 * H + 30 * M

    # Wednesday 09:00, back to open: the resolution resumes with 12 h 30 left: Wednesday
    # (8 h), Thursday 09:00-13:30. Solved on Thursday at 13:00: met with 15 h 30 used.
    desk.set_status("T-1", "open", at=datetime(2026, 6, 10, 9, tzinfo=JAKARTA))
    assert due(desk, "resolution") == jkt(6, 11, 13, 30)
    # Its warnings come while it runs, from the 3 h 30 used at 09:00 Wednesday: 50 % (8 h,
    # 4 h 30 on) at 13:30 Wednesday, 75 % (12 h, 8 h 30 on: all of Wednesday and 30 min) at
    # 09:30 Thursday, 90 % (14 h 24, 10 h 54 on) at 11:54 Thursday.
    events = desk.resolve("T-1", "a", at=datetime(2026, 6, 11, 13, tzinfo=JAKARTA))
    assert sla(events) == [
        ("warn 0.5", "resolution", jkt(6, 10, 13, 30)),
        ("warn 0.75", "resolution", jkt(6, 11, 9, 30)),
        ("warn 0.9", "resolution", jkt(6, 11, 11, 54)),
        ("met", "resolution", jkt(6, 11, 13)),
    ]
    met = next(e for e in events if isinstance(e, SlaMet))
    assert met.elapsed == 15 * H + 30 * M


# -- solved, then re-opened by the customer ------------------------------------------------------


def test_solved_then_reopened_resumes_resolution_and_starts_a_next_reply() -> None:
    # Mon-Fri 09:00-17:00 in Jakarta; first reply 4 h, next reply 2 h, resolution 16 h.
    desk = desk_for(
        PANCASILA, {"first_response": "PT4H", "next_response": "PT2H", "resolution": "PT16H"}
    )
    arrive(desk, datetime(2026, 6, 8, 9, tzinfo=JAKARTA))  # Monday 09:00
    desk.reply("T-1", "a", at=datetime(2026, 6, 8, 10, tzinfo=JAKARTA))
    # Solved on Monday at 15:00: the resolution is met with 6 h used.
    events = desk.resolve("T-1", "a", at=datetime(2026, 6, 8, 15, tzinfo=JAKARTA))
    assert sla(events) == [("met", "resolution", jkt(6, 8, 15))]
    assert [e.elapsed for e in events if isinstance(e, SlaMet)] == [6 * H]
    # Nothing counts while it is solved.
    assert desk.advance(at=datetime(2026, 6, 10, 9, 59, tzinfo=JAKARTA)) == []

    # The customer re-opens it on Wednesday at 10:00. The resolution resumes with its 6 h
    # used and 10 h left: Wednesday 10:00-17:00 (7 h) and Thursday 09:00-12:00. The
    # re-opening is a customer message after a reply: a next reply is due at 12:00.
    desk.reopen("T-1", at=datetime(2026, 6, 10, 10, tzinfo=JAKARTA))
    assert due(desk, "resolution") == jkt(6, 11, 12)
    assert due(desk, "next_response") == jkt(6, 10, 12)
    assert desk.ticket("T-1").agent_id == "a"  # back to the agent who solved it

    # 11:00, the agent answers: the next reply is met after 1 h (its 50 % threshold, due at
    # the same instant, is not sent: the reply counts first).
    assert sla(desk.reply("T-1", "a", at=datetime(2026, 6, 10, 11, tzinfo=JAKARTA))) == [
        ("met", "next_response", jkt(6, 10, 11))
    ]

    # Solved again on Thursday at 12:30, half an hour late. From 6 h at 10:00 Wednesday the
    # resolution reached 50 % (8 h) at 12:00 Wednesday, 75 % (12 h) at 16:00 Wednesday,
    # 90 % (14 h 24: 7 h on Wednesday, then 1 h 24) at 10:24 Thursday and its target at
    # 12:00 Thursday; the solve meets it late with 16 h 30 used.
    events = desk.resolve("T-1", "a", at=datetime(2026, 6, 11, 12, 30, tzinfo=JAKARTA))
    assert sla(events) == [
        ("warn 0.5", "resolution", jkt(6, 10, 12)),
        ("warn 0.75", "resolution", jkt(6, 10, 16)),
        ("warn 0.9", "resolution", jkt(6, 11, 10, 24)),
        ("breached", "resolution", jkt(6, 11, 12)),
        ("met late", "resolution", jkt(6, 11, 12, 30)),
    ]
    assert [e.elapsed for e in events if isinstance(e, SlaMet)] == [16 * H + 30 * M]


# -- a priority change that moves the target ---------------------------------------------------

BY_PRIORITY = {"resolution": {"normal": "PT16H", "urgent": "PT4H"}}


def normal_ticket_friday_16(recalculation: str) -> Desk:
    """A normal ticket on Friday 5 June 2026 at 16:00, Mon-Fri 09:00-17:00 in Jakarta."""
    desk = desk_for(PANCASILA, BY_PRIORITY, recalculation=recalculation)
    arrive(desk, datetime(2026, 6, 5, 16, tzinfo=JAKARTA))
    # 16 business hours: Friday 16:00-17:00, Monday, Tuesday 09:00-16:00.
    assert due(desk, "resolution") == jkt(6, 9, 16)
    return desk


def test_priority_raised_keep_elapsed_counts_the_time_used() -> None:
    # Monday 10:00 it becomes urgent (4 h). Used so far: 1 h on Friday, 1 h on Monday.
    # KEEP_ELAPSED: 2 h of 4 used, due at 12:00. The 50 % threshold (2 h) is already used
    # and is passed over; 75 % (3 h) at 11:00, 90 % (3 h 36) at 11:36, breach at 12:00.
    desk = normal_ticket_friday_16("keep_elapsed")
    assert (
        sla(desk.set_priority("T-1", "urgent", at=datetime(2026, 6, 8, 10, tzinfo=JAKARTA))) == []
    )
    assert due(desk, "resolution") == jkt(6, 8, 12)
    assert sla(desk.advance(at=datetime(2026, 6, 8, 13, tzinfo=JAKARTA))) == [
        ("warn 0.75", "resolution", jkt(6, 8, 11)),
        ("warn 0.9", "resolution", jkt(6, 8, 11, 36)),
        ("breached", "resolution", jkt(6, 8, 12)),
    ]


def test_priority_raised_restart_gives_a_fresh_target() -> None:
    # RESTART: a fresh 4 h from Monday 10:00, due 14:00; warnings at 12:00, 13:00, 13:36.
    desk = normal_ticket_friday_16("restart")
    desk.set_priority("T-1", "urgent", at=datetime(2026, 6, 8, 10, tzinfo=JAKARTA))
    assert due(desk, "resolution") == jkt(6, 8, 14)
    assert sla(desk.advance(at=datetime(2026, 6, 8, 15, tzinfo=JAKARTA))) == [
        ("warn 0.5", "resolution", jkt(6, 8, 12)),
        ("warn 0.75", "resolution", jkt(6, 8, 13)),
        ("warn 0.9", "resolution", jkt(6, 8, 13, 36)),
        ("breached", "resolution", jkt(6, 8, 14)),
    ]


def test_priority_raised_retroactive_replays_from_creation() -> None:
    # RETROACTIVE on the same calendar: as if urgent since Friday 16:00, so due after 1 h on
    # Friday and 3 h on Monday: 12:00 Monday, the same instant as KEEP_ELAPSED.
    desk = normal_ticket_friday_16("retroactive")
    assert (
        sla(desk.set_priority("T-1", "urgent", at=datetime(2026, 6, 8, 10, tzinfo=JAKARTA))) == []
    )
    assert due(desk, "resolution") == jkt(6, 8, 12)


def test_priority_raised_too_late_breaches_at_the_change() -> None:
    # The change comes on Monday at 14:00: 1 h Friday + 5 h Monday = 6 h used, past 4 h.
    # KEEP_ELAPSED reports the breach at the change, due then (the target was first
    # missed when it was set); RETROACTIVE at the change too, with the past instant the
    # urgent target ran out (4 h used: 12:00 Monday); RESTART gives 4 h from 14:00:
    # 3 h on Monday and 1 h on Tuesday, due 10:00 Tuesday.
    change = datetime(2026, 6, 8, 14, tzinfo=JAKARTA)
    expected = {"keep_elapsed": jkt(6, 8, 14), "retroactive": jkt(6, 8, 12)}
    for mode, due_at in expected.items():
        desk = normal_ticket_friday_16(mode)
        events = desk.set_priority("T-1", "urgent", at=change)
        breaches = [e for e in events if isinstance(e, SlaBreached)]
        assert [(b.at.astimezone(UTC), b.due_at.astimezone(UTC)) for b in breaches] == [
            (jkt(6, 8, 14), due_at)
        ], mode
        assert due(desk, "resolution") == due_at, mode
    desk = normal_ticket_friday_16("restart")
    assert sla(desk.set_priority("T-1", "urgent", at=change)) == []
    assert due(desk, "resolution") == jkt(6, 9, 10)


# -- daylight-saving changes ---------------------------------------------------------------------


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def test_new_york_business_hours_across_spring_forward() -> None:
    # Mon-Fri 09:00-17:00 in New York; clocks go forward on Sunday 8 March 2026.
    # Friday 6 March 15:00 EST (20:00 UTC), first reply 4 h: 2 h on Friday, then 2 h from
    # 09:00 EDT on Monday (13:00 UTC): due 11:00 EDT, 15:00 UTC (not 16:00 UTC, as one
    # fixed offset would say). 50 % at 17:00 EST Friday (22:00 UTC), 75 % at 10:00 EDT
    # (14:00 UTC), 90 % at 10:36 EDT (14:36 UTC).
    desk = desk_for(
        {"timezone": "America/New_York", "weekly": NINE_TO_FIVE}, {"first_response": "PT4H"}
    )
    arrive(desk, datetime(2026, 3, 6, 15, tzinfo=NEW_YORK))
    assert due(desk, "first_response") == utc(3, 9, 15)
    local = desk.clocks("T-1")["first_response"].due_at
    assert local is not None
    assert (local.hour, local.utcoffset()) == (11, timedelta(hours=-4))
    assert sla(desk.advance(at=utc(3, 9, 16))) == [
        ("warn 0.5", "first_response", utc(3, 6, 22)),
        ("warn 0.75", "first_response", utc(3, 9, 14)),
        ("warn 0.9", "first_response", utc(3, 9, 14, 36)),
        ("breached", "first_response", utc(3, 9, 15)),
    ]


def test_new_york_round_the_clock_across_spring_forward() -> None:
    # Open 24/7 in New York. Saturday 7 March 23:00 EST (04:00 UTC Sunday), first reply 4 h
    # of real time: 08:00 UTC, which New York reads as 04:00 EDT -- five hours on the wall
    # clock, since 02:00-03:00 does not exist that night.
    desk = desk_for(
        {"timezone": "America/New_York", "always_open": True}, {"first_response": "PT4H"}
    )
    arrive(desk, datetime(2026, 3, 7, 23, tzinfo=NEW_YORK))
    assert due(desk, "first_response") == utc(3, 8, 8)
    local = desk.clocks("T-1")["first_response"].due_at
    assert local is not None
    assert (local.day, local.hour) == (8, 4)


def test_london_business_hours_across_fall_back() -> None:
    # Mon-Fri 09:00-17:00 in London; clocks go back on Sunday 25 October 2026.
    # Friday 23 October 16:00 BST (15:00 UTC), first reply 2 h: 1 h on Friday, then from
    # 09:00 GMT Monday (09:00 UTC): due 10:00 GMT = 10:00 UTC.
    desk = desk_for(
        {"timezone": "Europe/London", "weekly": NINE_TO_FIVE}, {"first_response": "PT2H"}
    )
    arrive(desk, datetime(2026, 10, 23, 16, tzinfo=LONDON))
    assert due(desk, "first_response") == utc(10, 26, 10)


def test_london_round_the_clock_due_in_the_repeated_hour() -> None:
    # Open 24/7 in London. Sunday 25 October 2026 00:30 BST (23:30 UTC Saturday): a 1-hour
    # target is due at 00:30 UTC, 01:30 BST; a 2-hour one at 01:30 UTC, which London reads
    # as 01:30 again -- GMT, the second 01:30 (fold=1).
    for hours, at_utc, offset in ((1, utc(10, 25, 0, 30), H), (2, utc(10, 25, 1, 30), 0 * H)):
        desk = desk_for(
            {"timezone": "Europe/London", "always_open": True}, {"first_response": f"PT{hours}H"}
        )
        arrive(desk, datetime(2026, 10, 25, 0, 30, tzinfo=LONDON))
        local = desk.clocks("T-1")["first_response"].due_at
        assert local is not None
        assert local.astimezone(UTC) == at_utc
        assert (local.hour, local.minute, local.fold, local.utcoffset()) == (
            1,
            30,
            hours - 1,
            offset,
        )
        breach = [
            e
            for e in desk.advance(at=datetime(2026, 10, 25, 3, tzinfo=LONDON))
            if isinstance(e, SlaBreached)
        ]
        assert [(e.at.fold, e.at.astimezone(UTC)) for e in breach] == [(hours - 1, at_utc)]


def test_london_sunday_desk_has_a_25_hour_fall_back_day() -> None:
    # A desk open on Sundays only, all day, in London. On Sunday 25 October 2026 the day
    # lasts 25 real hours (00:00 BST = 23:00 UTC Saturday, to 00:00 GMT = 00:00 UTC Monday).
    # A ticket at 00:00 BST with a 24-hour first-reply target is due after 24 real hours:
    # 23:00 UTC Sunday, 23:00 GMT -- an hour before the desk closes, not at midnight.
    sundays = {"timezone": "Europe/London", "weekly": {"sun": [["00:00", "24:00"]]}}
    desk = desk_for(sundays, {"first_response": "PT24H"})
    arrive(desk, datetime(2026, 10, 25, 0, tzinfo=LONDON))
    assert due(desk, "first_response") == utc(10, 25, 23)
    # Through the repeated hour, real time counts: at 01:30 GMT (fold=1) 2 h 30 are used.
    second = datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=LONDON)
    assert desk.clocks("T-1", at=second)["first_response"].elapsed == 2 * H + 30 * M


# -- 24/7 against business hours; the gold chat minute -----------------------------------------


def tiered_desk() -> Desk:
    """Gold chats: first reply within 60 s around the clock; everyone else: 4 office hours."""
    doc: dict[str, Any] = {
        "tiers": [{"name": "regular", "rank": 1}, {"name": "gold", "rank": 3}],
        "calendars": {
            "24x7": {"timezone": "Asia/Jakarta", "always_open": True},
            "office": PANCASILA,
        },
        "sla_policies": [
            {"name": "gold-chat", "calendar": "24x7", "targets": {"first_response": "PT60S"}},
            {"name": "standard", "calendar": "office", "targets": {"first_response": "PT4H"}},
        ],
        "default_sla_policy": "standard",
        "queues": [{"name": "general"}],
        "triage": [
            {
                "name": "gold chat",
                "when": {
                    "all": [{"field": "tier", "eq": "gold"}, {"field": "channel", "eq": "chat"}]
                },
                "then": {"queue": "general", "sla_policy": "gold-chat"},
            },
            {"name": "everyone else", "then": {"queue": "general"}},
        ],
    }
    return Desk(DeskConfig.from_dict(doc))


def test_gold_chat_first_reply_within_a_minute_around_the_clock() -> None:
    # Saturday 13 June 2026, 23:59:30 in Jakarta: a gold customer's chat and a regular
    # customer's e-mail arrive together; nobody is logged in.
    desk = tiered_desk()
    late = datetime(2026, 6, 13, 23, 59, 30, tzinfo=JAKARTA)
    gold = Customer("g", desk.config.tiers["gold"], language="en")
    regular = Customer("r", desk.config.tiers["regular"], language="en")
    desk.submit(Ticket("T-1", gold, "chat", late), at=late)
    desk.submit(Ticket("T-2", regular, "email", late), at=late)
    # Gold, 24/7: due 60 s on, at 00:00:30 on Sunday; warnings at 30 s (midnight), 45 s
    # (00:00:15) and 54 s (00:00:24).
    assert due(desk, "first_response") == jkt(6, 14, 0, 0, 30)
    # Regular, office hours: nothing counts until Monday 09:00, due at 13:00 Monday.
    office_due = desk.clocks("T-2")["first_response"].due_at
    assert office_due == datetime(2026, 6, 15, 13, tzinfo=JAKARTA)

    # The host wakes the desk at 00:00:20 (the warnings at 00:00:00 and 00:00:15 come),
    # then Sari logs in and takes the chat; she answers at 00:00:29, 59 s in: met, after
    # the 90 % warning of 00:00:24, which her reply catches up.
    sari_in = datetime(2026, 6, 14, 0, 0, 20, tzinfo=JAKARTA)
    assert sla(desk.advance(at=sari_in)) == [
        ("warn 0.5", "first_response", jkt(6, 14, 0, 0, 0)),
        ("warn 0.75", "first_response", jkt(6, 14, 0, 0, 15)),
    ]
    desk.add_agent(AgentProfile("sari", languages={"en"}, capacity={"chat": 1}), at=sari_in)
    desk.set_presence("sari", "available", at=sari_in)
    assert desk.ticket("T-1").agent_id == "sari"
    events = desk.reply("T-1", "sari", at=datetime(2026, 6, 14, 0, 0, 29, tzinfo=JAKARTA))
    assert sla(events) == [
        ("warn 0.9", "first_response", jkt(6, 14, 0, 0, 24)),
        ("met", "first_response", jkt(6, 14, 0, 0, 29)),
    ]
    assert [e.elapsed for e in events if isinstance(e, SlaMet)] == [59 * S]
    # The regular ticket's clock has not moved: it is Sunday.
    assert desk.clocks("T-2")["first_response"].elapsed == timedelta(0)


# -- a target in business days ---------------------------------------------------------------


def test_resolution_in_business_days_is_written_in_business_hours() -> None:
    # "Resolved within 2 business days" on Mon-Fri 09:00-17:00 is 16 business hours. A
    # ticket on Monday 8 June 2026 at 09:00 is then due at 17:00 on Tuesday -- the closing
    # time at which the 16th hour is used. "P2D" is 48 business hours (a day of a target is
    # 24 hours of business time): six office days, due at 17:00 on Monday 15 June.
    desk = desk_for(PANCASILA, {"resolution": "PT16H"})
    arrive(desk, datetime(2026, 6, 8, 9, tzinfo=JAKARTA))
    assert due(desk, "resolution") == jkt(6, 9, 17)
    days = desk_for(PANCASILA, {"resolution": "P2D"})
    arrive(days, datetime(2026, 6, 8, 9, tzinfo=JAKARTA))
    assert due(days, "resolution") == jkt(6, 15, 17)
    # Solved before the office opens on Wednesday: no business time has passed since the
    # target was reached at 17:00 Tuesday, but the target has passed: met late, 16 h used.
    events = desk.resolve("T-1", "a", at=datetime(2026, 6, 10, 8, tzinfo=JAKARTA))
    assert sla(events)[-2:] == [
        ("breached", "resolution", jkt(6, 9, 17)),
        ("met late", "resolution", jkt(6, 10, 8)),
    ]
    assert [e.elapsed for e in events if isinstance(e, SlaMet)] == [16 * H]


def test_priority_raised_after_a_pause_counts_no_paused_time_in_any_mode() -> None:
    # A normal ticket on Friday 5 June at 16:00 (resolution 16 h, urgent 4 h; pending
    # pauses the resolution by default), pending on Monday from 09:30 to 11:00, urgent at
    # 12:00. Time used: 1 h Friday, 30 min Monday morning, 1 h from 11:00 = 2 h 30.
    # KEEP_ELAPSED and RETROACTIVE (which replays the pause): due after 1 h 30 more, 13:30;
    # the 50 % threshold is already used, 75 % (3 h) at 12:30, 90 % (3 h 36) at 13:06.
    # RESTART: a fresh 4 h from 12:00, due 16:00.
    expected = {"keep_elapsed": jkt(6, 8, 13, 30), "retroactive": jkt(6, 8, 13, 30)}
    expected["restart"] = jkt(6, 8, 16)
    for mode, due_at in expected.items():
        desk = normal_ticket_friday_16(mode)
        desk.set_status("T-1", "pending", at=datetime(2026, 6, 8, 9, 30, tzinfo=JAKARTA))
        desk.set_status("T-1", "open", at=datetime(2026, 6, 8, 11, tzinfo=JAKARTA))
        assert (
            sla(desk.set_priority("T-1", "urgent", at=datetime(2026, 6, 8, 12, tzinfo=JAKARTA)))
            == []
        )
        assert due(desk, "resolution") == due_at, mode
        if mode != "restart":
            assert sla(desk.advance(at=datetime(2026, 6, 8, 14, tzinfo=JAKARTA))) == [
                ("warn 0.75", "resolution", jkt(6, 8, 12, 30)),
                ("warn 0.9", "resolution", jkt(6, 8, 13, 6)),
                ("breached", "resolution", jkt(6, 8, 13, 30)),
            ], mode


def test_a_reminder_fifteen_minutes_before_counts_in_business_time() -> None:
    # The Friday 16:30 ticket before the Pancasila Monday, first reply 4 h, a warning at
    # 50 % and one 15 minutes before the target: 3 h 45 used, at 12:15 on Tuesday (the
    # fraction of the target then: 3.75 / 4 = 0.9375); due at 12:30.
    desk = desk_for(PANCASILA, {"first_response": "PT4H"}, warnings=[0.5], warn_before=["PT15M"])
    arrive(desk, datetime(2026, 5, 29, 16, 30, tzinfo=JAKARTA))
    assert sla(desk.advance(at=datetime(2026, 6, 2, 13, tzinfo=JAKARTA))) == [
        ("warn 0.5", "first_response", jkt(6, 2, 10, 30)),
        ("warn 0.9375", "first_response", jkt(6, 2, 12, 15)),
        ("breached", "first_response", jkt(6, 2, 12, 30)),
    ]


def test_chat_first_reply_around_the_clock_resolution_in_office_hours() -> None:
    # One policy, two calendars: the first reply counts 24/7 (60 s), the resolution in
    # office hours (16 h). A chat on Friday 5 June at 16:00:00: first reply due 16:01:00;
    # resolution after 1 h on Friday, 8 h on Monday and 7 h on Tuesday: 16:00 Tuesday.
    calendar = {"timezone": "Asia/Jakarta", "always_open": True}
    desk = desk_for(
        calendar,
        {"first_response": "PT60S", "resolution": "PT16H"},
        calendars={"resolution": PANCASILA},
    )
    arrive(desk, datetime(2026, 6, 5, 16, tzinfo=JAKARTA), channel="chat", tier="gold")
    assert due(desk, "first_response") == jkt(6, 5, 16, 1)
    assert due(desk, "resolution") == jkt(6, 9, 16)
    # Pending from 16:00:20 pauses the resolution only: the first reply still breaches at
    # 16:01:00 (50 % at 16:00:30, 75 % at 16:00:45, 90 % at 16:00:54).
    desk.set_status("T-1", "pending", at=datetime(2026, 6, 5, 16, 0, 20, tzinfo=JAKARTA))
    assert desk.clocks("T-1")["resolution"].state == "paused"
    assert sla(desk.advance(at=datetime(2026, 6, 5, 16, 2, tzinfo=JAKARTA))) == [
        ("warn 0.5", "first_response", jkt(6, 5, 16, 0, 30)),
        ("warn 0.75", "first_response", jkt(6, 5, 16, 0, 45)),
        ("warn 0.9", "first_response", jkt(6, 5, 16, 0, 54)),
        ("breached", "first_response", jkt(6, 5, 16, 1)),
    ]


def upgrade_desk(recalculation: str) -> Desk:
    """``standard``: resolution 16 office hours; ``vip``: first reply 1 h and resolution 24 h,
    around the clock."""
    doc: dict[str, Any] = {
        "tiers": [{"name": "regular", "rank": 1}],
        "calendars": {
            "24x7": {"timezone": "Asia/Jakarta", "always_open": True},
            "office": PANCASILA,
        },
        "sla_policies": [
            {
                "name": "vip",
                "calendar": "24x7",
                "targets": {"first_response": "PT1H", "resolution": "PT24H"},
            },
            {"name": "standard", "calendar": "office", "targets": {"resolution": "PT16H"}},
        ],
        "default_sla_policy": "standard",
        "queues": [{"name": "general"}],
        "routing_profiles": [{"name": "f", "queues": [{"queue": "general", "priority": 1}]}],
        "triage": [{"name": "all", "then": {"queue": "general"}}],
        "recalculation": recalculation,
    }
    return Desk(DeskConfig.from_dict(doc))


def test_upgrade_from_office_hours_to_round_the_clock() -> None:
    # A ticket on Friday 5 June at 16:00 under `standard` (16 office hours); the customer
    # upgrades to `vip` (24/7) on Monday at 10:00. Office time used: 1 h Friday + 1 h
    # Monday = 2 h; wall time since creation: 66 h.
    change = datetime(2026, 6, 8, 10, tzinfo=JAKARTA)

    # KEEP_ELAPSED: the resolution keeps its 2 h, 22 h left around the clock: due 08:00
    # Tuesday (50 % = 12 h at 20:00 Monday). The first reply gains a target and counts from
    # creation on the new calendar: 66 h of 1 h, breached at the change, due then.
    desk = upgrade_desk("keep_elapsed")
    arrive(desk, datetime(2026, 6, 5, 16, tzinfo=JAKARTA))
    assert sla(desk.set_sla_policy("T-1", "vip", at=change)) == [
        ("breached", "first_response", jkt(6, 8, 10))
    ]
    assert due(desk, "resolution") == jkt(6, 9, 8)
    assert due(desk, "first_response") == jkt(6, 8, 10)
    assert desk.clocks("T-1")["first_response"].elapsed == 66 * H
    assert sla(desk.advance(at=datetime(2026, 6, 8, 20, tzinfo=JAKARTA))) == [
        ("warn 0.5", "resolution", jkt(6, 8, 20))
    ]

    # RETROACTIVE: both re-measured around the clock from Friday 16:00: the first reply was
    # due at 17:00 Friday, the resolution at 16:00 Saturday; both breaches reported at the
    # change, first the first reply's.
    desk = upgrade_desk("retroactive")
    arrive(desk, datetime(2026, 6, 5, 16, tzinfo=JAKARTA))
    events = desk.set_sla_policy("T-1", "vip", at=change)
    assert [
        (str(e.metric), e.due_at.astimezone(UTC)) for e in events if isinstance(e, SlaBreached)
    ] == [
        ("first_response", jkt(6, 5, 17)),
        ("resolution", jkt(6, 6, 16)),
    ]

    # RESTART: fresh targets from the change: first reply 11:00 Monday, resolution 10:00
    # Tuesday.
    desk = upgrade_desk("restart")
    arrive(desk, datetime(2026, 6, 5, 16, tzinfo=JAKARTA))
    assert sla(desk.set_sla_policy("T-1", "vip", at=change)) == []
    assert due(desk, "first_response") == jkt(6, 8, 11)
    assert due(desk, "resolution") == jkt(6, 9, 10)


def test_night_shift_holiday_and_special_day() -> None:
    # A night desk in Jakarta: Friday 22:00-24:00 and Saturday 00:00-06:00, with Saturday
    # 13 June 2026 a holiday. A ticket on Friday 12 June at 22:00 with a 4-hour first reply
    # uses 2 h on Friday night; the holiday closes Saturday's part of the night; the next
    # 2 h are Friday 19 June 22:00-24:00: due at midnight, 00:00 on Saturday 20 June.
    night: dict[str, Any] = {
        "timezone": "Asia/Jakarta",
        "weekly": {"fri": [["22:00", "24:00"]], "sat": [["00:00", "06:00"]]},
        "holidays": ["2026-06-13"],
    }
    desk = desk_for(night, {"first_response": "PT4H"})
    arrive(desk, datetime(2026, 6, 12, 22, tzinfo=JAKARTA))
    assert due(desk, "first_response") == jkt(6, 20, 0)
    # A special day wins over the holiday: opened 08:00-10:00 that Saturday, the ticket has
    # its 50 % at midnight, 75 % (3 h) at 09:00, 90 % (3 h 36) at 09:36, and is due at 10:00.
    desk = desk_for(
        {**night, "special_days": {"2026-06-13": [["08:00", "10:00"]]}}, {"first_response": "PT4H"}
    )
    arrive(desk, datetime(2026, 6, 12, 22, tzinfo=JAKARTA))
    assert sla(desk.advance(at=datetime(2026, 6, 13, 12, tzinfo=JAKARTA))) == [
        ("warn 0.5", "first_response", jkt(6, 13, 0)),
        ("warn 0.75", "first_response", jkt(6, 13, 9)),
        ("warn 0.9", "first_response", jkt(6, 13, 9, 36)),
        ("breached", "first_response", jkt(6, 13, 10)),
    ]
